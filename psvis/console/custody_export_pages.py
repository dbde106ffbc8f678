"""Exports from the two-officer session screen (Art. 18-19, 20(2)).

The API's ``POST /api/v1/custody/sessions/{id}/exports`` wants an ``X-CSRF-Token`` header
when signed in by cookie, which a plain HTML form cannot send. These routes take the
console's form instead (its ``csrf_token`` field, checked as every console form is) and
call the very same services, so nothing of the law is decided here:

* ``POST /custody/sessions/{id}/exports`` (``camera_id``, ``start``, ``end``, ``kind``) —
  :func:`psvis.custody.exports.export` makes, logs and stores an evidence package or a
  watermarked viewing copy, then a 303 leads to the download. A refusal shows the
  session screen again with the rule's sentence and its article.
* ``GET /custody/sessions/{id}/exports/{sha256}`` — the file, through
  :func:`psvis.custody.exports.fetch`: the gate again (an officer of the same session,
  still open, the request still valid and covering it) and logged, exactly as the API's
  download.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import FileResponse, RedirectResponse, Response

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx
from psvis.console.custody_common import PREFIX, refusal_text
from psvis.console.custody_session_pages import render_session
from psvis.console.route import ConsoleRoute, error_page
from psvis.core.errors import InvalidInput, PsvisError
from psvis.custody import exports
from psvis.custody.exports import ExportKind

router = APIRouter(route_class=ConsoleRoute)

#: Form fields are read as text and checked here, after the CSRF token: a forged or
#: mangled form gets the session screen with a clear message, never a bare 400.
Field = Annotated[str, Form(max_length=200)]
Sha256 = Annotated[str, Path(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]
MAX_ID = 2_147_483_647


@dataclass(frozen=True, slots=True)
class ExportOrder:
    """What the form asks for, parsed (the service checks everything else)."""

    camera_id: int
    start: dt.datetime
    end: dt.datetime
    kind: ExportKind


def _instant(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 time as the screen writes it (with its UTC offset: a naive time is
    refused by the service, never guessed)."""
    try:
        return dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidInput(f"{name}: {raw[:40]!r} is not an ISO 8601 time") from exc


def parse_order(*, camera_id: str, start: str, end: str, kind: str) -> ExportOrder:
    """The export form's fields, or :class:`InvalidInput` naming the bad one."""
    text = camera_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
        raise InvalidInput(f"camera_id: {camera_id[:20]!r} is not a camera id")
    try:
        chosen = ExportKind(kind.strip())
    except ValueError as exc:
        allowed = " or ".join(k.value for k in ExportKind)
        raise InvalidInput(f"kind: {kind[:20]!r} is not {allowed}") from exc
    return ExportOrder(
        camera_id=int(text),
        start=_instant("start", start),
        end=_instant("end", end),
        kind=chosen,
    )


@router.post(f"{PREFIX}/sessions/{{session_id}}/exports")
def create_export(
    ctx: ConsoleCtx,
    session_id: ObjectId,
    csrf_token: Field = "",
    camera_id: Field = "",
    start: Field = "",
    end: Field = "",
    kind: Field = "",
) -> Response:
    """Export one approved piece; the browser then fetches it from the download route."""
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.CUSTODY_SESSION, Action.UPDATE)
    try:
        order = parse_order(camera_id=camera_id, start=start, end=end, kind=kind)
        stored = exports.export(
            ctx.session,
            principal=ctx.principal,
            session_id=session_id,
            camera_id=order.camera_id,
            start=order.start,
            end=order.end,
            kind=order.kind,
            settings=ctx.request.app.state.psvis.settings,
        )
    except PsvisError as exc:
        # Whatever the refused export left uncommitted goes; what it committed (a fresh
        # checkpoint) is the ledger's own and stays.
        ctx.session.rollback()
        return render_session(
            ctx, session_id, error=refusal_text(exc, ctx.lang), status_code=exc.status_code
        )
    return RedirectResponse(
        f"{PREFIX}/sessions/{session_id}/exports/{stored.sha256}", status_code=303
    )


@router.get(f"{PREFIX}/sessions/{{session_id}}/exports/{{sha256}}")
def download_export(ctx: ConsoleCtx, session_id: ObjectId, sha256: Sha256) -> Response:
    """The export's file, authorized again and logged (``export.downloaded``, committed
    with the request as in the API)."""
    ctx.principal.reach(Resource.CUSTODY_SESSION, Action.UPDATE)
    try:
        stored = exports.fetch(
            ctx.session,
            principal=ctx.principal,
            session_id=session_id,
            sha256=sha256,
            data_dir=ctx.request.app.state.psvis.settings.data_dir,
        )
    except PsvisError as exc:
        ctx.session.rollback()
        return error_page(ctx.request, exc.status_code, refusal_text(exc, ctx.lang))
    return FileResponse(
        stored.path,
        media_type=stored.media_type,
        filename=stored.file_name,
        headers={"Cache-Control": "no-store", "X-Content-SHA256": stored.sha256},
    )
