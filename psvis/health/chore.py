"""The health chore: one cycle diagnoses each recording camera whose newest segment is
new and whose last diagnosis is older than the cadence, opens and closes tickets, marks
overdue ones, files findings, and refreshes today's uptime rows.

Registered with :class:`psvis.core.periodic.Periodic` in the app factory. Each camera
is committed on its own: one unreadable file or a failing camera does not hold back —
or roll back — the others (and a SQLite writer is never held for a whole cycle).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import true
from sqlalchemy.orm import Session

from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.health import liveness, tickets
from psvis.health.diagnosis import camera_health, run_diagnosis
from psvis.health.enums import LivenessState
from psvis.health.models import CameraHealth

log = logging.getLogger("psvis.health")


@dataclass
class CycleSummary:
    diagnosed: int = 0
    faulty: int = 0
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def run_cycle(
    session: Session,
    *,
    settings: Settings,
    now: dt.datetime | None = None,
    force: bool = False,
) -> CycleSummary:
    """One health cycle over every monitored camera (see the module docstring).
    ``force``: diagnose every camera now, whatever its last diagnosis (tests, CLI)."""
    now = now or utcnow()
    thresholds = settings.vqd()
    cadence = dt.timedelta(seconds=settings.vqd_cadence_seconds)
    deadline = dt.timedelta(hours=settings.repair_deadline_hours)
    summary = CycleSummary()
    states = liveness.camera_states(
        session, visible=true(), thresholds=liveness.Thresholds.of(settings), now=now
    )
    monitored = [s.camera_id for s in states if s.state is not LivenessState.DISABLED]
    # Only a camera with a recorded segment has a picture to diagnose.
    recorded = [
        s.camera_id
        for s in states
        if s.state is not LivenessState.DISABLED and s.last_segment_end is not None
    ]
    for camera_id in recorded:
        try:
            known = session.get(CameraHealth, camera_id)
            due = (
                force
                or known is None
                or known.last_diagnosed_at is None
                # a little slack: a tick that fires a moment early still diagnoses
                or now - known.last_diagnosed_at >= cadence * 0.9
            )
            if not due:
                continue
            health = camera_health(session, camera_id)
            outcome = run_diagnosis(
                session,
                camera_id=camera_id,
                thresholds=thresholds,
                keyframes=settings.vqd_keyframes,
                now=now,
                force=force,
            )
            if outcome is not None:
                summary.diagnosed += 1
                summary.faulty += not outcome.diagnosis.good
                opened, closed = tickets.after_diagnosis(
                    session,
                    diagnosis=outcome.row,
                    segment=outcome.segment,
                    streaks=dict(health.streaks),
                    threshold=settings.ticket_fault_diagnoses,
                    deadline=deadline,
                    now=now,
                )
                summary.opened += [t.id for t in opened]
                summary.closed += [t.id for t in closed]
            session.commit()
        except Exception:  # one camera's trouble must not stop the others
            session.rollback()
            summary.failed.append(camera_id)
            log.exception("health: camera %s failed", camera_id)
    opened = tickets.check_outages(
        session,
        now=now,
        threshold=dt.timedelta(minutes=settings.ticket_outage_minutes),
        deadline=deadline,
        operating_camera_ids=monitored,
    )
    summary.opened += [t.id for t in opened]
    summary.overdue = [t.id for t in tickets.check_overdue(session, now=now)]
    liveness.refresh_uptime(
        session,
        camera_ids=monitored,
        day=now.astimezone(CHINA_TZ).date(),
        now=now,
        pending_slack=liveness.Thresholds.of(settings).stale_after,
    )
    session.commit()
    return summary
