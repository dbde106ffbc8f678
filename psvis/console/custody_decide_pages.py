"""The chief's decision in the console (Art. 18): approve with the approval document's
number and its scan, reject with a reason, release the legal hold; and closing a
request early.

The approval route reads its own body (``console/uploads.py``): the chief is
authenticated and authorised with a short database session before a byte is read, the
CSRF token must precede the file, the scan streams into memory with a hard 10 MB limit
(:data:`psvis.custody.scans.MAX_SCAN_BYTES`) and is type-checked by its first bytes.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx, Viewer, current_viewer
from psvis.console.custody_common import PREFIX, refusal_text
from psvis.console.custody_detail import render_request
from psvis.console.i18n import translate
from psvis.console.render import LoginRequired, page_language
from psvis.console.route import ConsoleRoute
from psvis.console.uploads import Part, UploadError, receive
from psvis.core.errors import Forbidden, PsvisError
from psvis.custody import scans, service

router = APIRouter(route_class=ConsoleRoute)

Field = Annotated[str, Form(max_length=200)]
LongField = Annotated[str, Form(max_length=1000)]


class BadToken(Forbidden):
    """The form's CSRF token is missing or wrong (an error page, not a refusal)."""


def _back(request_id: int) -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/requests/{request_id}", status_code=303)


# --- approve (an upload) ------------------------------------------------------------------


def _chief(request: Request) -> Viewer:
    """Who is approving, from a short session closed before the body is read."""
    with request.app.state.psvis.sessions() as session:
        viewer = current_viewer(request, session)
    if viewer is None:
        raise LoginRequired
    viewer.principal.reach(Resource.CUSTODY_REQUEST, Action.APPROVE)
    return viewer


def _decide(request: Request, viewer: Viewer, request_id: int, number: str, scan: bytes) -> None:
    state = request.app.state.psvis
    with state.sessions() as session:
        service.approve(
            session,
            principal=viewer.principal,
            request_id=request_id,
            document_number=number,
            scan=scan,
            data_dir=state.settings.data_dir,
        )
        session.commit()


def _show(
    request: Request, viewer: Viewer, request_id: int, error: str, status_code: int, number: str
) -> HTMLResponse:
    with request.app.state.psvis.sessions() as session:
        ctx = Ctx(request=request, session=session, viewer=viewer, lang=page_language(request))
        return render_request(
            ctx,
            request_id,
            error=error,
            status_code=status_code,
            values={"document_number": number[:64]},
        )


@router.post(f"{PREFIX}/requests/{{request_id}}/approve")
async def approve(request: Request, request_id: ObjectId) -> Response:
    viewer = await run_in_threadpool(_chief, request)

    def check_token(fields: dict[str, str]) -> None:
        sent = fields.get("csrf_token", "")
        if not sent or not secrets.compare_digest(sent, viewer.csrf_token):
            raise BadToken("missing or wrong CSRF token")

    lang = page_language(request)
    number = ""
    try:
        received = await receive(
            request,
            directory=request.app.state.psvis.settings.data_dir,  # unused: in memory
            files={"scan": Part(scans.MAX_SCAN_BYTES)},
            before_file=check_token,
        )
        check_token(received.fields)  # also when the form carried no file
        number = received.fields.get("document_number", "").strip()
        scan = received.files.get("scan")
        if not number:
            raise UploadError("custody.err_document_number", status_code=422)
        if scan is None or not scan.size:
            raise UploadError("custody.err_no_scan", status_code=422)
        await run_in_threadpool(_decide, request, viewer, request_id, number, scan.data)
    except UploadError as exc:
        error = translate(exc.key, lang, **exc.values)
        return await run_in_threadpool(
            _show, request, viewer, request_id, error, exc.status_code, number
        )
    except ClientDisconnect:
        return Response(status_code=400)  # the browser left; nobody reads an answer
    except BadToken:
        raise
    except Forbidden as exc:
        error = refusal_text(exc, lang)
        return await run_in_threadpool(_show, request, viewer, request_id, error, 403, number)
    except PsvisError as exc:
        if exc.status_code == 404:
            raise
        error = refusal_text(exc, lang)
        return await run_in_threadpool(
            _show, request, viewer, request_id, error, exc.status_code, number
        )
    return _back(request_id)


# --- reject, release the hold, close --------------------------------------------------------


def _refused(ctx: Ctx, request_id: int, exc: PsvisError) -> HTMLResponse:
    ctx.session.rollback()
    if exc.status_code == 404:
        raise exc
    return render_request(
        ctx, request_id, error=refusal_text(exc, ctx.lang), status_code=exc.status_code
    )


@router.post(f"{PREFIX}/requests/{{request_id}}/reject")
def reject(
    ctx: ConsoleCtx, request_id: ObjectId, csrf_token: Field = "", reason: LongField = ""
) -> Response:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.CUSTODY_REQUEST, Action.APPROVE)
    if not reason.strip():
        return render_request(
            ctx, request_id, error=translate("custody.err_reason", ctx.lang), status_code=422
        )
    try:
        service.reject(ctx.session, principal=ctx.principal, request_id=request_id, reason=reason)
    except PsvisError as exc:
        return _refused(ctx, request_id, exc)
    return _back(request_id)


@router.post(f"{PREFIX}/requests/{{request_id}}/release-hold")
def release_hold(
    ctx: ConsoleCtx, request_id: ObjectId, csrf_token: Field = "", reason: Field = ""
) -> Response:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.CUSTODY_REQUEST, Action.APPROVE)
    if not reason.strip():
        return render_request(
            ctx, request_id, error=translate("custody.err_reason", ctx.lang), status_code=422
        )
    try:
        service.release_hold(
            ctx.session, principal=ctx.principal, request_id=request_id, reason=reason
        )
    except PsvisError as exc:
        return _refused(ctx, request_id, exc)
    return _back(request_id)


@router.post(f"{PREFIX}/requests/{{request_id}}/close")
def close_request(ctx: ConsoleCtx, request_id: ObjectId, csrf_token: Field = "") -> Response:
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.CUSTODY_REQUEST, Action.UPDATE)
    try:
        service.close_request(ctx.session, principal=ctx.principal, request_id=request_id)
    except PsvisError as exc:
        return _refused(ctx, request_id, exc)
    return _back(request_id)
