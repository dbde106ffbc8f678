"""The one gate to footage: every media route asks :func:`authorize_footage` first.

Today the gate checks the role's reach for the camera (``auth/policy.py``, resource
``footage``) and, for live viewing, that the requested time really is live. The custody
issue (Art. 18-19: recorded footage is consulted, copied and exported only on an approved
request, and every access is logged) inserts its per-request check *here*: the gate
already receives the camera, the action and the exact interval asked for.

Semantics, as for every other object: a camera outside the caller's camera READ reach
does not exist (404, the same answer as for a camera that does not exist); inside read
reach but outside the footage action's reach is 403.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.auth import scope
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.core.errors import Forbidden, InvalidInput, NotFound
from psvis.core.timeutil import utcnow
from psvis.recording.models import RecorderStatus
from psvis.registry import cameras
from psvis.registry.models import Camera

FOOTAGE_ACTIONS = (Action.LIVE, Action.PLAYBACK, Action.EXPORT)
#: Segments in a live playlist (sliding window).
LIVE_SEGMENTS = 6


def live_horizon(segment_seconds: int) -> dt.timedelta:
    """How far back "live" reaches: the live window plus the recorder's watchdog slack
    (docs/design/recording.md: a segment older than ``2 × segment + 10 s`` is a stall).
    Anything older is recorded footage and needs ``playback``."""
    return dt.timedelta(seconds=(LIVE_SEGMENTS + 2) * segment_seconds + 10)


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
) -> Camera:
    """The camera whose footage ``[start, end)`` the principal may ``action``, or raise.

    * 404 — no such camera, or outside the principal's camera READ reach;
    * 403 — the role may not ``action`` footage at all, or not of this camera;
    * 403 — ``live`` asked for footage older than ``live_horizon`` (that is playback).

    Per-request approval of recorded footage (custody issue, Art. 18-19) goes here.
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
    return camera


def may_footage(session: Session, principal: Principal, camera_id: int, action: Action) -> bool:
    """Whether the role-level gate lets ``principal`` ``action`` this camera's footage
    (for showing or hiding a control; the routes still call :func:`authorize_footage`)."""
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
