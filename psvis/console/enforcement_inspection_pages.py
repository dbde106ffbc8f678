"""Inspections in the console (Art. 21), made for a tablet at the site: the list, the
checklist form of a site (one large pass / fail / n.a. choice per item, stacked on a
narrow screen), the inspection page with its photos (the tablet's camera through a
file input), and the follow-up case on failed items.

The photo form reads its own body (``console/uploads.py``): the inspector is
authenticated before a byte is read, the CSRF token precedes the file, and the photo
streams into memory with a hard limit (:data:`psvis.enforcement.photos.MAX_PHOTO_BYTES`)
and is type-checked by its first bytes in the service.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx, Viewer, current_viewer
from psvis.console.enforcement_pages import PREFIX, _validation_text, refusal_text
from psvis.console.i18n import translate
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager
from psvis.console.render import LoginRequired, page_language
from psvis.console.route import ConsoleRoute
from psvis.console.uploads import Part, UploadError, receive
from psvis.core.errors import Forbidden, InvalidInput, PsvisError
from psvis.enforcement import checklists, inspections, photos
from psvis.enforcement.checklists import ItemResult
from psvis.enforcement.inspection_schemas import FollowupCreate, InspectionCreate, ItemIn
from psvis.registry import service as registry

router: APIRouter = APIRouter(route_class=ConsoleRoute)

Field = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=2000)]
BASE = f"{PREFIX}/inspections"


def _row_id(raw: str) -> int | None:
    text = raw.strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


@router.get(BASE)
def inspection_list(
    ctx: ConsoleCtx,
    site: Choice = "",
    failed: Choice = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    ctx.require(Resource.INSPECTION)
    rows, total = inspections.list_inspections(
        ctx.session,
        principal=ctx.principal,
        site_id=_row_id(site),
        failed_only=failed == "1",
        limit=limit,
        offset=offset,
    )
    return ctx.render(
        "enforcement/inspections.html",
        rows=rows,
        pager=Pager(limit, offset, total),
        f={"site": site, "failed": failed},
        may_inspect=ctx.principal.may(Resource.INSPECTION, Action.CREATE),
        may_create=ctx.principal.may(Resource.ENFORCEMENT_CASE, Action.CREATE),
    )


def _form(
    ctx: Ctx,
    *,
    site_id: int | None,
    values: dict[str, str],
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    site = (
        registry.get_site(ctx.session, principal=ctx.principal, site_id=site_id)
        if site_id is not None
        else None
    )
    return ctx.render(
        "enforcement/inspection_new.html",
        status_code=status_code,
        site=site,
        items=checklists.checklist(site.category) if site is not None else (),
        results=list(ItemResult),
        values=values,
        error=error,
        may_create=ctx.principal.may(Resource.ENFORCEMENT_CASE, Action.CREATE),
    )


@router.get(f"{BASE}/new")
def new_inspection(ctx: ConsoleCtx, site: Choice = "") -> HTMLResponse:
    ctx.principal.reach(Resource.INSPECTION, Action.CREATE)
    return _form(ctx, site_id=_row_id(site), values={})


@router.post(f"{BASE}/new")
async def create_inspection(request: Request) -> Response:
    """The checklist form: its fields are named by the items, so they are read from the
    form itself (bounded: Starlette's limits below)."""
    async with request.form(max_files=0, max_fields=80, max_part_size=4096) as form:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_create, request, values)


def _create(request: Request, values: dict[str, str]) -> Response:
    with request.app.state.psvis.sessions() as session:
        viewer = current_viewer(request, session)
        if viewer is None:
            raise LoginRequired
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        ctx.check_csrf(values.get("csrf_token", ""))
        ctx.principal.reach(Resource.INSPECTION, Action.CREATE)
        site_id = _row_id(values.get("site_id", ""))
        if site_id is None:
            return _form(ctx, site_id=None, values={}, error="site?", status_code=422)
        site = registry.get_site(session, principal=ctx.principal, site_id=site_id)
        try:
            entries = [
                ItemIn(
                    key=key,
                    result=values.get(f"r_{key}", ""),
                    note=values.get(f"n_{key}", ""),
                )
                for key in checklists.CHECKLISTS[site.category]
                if values.get(f"r_{key}")
            ]
            data = InspectionCreate(
                site_id=site_id,
                inspected_on=values.get("inspected_on") or None,
                items=entries,
                notes=values.get("notes", ""),
            )
            made = inspections.record_inspection(session, principal=ctx.principal, data=data)
            session.commit()
        except ValidationError as exc:
            return _form(
                ctx,
                site_id=site_id,
                values=values,
                error=_validation_text(exc),
                status_code=422,
            )
        except PsvisError as exc:
            session.rollback()
            if exc.status_code == 404:
                raise
            return _form(
                ctx,
                site_id=site_id,
                values=values,
                error=refusal_text(exc, ctx.lang),
                status_code=exc.status_code,
            )
        return RedirectResponse(f"{BASE}/{made.id}", status_code=303)


