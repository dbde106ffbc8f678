"""The one gate to footage: every media route asks :func:`authorize_footage` first.

The gate checks the role's reach for the camera (``auth/policy.py``, resource
``footage``); for live viewing, that the requested time really is live; and for recorded
footage (playback, export), Art. 18-19: the request must name an open execution session
whose approved request covers camera × interval × action
(:func:`psvis.custody.gate.authorize_access`; the session is named by the
``X-Custody-Session`` header or the console binding, :mod:`psvis.custody.binding`). The
routes log what they deliver through :func:`log_recorded` (once per segment viewed,
every segment of every copy).

Semantics, as for every other object: a camera outside the caller's camera READ reach
does not exist (404, the same answer as for a camera that does not exist); inside read
reach but outside the footage action's reach is 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Forbidden, InvalidInput, NotFound
from psvis.core.timeutil import utcnow
from psvis.custody import gate, sharing
from psvis.custody.enums import AccessKind
from psvis.recording.models import RecorderStatus, Segment
from psvis.registry import cameras
from psvis.registry.models import Camera

FOOTAGE_ACTIONS = (Action.LIVE, Action.PLAYBACK, Action.EXPORT)
#: Recorded footage: reached only through an approved request's session (Art. 18-19).
RECORDED_ACTIONS = (Action.PLAYBACK, Action.EXPORT)
#: Segments in a live playlist (sliding window).
LIVE_SEGMENTS = 6


def live_horizon(segment_seconds: int) -> dt.timedelta:
    """How far back "live" reaches: the live window plus the recorder's watchdog slack
    (docs/design/recording.md: a segment older than ``2 × segment + 10 s`` is a stall).
    Anything older is recorded footage and needs ``playback``."""
    return dt.timedelta(seconds=(LIVE_SEGMENTS + 2) * segment_seconds + 10)


@dataclass(frozen=True, slots=True)
class Authorized:
    """What the gate let through: the camera, and the execution session the access rests
    on (recorded footage, or live direct use of a system not networked under Art. 14) —
    None for live viewing that needs no request. A route logs what it delivers when the
    session is set (:func:`log_recorded`)."""

    camera: Camera
    custody_session: int | None


def needs_direct_access(session: Session, principal: Principal, camera: Camera) -> bool:
    """Police live use of a system not networked with the police platform is direct use
    (Art. 14, 18): it needs an open session approving ``direct_access``. A unit's own duty
    operators and maintainers (Art. 17(1), 16) watch without one."""
    if not principal.role.is_police:
        return False
    return not sharing.networked_for(session, principal=principal, system_id=camera.system_id)


def authorize_footage(
    session: Session,
    principal: Principal,
    camera_id: int,
    action: Action,
    start: dt.datetime,
    end: dt.datetime,
    *,
    live_horizon: dt.timedelta | None = None,
    now: dt.datetime | None = None,
    custody_session: int | None = None,
) -> Authorized:
    """The camera whose footage ``[start, end)`` the principal may ``action``, or raise.

    * 404 — no such camera, or outside the principal's camera READ reach;
    * 403 — the role may not ``action`` footage at all, or not of this camera;
    * 403 — ``live`` asked for footage older than ``live_horizon`` (that is playback);
    * 403 — ``playback``/``export`` without an open execution session
      (``custody_session``) whose approved request covers the camera, the whole
      interval and the action (Art. 18-19);
    * 403 — police ``live`` of a system not networked under Art. 14 without an open
      session whose request approves ``direct_access`` for the camera over the interval.
    """
    if action not in FOOTAGE_ACTIONS:
        raise InvalidInput(f"{action.value} is not a footage action")
    if end <= start:
        raise InvalidInput("the end of the interval must be after its start")
    camera = cameras.get_camera(session, principal=principal, camera_id=camera_id)
    allowed = session.scalar(
        select(Camera.id).where(
            Camera.id == camera_id, scope.where(principal, Resource.FOOTAGE, action)
        )
    )
    if allowed is None:
        raise Forbidden(f"you may not {action.value} footage of camera {camera_id}")
    if action is Action.LIVE and live_horizon is not None:
        oldest = (now or utcnow()) - live_horizon
        if end <= oldest:
            raise Forbidden(
                "this footage is no longer live: recorded footage needs the playback permission"
            )
    through_session = action in RECORDED_ACTIONS or needs_direct_access(session, principal, camera)
    if not through_session:
        return Authorized(camera=camera, custody_session=None)
    gate.authorize_access(
        session,
        principal=principal,
        session_id=custody_session,
        camera_id=camera_id,
        action=action,
        start=start,
        end=end,
        now=now,
    )
    return Authorized(camera=camera, custody_session=custody_session)


def live_begin(
    session: Session,
    principal: Principal,
    camera_id: int,
    custody_session: int | None,
    *,
    now: dt.datetime,
    horizon: dt.timedelta,
) -> dt.datetime:
    """Where a live window starts: ``now - horizon``, or — for direct use through a
    session — no earlier than the start of the approved interval that holds ``now`` (the
    minutes before the approval are recorded footage the request does not cover)."""
    begin = now - horizon
    camera = cameras.get_camera(session, principal=principal, camera_id=camera_id)
    if custody_session is None or not needs_direct_access(session, principal, camera):
        return begin
    for start, end in gate.approved_intervals(
        session, session_id=custody_session, camera_id=camera_id
    ):
        if start <= now < end:
            return max(begin, start)
    return begin


def log_recorded(
    session: Session,
    principal: Principal,
    custody_session: int | None,
    kind: AccessKind,
    segments: list[Segment],
) -> None:
    """Log recorded segments a route delivers after :func:`authorize_footage` let it
    (the access rows and ledger entry of Art. 19(4), 20(2))."""
    if custody_session is None:  # unreachable: the gate refuses such footage without one
        raise Forbidden("this footage needs an execution session")
    gate.record_access(
        session,
        principal=principal,
        session_id=custody_session,
        kind=kind,
        segments=[(s.id, s.camera_id) for s in segments],
    )


def within_grant(
    session: Session, custody_session: int | None, camera_id: int, segments: list[Segment]
) -> list[Segment]:
    """The segments lying wholly inside the session's approved intervals of the camera:
    a playlist offers nothing the gate would refuse (a segment straddling the approved
    range's edge is outside it — originals are never cut)."""
    if custody_session is None:
        return []
    intervals = gate.approved_intervals(session, session_id=custody_session, camera_id=camera_id)
    return [s for s in segments if any(a <= s.start_at and s.end_at <= b for a, b in intervals)]


def may_footage(session: Session, principal: Principal, camera_id: int, action: Action) -> bool:
    """Whether the role-level gate lets ``principal`` ``action`` this camera's footage
    (for showing or hiding a control; the routes still call :func:`authorize_footage`,
    which for recorded footage also needs an execution session)."""
    if not principal.may(Resource.FOOTAGE, action):
        return False
    found = session.scalar(
        select(Camera.id).where(
            Camera.id == camera_id, scope.where(principal, Resource.FOOTAGE, action)
        )
    )
    return found is not None


def gate_not_found(segment_id: int) -> NotFound:
    """The answer for a segment that does not exist *or* whose camera is out of reach:
    the two are indistinguishable to the caller."""
    return NotFound(f"segment {segment_id} not found")


def visible_recorders(
    session: Session, *, principal: Principal, limit: int, offset: int
) -> tuple[list[tuple[RecorderStatus, Camera]], int]:
    """Recorder status rows of the cameras the principal may read, by camera id."""
    visible = scope.where(principal, Resource.CAMERA, Action.READ)
    base = select(RecorderStatus, Camera).join(Camera, Camera.id == RecorderStatus.camera_id)
    base = base.where(visible)
    total = session.scalar(
        select(func.count())
        .select_from(RecorderStatus)
        .join(Camera, Camera.id == RecorderStatus.camera_id)
        .where(visible)
    )
    rows = session.execute(base.order_by(Camera.id).limit(limit).offset(offset))
    return [(status, camera) for status, camera in rows], int(total or 0)
