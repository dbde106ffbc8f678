"""What the API, the console and other domains call: one camera's health in scope,
its diagnoses, thumbnails, uptime; roll-ups. Keyword-only; scoped by
:mod:`psvis.health.scope` (404 outside read reach, 403 inside it but outside the
action's)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.policy import Action
from psvis.auth.principal import Principal
from psvis.core.config import Settings
from psvis.core.errors import Forbidden, NotFound
from psvis.core.timeutil import utcnow
from psvis.health import liveness, scope
from psvis.health.liveness import CameraLiveness
from psvis.health.models import CameraHealth, HealthBaseline, HealthDiagnosis
from psvis.registry.models import Camera
from psvis.registry.service import page


def camera_in_scope(
    session: Session, *, principal: Principal, camera_id: int, action: Action = Action.READ
) -> Camera:
    found = session.scalar(
        select(Camera).where(Camera.id == camera_id, scope.cameras(principal, Action.READ))
    )
    if found is None:
        raise NotFound(f"camera {camera_id} not found")
    if action is not Action.READ and not session.scalar(
        select(Camera.id).where(Camera.id == camera_id, scope.cameras(principal, action))
    ):
        raise Forbidden(f"you may not {action.value} the health of camera {camera_id}")
    return found


def camera_state(
    session: Session, *, principal: Principal, camera_id: int, settings: Settings
) -> tuple[CameraLiveness, CameraHealth | None, HealthBaseline | None]:
    camera_in_scope(session, principal=principal, camera_id=camera_id)
    state = liveness.camera_states(
        session,
        visible=scope.cameras(principal),
        thresholds=liveness.Thresholds.of(settings),
        camera_ids=[camera_id],
    )[0]
    health = session.get(CameraHealth, camera_id)
    baseline = (
        session.get(HealthBaseline, health.baseline_id) if health and health.baseline_id else None
    )
    return state, health, baseline


def diagnoses(
    session: Session,
    *,
    principal: Principal,
    camera_id: int,
    faulty: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[HealthDiagnosis], int]:
    """The camera's diagnoses, newest first."""
    camera_in_scope(session, principal=principal, camera_id=camera_id)
    stmt = select(HealthDiagnosis).where(HealthDiagnosis.camera_id == camera_id)
    if faulty is not None:
        stmt = stmt.where(HealthDiagnosis.good.is_(not faulty))
    stmt = stmt.order_by(HealthDiagnosis.diagnosed_at.desc(), HealthDiagnosis.id.desc())
    return page(session, stmt, limit=limit, offset=offset)


def thumbnail(session: Session, *, principal: Principal, diagnosis_id: int) -> bytes:
    """The JPEG kept with a diagnosis (404 when none was kept or out of scope)."""
    row = session.get(HealthDiagnosis, diagnosis_id)
    if row is None:
        raise NotFound(f"diagnosis {diagnosis_id} not found")
    camera_in_scope(session, principal=principal, camera_id=row.camera_id)
    if row.thumbnail_jpeg is None:
        raise NotFound(f"diagnosis {diagnosis_id} kept no picture")
    return row.thumbnail_jpeg


def uptime(
    session: Session, *, principal: Principal, camera_id: int, day: dt.date, settings: Settings
) -> liveness.Uptime:
    camera_in_scope(session, principal=principal, camera_id=camera_id)
    return liveness.camera_uptime(
        session,
        camera_id=camera_id,
        day=day,
        now=utcnow(),
        pending_slack=liveness.Thresholds.of(settings).stale_after,
    )


def rollups(
    session: Session,
    *,
    principal: Principal,
    by: str,
    settings: Settings,
    day: dt.date | None = None,
) -> list[liveness.Rollup]:
    return liveness.rollup(
        session,
        visible=scope.cameras(principal),
        by=by,
        thresholds=liveness.Thresholds.of(settings),
        day=day,
    )


def camera_health_row(session: Session, *, camera_id: int) -> CameraHealth:
    """The camera's health row (created on first use)."""
    from psvis.health.diagnosis import camera_health

    return camera_health(session, camera_id)
