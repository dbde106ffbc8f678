"""The two-officer session screen (双人调阅, Art. 19).

Officer A, signed in, opens a session on an approved request by having officer B type
their username, password and current TOTP code into A's browser: B authenticates in
the same act. The session is bound to A's console sign-in
(``ExecutionSession.console_token_id``), so the camera pages' players — which fetch
with nothing but the cookie — reach exactly the approved cameras × ranges × actions
while it is open (:mod:`psvis.custody.binding`).

The screen shows what Art. 19 asks to be shown: both officers with their work IDs, the
approval document, the validity, the approved scope with links to play back and copy
exactly those ranges and buttons to export them (:mod:`psvis.console.custody_export_pages`),
the session's exports, what was accessed; and closes the session.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from psvis.api.deps import ObjectId
from psvis.auth.policy import Action, Resource
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.custody_common import (
    PREFIX,
    TOTP_PAGE,
    actions_text,
    china,
    clock_text,
    days_of,
    names_of,
    person,
    refusal_text,
    render,
    state_label,
    whole_seconds,
)
from psvis.console.custody_detail import render_request
from psvis.console.i18n import translate
from psvis.console.route import ConsoleRoute
from psvis.console.uploads import human_bytes
from psvis.core.errors import Refused
from psvis.core.timeutil import utcnow
from psvis.custody import binding, exports, rules, service
from psvis.custody.enums import CustodyAction
from psvis.custody.models import ExecutionSession, RetrievalRequest
from psvis.recording import clips
from psvis.registry.models import Camera

router = APIRouter(route_class=ConsoleRoute)

Field = Annotated[str, Form(max_length=200)]
API = "/api/v1"


@router.post(f"{PREFIX}/requests/{{request_id}}/sessions")
def open_session(
    ctx: ConsoleCtx,
    request_id: ObjectId,
    csrf_token: Field = "",
    officer_b_username: Field = "",
    officer_b_password: Field = "",
    officer_b_totp: Field = "",
) -> Response:
    """Open the session: the viewer is officer A, officer B authenticates here."""
    ctx.check_csrf(csrf_token)
    ctx.principal.reach(Resource.CUSTODY_SESSION, Action.CREATE)
    username = officer_b_username.strip()
    if not username or not officer_b_password or not officer_b_totp.strip():
        return render_request(
            ctx,
            request_id,
            error=translate("custody.err_officer_b", ctx.lang),
            status_code=422,
            values={"officer_b_username": username[:64]},
        )
    settings = ctx.request.app.state.psvis.settings
    try:
        row = service.open_session(
            ctx.session,
            principal=ctx.principal,
            request_id=request_id,
            officer_b_username=username[:64],
            officer_b_password=officer_b_password,
            officer_b_totp=officer_b_totp.replace(" ", "").strip(),
            box=ctx.request.app.state.psvis.box,
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
            console_token_id=binding.console_token_id(ctx.request, ctx.session),
        )
    except Refused as exc:
        # Committed, not rolled back: B's failed-attempt count and a spent code must
        # outlive the refusal (psvis.custody.sessions.open_session).
        ctx.session.commit()
        return render_request(
            ctx,
            request_id,
            error=refusal_text(exc, ctx.lang),
            status_code=422,
            values={"officer_b_username": username[:64]},
        )
    return RedirectResponse(f"{PREFIX}/sessions/{row.id}", status_code=303)


def scope_links(ctx: Ctx, request: RetrievalRequest, *, open_now: bool) -> list[dict[str, Any]]:
    """Each approved camera × range, cut into China-time days, with the links that play
    back and copy exactly that piece (inward to whole seconds: never past the approval)."""
    scopes = service.scopes_of(ctx.session, request_id=request.id)
    found = {
        c.id: c
        for c in ctx.session.scalars(
            select(Camera).where(Camera.id.in_({s.camera_id for s in scopes}))
        )
    }
    view = CustodyAction.VIEW.value in request.actions
    direct = CustodyAction.DIRECT_ACCESS.value in request.actions
    copy = bool({CustodyAction.COPY.value, CustodyAction.RETRIEVE.value} & set(request.actions))
    rows = []
    for scope in scopes:
        camera = found.get(scope.camera_id)
        pieces = []
        for day, start, end in days_of(scope.start_at, scope.end_at):
            begin, finish = whole_seconds(start, end)
            if finish <= begin:
                continue
            # A piece running to midnight ends at the page's last second of its day.
            ends_day = clock_text(finish) == "00:00:00"
            video = f"/cameras/{scope.camera_id}/video?" + urlencode(
                {
                    "day": day.isoformat(),
                    "start": clock_text(begin),
                    "end": clock_text(finish, end_of_day=ends_day),
                }
            )
            query = urlencode({"start": begin.isoformat(), "end": finish.isoformat()})
            short = finish - begin <= clips.MAX_CLIP_SPAN
            # Exports are posted from the screen (psvis.console.custody_export_pages):
            # the piece's exact bounds travel as hidden fields, with their UTC offset.
            exportable = copy and open_now
            pieces.append(
                {
                    "day": day.isoformat(),
                    "from": clock_text(begin),
                    "to": clock_text(finish, end_of_day=ends_day),
                    "video": f"{video}#playback" if view and open_now else "",
                    "clip": f"{API}/cameras/{scope.camera_id}/clip.mp4?{query}"
                    if copy and open_now and short
                    else "",
                    "clip_too_long": copy and open_now and not short,
                    "export": exportable,
                    "export_from": begin.isoformat(),
                    "export_to": finish.isoformat(),
                    "viewing_copy": exportable and finish - begin <= exports.MAX_VIEWING_SPAN,
                }
            )
        now = utcnow()
        live = direct and open_now and scope.start_at <= now < scope.end_at
        rows.append(
            {
                "camera_id": scope.camera_id,
                # Direct use (Art. 18): the camera's live view, while the range holds now.
                "live": f"/cameras/{scope.camera_id}/video#live" if live else "",
                "name": camera.name if camera else f"#{scope.camera_id}",
                "gb_id": camera.gb_id if camera else "",
                "start": china(scope.start_at),
                "end": china(scope.end_at),
                "pieces": pieces,
            }
        )
    return rows


def _bound_here(ctx: Ctx, row: ExecutionSession) -> bool:
    token = binding.console_token_id(ctx.request, ctx.session)
    return token is not None and row.console_token_id == token


def export_rows(ctx: Ctx, session_id: int, *, downloadable: bool) -> list[dict[str, Any]]:
    """The session's exports for the screen (newest first), with their download link
    while an officer may still fetch them (the download passes the gate again)."""
    settings = ctx.request.app.state.psvis.settings
    return [
        {
            "created": china(e.created_at),
            "kind": translate(f"custody.export_kind.{e.kind.value}", ctx.lang),
            "camera": e.camera_id,
            "range": f"{china(e.start)} – {china(e.end)}",
            "segments": e.segments,
            "size": human_bytes(e.size_bytes),
            "size_bytes": e.size_bytes,
            "sha256": e.sha256,
            "file_name": e.file_name,
            "download": f"{PREFIX}/sessions/{session_id}/exports/{e.sha256}"
            if downloadable
            else "",
        }
        for e in exports.list_exports(session_id=session_id, data_dir=settings.data_dir)
    ]


@router.get(f"{PREFIX}/sessions/{{session_id}}")
def session_page(ctx: ConsoleCtx, session_id: ObjectId) -> HTMLResponse:
    return render_session(ctx, session_id)


def render_session(
    ctx: Ctx, session_id: int, *, error: str = "", status_code: int = 200
) -> HTMLResponse:
    """The session screen, with an error above the scope when an act on it was refused."""
    ctx.require(Resource.CUSTODY_REQUEST)
    row = service.get_session(ctx.session, principal=ctx.principal, session_id=session_id)
    request = service.get_request(ctx.session, principal=ctx.principal, request_id=row.request_id)
    approval = service.approval_of(ctx.session, request_id=request.id)
    users = names_of(
        ctx.session, [row.officer_a_id, row.officer_b_id, approval.chief_id if approval else 0]
    )
    now = utcnow()
    state = service.state_at(request, now)
    usable = row.closed_at is None and rules.within(now, request.valid_from, request.valid_until)
    bound = _bound_here(ctx, row)
    accesses = service.accesses_of(ctx.session, session_id=row.id)
    counted = Counter(a.action.value for a in accesses)
    officer = ctx.principal.user_id in (row.officer_a_id, row.officer_b_id)
    return render(
        ctx,
        "custody/session.html",
        tab="",
        status_code=status_code,
        error=error,
        run=row,
        rq=request,
        state_text=state_label(state, ctx.lang),
        officer_a=person(users.get(row.officer_a_id)),
        officer_b=person(users.get(row.officer_b_id)),
        chief=person(users.get(approval.chief_id)) if approval else "—",
        has_scan=approval is not None and approval.scan_sha256 is not None,
        opened=china(row.opened_at),
        closed=china(row.closed_at) if row.closed_at else "",
        valid_from=china(request.valid_from),
        valid_until=china(request.valid_until),
        actions=actions_text(request.actions, ctx.lang),
        scopes=scope_links(ctx, request, open_now=usable and bound and officer),
        usable=usable,
        bound=bound,
        officer=officer,
        counts={kind: counted.get(kind, 0) for kind in ("view", "copy", "export")},
        recent=[
            {
                "at": china(a.at),
                "kind": a.action.value,
                "camera": a.camera_id,
                "segment": a.segment_id,
            }
            for a in accesses[-20:]
        ],
        totp_page=TOTP_PAGE,
        exports=export_rows(ctx, row.id, downloadable=usable and officer),
    )


@router.post(f"{PREFIX}/sessions/{{session_id}}/close")
def close_session(ctx: ConsoleCtx, session_id: ObjectId, csrf_token: Field = "") -> Response:
    ctx.check_csrf(csrf_token)
    service.close_session(ctx.session, principal=ctx.principal, session_id=session_id)
    return RedirectResponse(f"{PREFIX}/sessions/{session_id}", status_code=303)