def render_inspection(
    ctx: Ctx, inspection_id: int, *, error: str = "", status_code: int = 200
) -> HTMLResponse:
    db = ctx.session
    found = inspections.get_inspection(db, principal=ctx.principal, inspection_id=inspection_id)
    rows = inspections.items_of(db, inspection_id=found.id)
    followups = inspections.followups_of(db, inspection_id=found.id)
    taken = {k for f in followups for k in f.items.split(",")}
    may_update = ctx.principal.may(Resource.INSPECTION, Action.UPDATE)
    return ctx.render(
        "enforcement/inspection.html",
        status_code=status_code,
        inspection=found,
        site=registry.get_site(db, principal=ctx.principal, site_id=found.site_id)
        if ctx.principal.may(Resource.SITE, Action.READ)
        else None,
        rows=rows,
        items=checklists.ITEMS,
        photos=inspections.photos_of(db, inspection_id=found.id),
        followups=followups,
        open_items=[r.item for r in rows if r.result is ItemResult.FAIL and r.item not in taken],
        may_update=may_update,
        may_create=ctx.principal.may(Resource.ENFORCEMENT_CASE, Action.CREATE),
        max_mb=photos.MAX_PHOTO_BYTES // (1024 * 1024),
        error=error,
    )


@router.get(f"{BASE}/{{inspection_id}}")
def inspection_page(ctx: ConsoleCtx, inspection_id: ObjectId) -> HTMLResponse:
    return render_inspection(ctx, inspection_id)


@router.post(f"{BASE}/{{inspection_id}}/cases")
async def open_followup(request: Request, inspection_id: ObjectId) -> Response:
    async with request.form(max_files=0, max_fields=24, max_part_size=4096) as form:
        chosen = [v for v in form.getlist("items") if isinstance(v, str)]
        token, facts = str(form.get("csrf_token", "")), str(form.get("facts", ""))
        manager, other_law = str(form.get("manager_name", "")), str(form.get("other_law", ""))
    return await run_in_threadpool(
        _followup, request, inspection_id, token, chosen, facts, manager, other_law
    )


def _followup(
    request: Request,
    inspection_id: int,
    token: str,
    chosen: list[str],
    facts: str,
    manager: str,
    other_law: str,
) -> Response:
    with request.app.state.psvis.sessions() as session:
        viewer = current_viewer(request, session)
        if viewer is None:
            raise LoginRequired
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        ctx.check_csrf(token)
        try:
            data = FollowupCreate(
                items=chosen, facts=facts, manager_name=manager, other_law=other_law
            )
            case = inspections.open_followup(
                session, principal=ctx.principal, inspection_id=inspection_id, data=data
            )
            session.commit()
        except ValidationError as exc:
            return render_inspection(
                ctx, inspection_id, error=_validation_text(exc), status_code=422
            )
        except PsvisError as exc:
            session.rollback()
            if exc.status_code == 404:
                raise
            return render_inspection(
                ctx, inspection_id, error=refusal_text(exc, ctx.lang), status_code=exc.status_code
            )
        return RedirectResponse(f"{PREFIX}/cases/{case.id}", status_code=303)


# --- photos -----------------------------------------------------------------------------------


class BadToken(Forbidden):
    """The form's CSRF token is missing or wrong (an error page, not a refusal)."""


def _inspector(request: Request) -> Viewer:
    with request.app.state.psvis.sessions() as session:
        viewer = current_viewer(request, session)
    if viewer is None:
        raise LoginRequired
    viewer.principal.reach(Resource.INSPECTION, Action.UPDATE)
    return viewer


def _attach(request: Request, viewer: Viewer, inspection_id: int, item: str, data: bytes) -> None:
    state = request.app.state.psvis
    with state.sessions() as session:
        inspections.add_photo(
            session,
            principal=viewer.principal,
            inspection_id=inspection_id,
            data=data,
            item=item,
            data_dir=state.settings.data_dir,
        )
        session.commit()


def _show(
    request: Request, viewer: Viewer, inspection_id: int, error: str, status_code: int
) -> HTMLResponse:
    with request.app.state.psvis.sessions() as session:
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        return render_inspection(ctx, inspection_id, error=error, status_code=status_code)


@router.post(f"{BASE}/{{inspection_id}}/photos")
async def upload_photo(request: Request, inspection_id: ObjectId) -> Response:
    viewer = await run_in_threadpool(_inspector, request)

    def check_token(fields: dict[str, str]) -> None:
        sent = fields.get("csrf_token", "")
        if not sent or not secrets.compare_digest(sent, viewer.csrf_token):
            raise BadToken("missing or wrong CSRF token")

    lang = page_language(request)
    try:
        received = await receive(
            request,
            directory=request.app.state.psvis.settings.data_dir,  # unused: in memory
            files={"photo": Part(photos.MAX_PHOTO_BYTES)},
            before_file=check_token,
        )
        check_token(received.fields)
        photo = received.files.get("photo")
        if photo is None or not photo.size:
            raise UploadError("inspection.err_no_photo", status_code=422)
        item = received.fields.get("item", "")
        await run_in_threadpool(_attach, request, viewer, inspection_id, item, photo.data)
    except UploadError as exc:
        error = translate(exc.key, lang, **exc.values)
        return await run_in_threadpool(
            _show, request, viewer, inspection_id, error, exc.status_code
        )
    except ClientDisconnect:
        return Response(status_code=400)
    except BadToken:
        raise
    except (InvalidInput, PsvisError) as exc:
        if exc.status_code in (403, 404):
            raise
        error = refusal_text(exc, lang)
        return await run_in_threadpool(
            _show, request, viewer, inspection_id, error, exc.status_code
        )
    return RedirectResponse(f"{BASE}/{inspection_id}", status_code=303)


@router.get(f"{PREFIX}/inspection-photos/{{photo_id}}")
def photo(ctx: ConsoleCtx, photo_id: ObjectId) -> FileResponse:
    found = inspections.get_photo(ctx.session, principal=ctx.principal, photo_id=photo_id)
    return FileResponse(
        photos.path_of(ctx.request.app.state.psvis.settings.data_dir, found.sha256),
        media_type=found.media_type,
        headers={"Cache-Control": "private, no-store"},
    )
