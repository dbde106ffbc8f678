"""Retrieval requests in the console (Art. 18): the lists (mine, a chief's approval
queue, all I may read), the request form and a request's page.

Police name cameras they may read — picked through a search that keeps the choice in
the query string (no script), or typed as ids / 20-digit GB/T 28181 ids; another
department's staff, who read no camera, type ids and must cite their legal basis. The
form is China time; the service stores UTC. Deciding, holds and sessions are in
``custody_decide_pages`` and ``custody_session_pages``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Query
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import or_, select

from psvis.api.deps import ObjectId
from psvis.auth import scope
from psvis.auth.models import User
from psvis.auth.policy import Action, Resource, Role
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.custody_common import (
    PREFIX,
    actions_text,
    china,
    local_input,
    names_of,
    parse_local,
    person,
    refusal_text,
    render,
    state_label,
)
from psvis.console.custody_detail import render_request
from psvis.console.i18n import translate
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager
from psvis.console.route import ConsoleRoute
from psvis.core.errors import InvalidInput, NotFound
from psvis.core.timeutil import utcnow
from psvis.custody import requests as custody_requests
from psvis.custody import scans, service
from psvis.custody.enums import CustodyAction, DepartmentKind, RequestState
from psvis.custody.models import RetrievalRequest
from psvis.custody.schemas import MAX_SCOPES, RequestCreate, ScopeIn
from psvis.registry import cameras
from psvis.registry.models import Camera
from psvis.registry.service import page

router = APIRouter(route_class=ConsoleRoute)

VIEWS: Final = ("mine", "queue", "all")
#: Cameras a search shows at once (narrow the text for more).
SEARCH_LIMIT = 30
#: Default validity offered by the form: a week (the service allows up to 90 days).
DEFAULT_VALIDITY = dt.timedelta(days=7)
_SPLIT = re.compile(r"[\s,，、;；]+")

Field = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=1000)]
ListText = Annotated[str, Form(max_length=4000)]
Many = Annotated[list[str], Form(max_length=MAX_SCOPES)]


# --- lists ----------------------------------------------------------------------------------


def _mine(
    ctx: Ctx, state: RequestState | None, limit: int, offset: int
) -> tuple[list[RetrievalRequest], int]:
    """The viewer's own requests; ``state`` as of now, as :func:`service.list_requests`
    reads it (an approved request past its validity is expired)."""
    now = utcnow()
    stmt = select(RetrievalRequest).where(
        custody_requests.visible(ctx.principal),
        RetrievalRequest.requester_id == ctx.principal.user_id,
    )
    approved = RetrievalRequest.state == RequestState.APPROVED
    if state is RequestState.EXPIRED:
        stmt = stmt.where(
            or_(
                RetrievalRequest.state == RequestState.EXPIRED,
                approved & (RetrievalRequest.valid_until <= now),
            )
        )
    elif state is RequestState.APPROVED:
        stmt = stmt.where(approved, RetrievalRequest.valid_until > now)
    elif state is not None:
        stmt = stmt.where(RetrievalRequest.state == state)
    return page(ctx.session, stmt.order_by(RetrievalRequest.id.desc()), limit=limit, offset=offset)


def row_of(ctx: Ctx, request: RetrievalRequest, users: dict[int, User]) -> dict[str, Any]:
    state = service.state_at(request, utcnow())
    return {
        "id": request.id,
        "number": request.number,
        "case_number": request.case_number,
        "department": request.department_name,
        "requester": person(users.get(request.requester_id)),
        "actions": actions_text(request.actions, ctx.lang),
        "state": state.value,
        "state_text": state_label(state, ctx.lang),
        "valid": f"{china(request.valid_from)} – {china(request.valid_until)}",
        "created": china(request.created_at),
    }


@router.get(PREFIX)
def request_list(
    ctx: ConsoleCtx,
    view: Choice = "",
    state: Choice = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    ctx.require(Resource.CUSTODY_REQUEST)
    is_chief = ctx.principal.may(Resource.CUSTODY_REQUEST, Action.APPROVE)
    chosen = view or ("queue" if is_chief else "mine")
    if chosen not in VIEWS or (chosen == "queue" and not is_chief):
        raise InvalidInput(f"unknown view {chosen[:20]!r}")
    wanted = None
    if state:
        try:
            wanted = RequestState(state)
        except ValueError as exc:
            raise InvalidInput(f"unknown state {state[:20]!r}") from exc
    if chosen == "mine":
        rows, total = _mine(ctx, wanted, limit, offset)
    else:
        rows, total = service.list_requests(
            ctx.session,
            principal=ctx.principal,
            state=wanted,
            awaiting_me=chosen == "queue",
            limit=limit,
            offset=offset,
        )
    users = names_of(ctx.session, (r.requester_id for r in rows))
    return render(
        ctx,
        "custody/list.html",
        tab=chosen,
        view=chosen,
        state=state,
        states=list(RequestState),
        rows=[row_of(ctx, r, users) for r in rows],
        pager=Pager(limit, offset, total),
        is_chief=is_chief,
        may_create=ctx.principal.may(Resource.CUSTODY_REQUEST, Action.CREATE),
    )


# --- the request form -------------------------------------------------------------------------


@dataclass
class RequestForm:
    """What the form holds (raw strings: re-shown as typed after an error)."""

    department_kind: str = DepartmentKind.POLICE.value
    department_name: str = ""
    legal_basis: str = ""
    case_number: str = ""
    purpose: str = ""
    actions: list[str] = field(default_factory=lambda: [CustodyAction.VIEW.value])
    camera_ids: list[int] = field(default_factory=list)
    camera_list: str = ""
    footage_from: str = ""
    footage_until: str = ""
    valid_from: str = ""
    valid_until: str = ""


def _ids(raw: list[str]) -> list[int]:
    found = []
    for value in raw:
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10):
            raise InvalidInput(f"camera {text[:24]!r} is not a camera id")
        number = int(text)
        if not 1 <= number <= 2_147_483_647:
            raise InvalidInput(f"camera {text[:24]!r} is not a camera id")
        if number not in found:
            found.append(number)
    return found


def _police(ctx: Ctx) -> bool:
    return ctx.principal.role.is_police


def resolve_camera(ctx: Ctx, token: str) -> Camera:
    """A typed camera: an id, or a 20-digit GB/T 28181 id. Police reach only cameras
    they may read; another department names any existing camera (the core checks it)."""
    text = token.strip()
    if not (text.isascii() and text.isdigit()) or len(text) not in (*range(1, 11), 20):
        raise InvalidInput(translate("custody.err_camera_token", ctx.lang, token=text[:24]))
    if len(text) == 20:
        stmt = select(Camera).where(Camera.gb_id == text)
        if _police(ctx):
            stmt = stmt.where(scope.where(ctx.principal, Resource.CAMERA, Action.READ))
        found = ctx.session.scalar(stmt)
    elif _police(ctx):
        try:
            found = cameras.get_camera(ctx.session, principal=ctx.principal, camera_id=int(text))
        except NotFound:
            found = None
    else:
        found = ctx.session.get(Camera, int(text)) if int(text) <= 2_147_483_647 else None
    if found is None:
        raise InvalidInput(translate("custody.err_camera_unknown", ctx.lang, token=text))
    return found


def chosen_cameras(ctx: Ctx, ids: list[int]) -> list[Camera]:
    """The picked cameras (ids from the picker), each one the viewer may name."""
    return [resolve_camera(ctx, str(camera_id)) for camera_id in ids[:MAX_SCOPES]]


def _defaults(ctx: Ctx) -> RequestForm:
    now = utcnow().replace(microsecond=0)
    form = RequestForm(
        footage_from=local_input(now - dt.timedelta(hours=1)),
        footage_until=local_input(now),
        valid_from=local_input(now),
        valid_until=local_input(now + DEFAULT_VALIDITY),
    )
    if ctx.principal.role is Role.OTHER_DEPT:
        user = ctx.session.get(User, ctx.principal.user_id)
        form.department_kind = DepartmentKind.OTHER.value
        form.department_name = user.department if user is not None else ""
    return form


def _render_form(
    ctx: Ctx,
    form: RequestForm,
    *,
    q: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    picked: list[Camera] = []
    picker_error = ""
    try:
        picked = chosen_cameras(ctx, form.camera_ids)
    except InvalidInput as exc:
        picker_error = exc.message
    results: list[Camera] = []
    if q and _police(ctx):
        results, _total = cameras.list_cameras(
            ctx.session, principal=ctx.principal, q=q, limit=SEARCH_LIMIT
        )
    chosen_ids = [c.id for c in picked]
    return render(
        ctx,
        "custody/new.html",
        status_code=status_code,
        tab="new",
        form=form,
        q=q,
        picked=picked,
        chosen_ids=chosen_ids,
        results=[c for c in results if c.id not in chosen_ids],
        police=_police(ctx),
        other_only=ctx.principal.role is Role.OTHER_DEPT,
        kinds=list(DepartmentKind),
        all_actions=list(CustodyAction),
        error=error or picker_error,
        max_scopes=MAX_SCOPES,
    )


@router.get(f"{PREFIX}/new")
def request_form(
    ctx: ConsoleCtx,
    camera: Annotated[list[str], Query(max_length=MAX_SCOPES)] = [],  # noqa: B006
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    ctx.principal.reach(Resource.CUSTODY_REQUEST, Action.CREATE)
    form = _defaults(ctx)
    form.camera_ids = _ids(camera)
    return _render_form(ctx, form, q=q.strip())


def _scopes(ctx: Ctx, form: RequestForm) -> list[Camera]:
    found: dict[int, Camera] = {c.id: c for c in chosen_cameras(ctx, form.camera_ids)}
    for token in _SPLIT.split(form.camera_list.strip()):
        if token:
            camera = resolve_camera(ctx, token)
            found.setdefault(camera.id, camera)
    if not found:
        raise InvalidInput(translate("custody.err_no_camera", ctx.lang))
    if len(found) > MAX_SCOPES:
        raise InvalidInput(translate("custody.err_too_many", ctx.lang, n=MAX_SCOPES))
    return list(found.values())


def _time(raw: str, name: str, lang: str) -> dt.datetime:
    label = translate(f"custody.f.{name}", lang)
    try:
        return parse_local(raw, field=label)
    except InvalidInput as exc:
        raise InvalidInput(translate("custody.err_time", lang, field=label)) from exc


def build_request(ctx: Ctx, form: RequestForm) -> RequestCreate:
    """The service's input from the form, or :class:`InvalidInput` in the reader's words."""
    lang = ctx.lang
    required = {
        "department_name": form.department_name,
        "case_number": form.case_number,
        "purpose": form.purpose,
    }
    for name, value in required.items():
        if not value.strip():
            raise InvalidInput(
                translate("custody.err_required", lang, field=translate(f"custody.f.{name}", lang))
            )
    if form.department_kind == DepartmentKind.OTHER.value and not form.legal_basis.strip():
        raise InvalidInput(translate("custody.err_legal_basis", lang))
    if not form.actions:
        raise InvalidInput(translate("custody.err_no_action", lang))
    start = _time(form.footage_from, "footage_from", lang)
    end = _time(form.footage_until, "footage_until", lang)
    valid_from = _time(form.valid_from, "valid_from", lang)
    valid_until = _time(form.valid_until, "valid_until", lang)
    if end <= start:
        raise InvalidInput(translate("custody.err_range", lang))
    if valid_until <= valid_from:
        raise InvalidInput(translate("custody.err_validity", lang))
    if end > valid_until:
        raise InvalidInput(translate("custody.err_range_after_validity", lang))
    chosen = _scopes(ctx, form)
    try:
        return RequestCreate(
            department_kind=DepartmentKind(form.department_kind),
            department_name=form.department_name.strip(),
            legal_basis=form.legal_basis.strip(),
            case_number=form.case_number.strip(),
            purpose=form.purpose.strip(),
            actions=[CustodyAction(a) for a in form.actions],
            valid_from=valid_from,
            valid_until=valid_until,
            scopes=[ScopeIn(camera_id=c.id, start=start, end=end) for c in chosen],
        )
    except (ValidationError, ValueError) as exc:
        raise InvalidInput(translate("custody.err_form", lang, error=str(exc)[:300])) from exc


@router.post(f"{PREFIX}/new")
def request_create(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    department_kind: Field = DepartmentKind.POLICE.value,
    department_name: Field = "",
    legal_basis: LongField = "",
    case_number: Field = "",
    purpose: LongField = "",
    action: Many = [],  # noqa: B006
    camera: Many = [],  # noqa: B006
    camera_list: ListText = "",
    footage_from: Field = "",
    footage_until: Field = "",
    valid_from: Field = "",
    valid_until: Field = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.CUSTODY_REQUEST, Action.CREATE)
    form = RequestForm(
        department_kind=department_kind,
        department_name=department_name,
        legal_basis=legal_basis,
        case_number=case_number,
        purpose=purpose,
        actions=[a for a in action if a in {c.value for c in CustodyAction}],
        camera_ids=[],
        camera_list=camera_list,
        footage_from=footage_from,
        footage_until=footage_until,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    try:
        form.camera_ids = _ids(camera)
        if department_kind not in {k.value for k in DepartmentKind}:
            raise InvalidInput(f"unknown department kind {department_kind[:20]!r}")
        data = build_request(ctx, form)
        created = service.create_request(ctx.session, principal=ctx.principal, data=data)
    except InvalidInput as exc:
        ctx.session.rollback()
        return _render_form(ctx, form, error=refusal_text(exc, ctx.lang), status_code=422)
    return RedirectResponse(f"{PREFIX}/requests/{created.id}", status_code=303)


# --- one request ---------------------------------------------------------------------------------


@router.get(f"{PREFIX}/requests/{{request_id}}")
def request_page(ctx: ConsoleCtx, request_id: ObjectId) -> HTMLResponse:
    ctx.require(Resource.CUSTODY_REQUEST)
    return render_request(ctx, request_id)


@router.get(f"{PREFIX}/requests/{{request_id}}/scan")
def approval_scan(ctx: ConsoleCtx, request_id: ObjectId) -> FileResponse:
    """The approval document's scan, shown inline (Art. 19: the approval is shown)."""
    ctx.require(Resource.CUSTODY_REQUEST)
    request = service.get_request(ctx.session, principal=ctx.principal, request_id=request_id)
    approval = service.approval_of(ctx.session, request_id=request.id)
    if approval is None or approval.scan_sha256 is None or approval.scan_media_type is None:
        raise NotFound(f"request {request.number} has no approval document")
    data_dir = ctx.request.app.state.psvis.settings.data_dir
    suffix = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
    name = f"approval-{request.number}{suffix.get(approval.scan_media_type, '')}"
    return FileResponse(
        scans.path_of(data_dir, approval.scan_sha256),
        media_type=approval.scan_media_type,
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
