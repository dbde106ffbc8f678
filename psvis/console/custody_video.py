"""What the camera page's playback panel may offer, decided by the footage gate itself.

Recorded footage is reached only through an open execution session bound to this
console sign-in (Art. 18-19; :mod:`psvis.custody.binding`). The camera page shows the
player and the copy link only when :func:`psvis.custody.gate.authorize_access` — the
very check the media routes make — would let the chosen range through, and otherwise
says why, in the reader's language. Nothing here delivers footage, so nothing is logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from psvis.auth.policy import Action
from psvis.console.context import Ctx
from psvis.console.custody_common import (
    PREFIX,
    clock_text,
    days_of,
    refusal_text,
    whole_seconds,
)
from psvis.core.errors import Forbidden
from psvis.custody import binding, gate, service


@dataclass(frozen=True, slots=True)
class ApprovedPiece:
    """One approved interval of this camera on the page's day, as a playback link."""

    start: str
    end: str
    href: str


@dataclass(frozen=True, slots=True)
class CustodyAccess:
    """The bound session (if any) and the gate's answer for the chosen range."""

    session_id: int | None = None
    request_id: int | None = None
    number: str = ""
    #: This camera's approved intervals that fall on the page's day.
    pieces: list[ApprovedPiece] = field(default_factory=list)
    #: This camera's approved intervals on other days ("day" query values).
    other_days: list[str] = field(default_factory=list)
    playback_ok: bool = False
    playback_reason: str = ""
    export_ok: bool = False
    export_reason: str = ""
    snapshot_ok: bool = False


def _allowed(
    ctx: Ctx, session_id: int, camera_id: int, action: Action, start: dt.datetime, end: dt.datetime
) -> tuple[bool, str]:
    try:
        gate.authorize_access(
            ctx.session,
            principal=ctx.principal,
            session_id=session_id,
            camera_id=camera_id,
            action=action,
            start=start,
            end=end,
        )
    except Forbidden as exc:
        return False, refusal_text(exc, ctx.lang)
    return True, ""


def custody_access(
    ctx: Ctx,
    *,
    camera_id: int,
    day: dt.date,
    chosen: tuple[dt.datetime, dt.datetime] | None,
    snapshot_at: dt.datetime | None,
) -> CustodyAccess:
    """The panel's facts for ``camera_id`` on ``day`` with the chosen range (if any)."""
    token = binding.console_token_id(ctx.request, ctx.session)
    session_id = binding.bound_session(ctx.session, token_id=token) if token else None
    if session_id is None:
        return CustodyAccess()
    run = service.get_session(ctx.session, principal=ctx.principal, session_id=session_id)
    request = service.get_request(ctx.session, principal=ctx.principal, request_id=run.request_id)
    pieces: list[ApprovedPiece] = []
    other: set[str] = set()
    page = f"/cameras/{camera_id}/video"
    for start, end in gate.approved_intervals(
        ctx.session, session_id=session_id, camera_id=camera_id
    ):
        for piece_day, piece_start, piece_end in days_of(start, end):
            begin, finish = whole_seconds(piece_start, piece_end)
            if finish <= begin:
                continue
            if piece_day != day:
                other.add(piece_day.isoformat())
                continue
            ends_day = clock_text(finish) == "00:00:00"
            last = clock_text(finish, end_of_day=ends_day)
            query = urlencode({"day": day.isoformat(), "start": clock_text(begin), "end": last})
            pieces.append(ApprovedPiece(clock_text(begin), last, f"{page}?{query}#playback"))
    playback = export = (False, "")
    snapshot = False
    if chosen is not None:
        playback = _allowed(ctx, session_id, camera_id, Action.PLAYBACK, *chosen)
        export = _allowed(ctx, session_id, camera_id, Action.EXPORT, *chosen)
        if snapshot_at is not None:
            window = (snapshot_at - dt.timedelta(seconds=1), snapshot_at)
            snapshot = _allowed(ctx, session_id, camera_id, Action.PLAYBACK, *window)[0]
    return CustodyAccess(
        session_id=session_id,
        request_id=request.id,
        number=request.number,
        pieces=pieces,
        other_days=sorted(other)[:31],
        playback_ok=playback[0],
        playback_reason=playback[1],
        export_ok=export[0],
        export_reason=export[1],
        snapshot_ok=snapshot,
    )


def new_request_link(camera_id: int) -> str:
    return f"{PREFIX}/new?camera={camera_id}"
