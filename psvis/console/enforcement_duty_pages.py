"""Unit duties in the console (Art. 17(1)(2)(5)), one page for the unit and the police:
the rules and duty logs on file (upload: PDF or a scan, streamed with a hard limit after
authentication, CSRF token first), trainings with the expired ones marked, the
suspicious-information reports with the unit's form and the police's acknowledgement —
which links to a retrieval request for the named camera (the footage is never attached:
Art. 18-19). Forms stack to one column on a tablet.
"""

from __future__ import annotations

import datetime as dt
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
from psvis.console.custody_common import parse_local
from psvis.console.enforcement_inspection_pages import BadToken
from psvis.console.enforcement_pages import PREFIX, _validation_text, refusal_text
from psvis.console.i18n import translate
from psvis.console.render import LoginRequired, page_language
from psvis.console.route import ConsoleRoute
from psvis.console.uploads import Part, UploadError, receive
from psvis.core.errors import InvalidInput, PsvisError
from psvis.core.timeutil import today_china
from psvis.enforcement import duties, duty_files, duty_rules
from psvis.enforcement.duty_schemas import ReportCreate, TrainingCreate
from psvis.registry import service as registry

router: APIRouter = APIRouter(route_class=ConsoleRoute)
BASE = f"{PREFIX}/duties"
Field = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=2000)]


def render_duties(ctx: Ctx, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    ctx.require(Resource.UNIT_DUTY)
    p = ctx.principal
    documents, _ = duties.list_documents(ctx.session, principal=p, limit=100)
    trainings, _ = duties.list_trainings(ctx.session, principal=p, limit=200)
    may_report = p.may(Resource.SUSPICIOUS_REPORT, Action.READ)
    reports = duties.list_reports(ctx.session, principal=p, limit=100)[0] if may_report else []
    units = [registry.get_unit(ctx.session, principal=p, unit_id=u) for u in sorted(p.unit_ids)]
    today = today_china()
    return ctx.render(
        "enforcement/duties.html",
        status_code=status_code,
        error=error,
        documents=documents,
        trainings=[
            (t, not duty_rules.training_current(t.expires_on, today=today).ok) for t in trainings
        ],
        reports=[(r, duties.retrieval_hint(r)) for r in reports],
        units=units,
        kinds=list(duty_rules.DocumentKind),
        topics=list(duty_rules.TrainingTopic),
        report_kinds=list(duty_rules.ReportKind),
        may_file=p.may(Resource.UNIT_DUTY, Action.CREATE) and bool(units),
        may_report=p.may(Resource.SUSPICIOUS_REPORT, Action.CREATE) and bool(units),
        may_ack=p.may(Resource.SUSPICIOUS_REPORT, Action.UPDATE),
        today=today.isoformat(),
        max_mb=duty_files.MAX_FILE_BYTES // (1024 * 1024),
    )


@router.get(BASE)
def duty_page(ctx: ConsoleCtx) -> HTMLResponse:
    return render_duties(ctx)


def _int(raw: str) -> int:
    text = raw.strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else 0


def _fail(ctx: Ctx, exc: Exception) -> HTMLResponse:
    ctx.session.rollback()
    if isinstance(exc, ValidationError):
        return render_duties(ctx, error=_validation_text(exc), status_code=422)
    assert isinstance(exc, PsvisError)
    if exc.status_code in (403, 404):
        raise exc
    return render_duties(ctx, error=refusal_text(exc, ctx.lang), status_code=exc.status_code)


@router.post(f"{BASE}/trainings")
def add_training(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    unit_id: Field = "",
    person_name: Field = "",
    topic: Field = "",
    trained_on: Field = "",
    expires_on: Field = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    try:
        data = TrainingCreate.model_validate(
            {
                "unit_id": _int(unit_id),
                "person_name": person_name,
                "topic": topic,
                "trained_on": trained_on,
                "expires_on": expires_on,
            }
        )
        duties.add_training(ctx.session, principal=ctx.principal, data=data)
        ctx.session.commit()
    except (ValidationError, PsvisError) as exc:
        return _fail(ctx, exc)
    return RedirectResponse(f"{BASE}#trainings", status_code=303)


@router.post(f"{BASE}/reports")
def file_report(
    ctx: ConsoleCtx,
    csrf_token: Field = "",
    unit_id: Field = "",
    kind: Field = "",
    camera_id: Field = "",
    range_start: Field = "",
    range_end: Field = "",
    summary: LongField = "",
) -> Response:
    ctx.check_csrf(csrf_token)
    try:
        data = ReportCreate.model_validate(
            {
                "kind": kind,
                "summary": summary,
                "camera_id": _int(camera_id),
                "range_start": parse_local(range_start, field="range_start"),
                "range_end": parse_local(range_end, field="range_end"),
            }
        )
        duties.report(ctx.session, principal=ctx.principal, unit_id=_int(unit_id), data=data)
        ctx.session.commit()
    except (ValidationError, PsvisError) as exc:
        return _fail(ctx, exc)
    return RedirectResponse(f"{BASE}#reports", status_code=303)


@router.post(f"{BASE}/reports/{{report_id}}/acknowledge")
def acknowledge(
    ctx: ConsoleCtx, report_id: ObjectId, csrf_token: Field = "", note: LongField = ""
) -> Response:
    ctx.check_csrf(csrf_token)
    try:
        duties.acknowledge(ctx.session, principal=ctx.principal, report_id=report_id, note=note)
        ctx.session.commit()
    except PsvisError as exc:
        return _fail(ctx, exc)
    return RedirectResponse(f"{BASE}#report-{report_id}", status_code=303)


@router.get(f"{BASE}/documents/{{document_id}}")
def document_file(ctx: ConsoleCtx, document_id: ObjectId) -> FileResponse:
    row = duties.get_document(ctx.session, principal=ctx.principal, document_id=document_id)
    return FileResponse(
        duty_files.path_of(ctx.request.app.state.psvis.settings.data_dir, row.sha256),
        media_type=row.media_type,
        headers={"Cache-Control": "private, no-store"},
    )


def _filer(request: Request) -> Viewer:
    with request.app.state.psvis.sessions() as session:
        viewer = current_viewer(request, session)
    if viewer is None:
        raise LoginRequired
    viewer.principal.reach(Resource.UNIT_DUTY, Action.CREATE)
    return viewer


def _day(raw: str) -> dt.date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{text[:20]!r} is not a date (YYYY-MM-DD)") from exc


def _store(request: Request, viewer: Viewer, fields: dict[str, str], data: bytes) -> None:
    state = request.app.state.psvis
    kind = fields.get("kind", "")
    if kind not in {k.value for k in duty_rules.DocumentKind}:
        raise InvalidInput("choose the kind of document")
    title = fields.get("title", "").strip()
    if not title or len(title) > 200 or "\x00" in title:
        raise InvalidInput("the title is required (at most 200 characters)")
    with state.sessions() as session:
        duties.add_document(
            session,
            principal=viewer.principal,
            unit_id=_int(fields.get("unit_id", "")),
            kind=duty_rules.DocumentKind(kind),
            title=title,
            period_start=_day(fields.get("period_start", "")),
            period_end=_day(fields.get("period_end", "")),
            data=data,
            data_dir=state.settings.data_dir,
        )
        session.commit()


def _show(request: Request, viewer: Viewer, error: str, status_code: int) -> HTMLResponse:
    with request.app.state.psvis.sessions() as session:
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        return render_duties(ctx, error=error, status_code=status_code)


@router.post(f"{BASE}/documents")
async def upload_document(request: Request) -> Response:
    viewer = await run_in_threadpool(_filer, request)

    def check_token(fields: dict[str, str]) -> None:
        sent = fields.get("csrf_token", "")
        if not sent or not secrets.compare_digest(sent, viewer.csrf_token):
            raise BadToken("missing or wrong CSRF token")

    lang = page_language(request)
    try:
        received = await receive(
            request,
            directory=request.app.state.psvis.settings.data_dir,  # unused: in memory
            files={"file": Part(duty_files.MAX_FILE_BYTES)},
            before_file=check_token,
        )
        check_token(received.fields)
        upload = received.files.get("file")
        if upload is None or not upload.size:
            raise UploadError("duty.err_no_file", status_code=422)
        await run_in_threadpool(_store, request, viewer, received.fields, upload.data)
    except UploadError as exc:
        error = translate(exc.key, lang, **exc.values)
        return await run_in_threadpool(_show, request, viewer, error, exc.status_code)
    except ClientDisconnect:
        return Response(status_code=400)
    except BadToken:
        raise
    except PsvisError as exc:
        if exc.status_code in (403, 404):
            raise
        return await run_in_threadpool(
            _show, request, viewer, refusal_text(exc, lang), exc.status_code
        )
    return RedirectResponse(f"{BASE}#documents", status_code=303)
