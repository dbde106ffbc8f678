"""Capacity forecast per storage root (Art. 17(4), invariants S7 and S10).

Nothing in retention is deleted to make room, so a root that cannot hold its cameras'
windows will stop recording (outage ``storage_full``). The forecast measures, per camera
writing into the root, its bytes per second over the last 24 hours (sum of segment sizes
over their wall span), its retention and what it already keeps inside its window, and
asks :func:`psvis.recording.rules.capacity_sufficient` whether the free space above the
reserve lasts through the horizon. A failing root becomes (or keeps) an open finding
``art17_4_capacity_forecast`` on subject ``storage``/root id; a passing one resolves it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.compliance.models import Finding
from psvis.compliance.rules import Decision
from psvis.core.errors import PsvisError
from psvis.core.timeutil import CHINA_TZ
from psvis.recording import rules
from psvis.recording.models import Segment
from psvis.recording.retention import LIVE_STATES, effective_retention_sql, retention_groups
from psvis.recording.storage import Root
from psvis.registry.models import Camera, Jurisdiction, System

#: How far back the recording rate is measured.
MEASURE_WINDOW = dt.timedelta(hours=24)
SUBJECT_TYPE = "storage"


@dataclass(frozen=True, slots=True)
class Forecast:
    """One root's forecast and what happened to its finding."""

    root_id: int
    root_name: str
    decision: Decision
    free_bytes: int
    reserve_bytes: int
    #: Measured rate of all cameras writing into the root, bytes per second.
    bytes_per_second: float
    cameras: int
    #: Days until the space above the reserve is used up (None: the windows fit).
    days_until_window_lost: float | None
    window_lost_at: dt.datetime | None
    finding_id: int | None
    #: ``opened``, ``reopened``, ``updated``, ``resolved`` or ``none``.
    finding_change: str

    @property
    def ok(self) -> bool:
        return self.decision.ok


def _rates(
    session: Session, root: Root, now: dt.datetime
) -> tuple[dict[int, float], dict[int, int]]:
    """Per camera writing into ``root`` in the last 24 h: bytes/s and retention days."""
    since = now - MEASURE_WINDOW
    rates: dict[int, float] = {}
    retention: dict[int, int] = {}
    for camera_id, size, first_start, last_end, camera_days, system_days in session.execute(
        select(
            Segment.camera_id,
            func.sum(Segment.size_bytes),
            func.min(Segment.start_at),
            func.max(Segment.end_at),
            Camera.retention_days,
            System.retention_days,
        )
        .join(Camera, Segment.camera_id == Camera.id)
        .join(System, Camera.system_id == System.id)
        .where(
            # Live states and end_at: a short range of ix_segment_state_end.
            Segment.state.in_(LIVE_STATES),
            Segment.end_at > since,
            Segment.start_at >= since,
            Segment.start_at < now,
            Segment.storage_id == root.id,
        )
        .group_by(Segment.camera_id, Camera.retention_days, System.retention_days)
    ):
        # Aggregates of a UTC column: made aware whatever the backend returns.
        first = _aware(first_start)
        last = _aware(last_end)
        span = (last - first).total_seconds()
        if span <= 0 or not size:
            continue
        rates[camera_id] = int(size) / span
        retention[camera_id] = rules.retention_days_for(
            camera_days=camera_days, system_days=system_days
        )
    return rates, retention


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise PsvisError(f"unexpected time value {value!r}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _stored_in_window(session: Session, root: Root, now: dt.datetime) -> dict[int, int]:
    """Per camera: bytes of live segments in ``root`` still inside the camera's window
    (what will stay; older ones are the sweeper's or a hold's)."""
    stored: dict[int, int] = defaultdict(int)
    for retention_days, stored_values in retention_groups(session).items():
        for camera_id, size in session.execute(
            select(Segment.camera_id, func.sum(Segment.size_bytes))
            .join(Camera, Segment.camera_id == Camera.id)
            .join(System, Camera.system_id == System.id)
            .where(
                Segment.state.in_(LIVE_STATES),
                Segment.end_at > now - dt.timedelta(days=retention_days),
                Segment.storage_id == root.id,
                effective_retention_sql().in_(stored_values),
            )
            .group_by(Segment.camera_id)
        ):
            stored[camera_id] += int(size or 0)
    return dict(stored)


def city_jurisdiction(session: Session) -> str:
    code = session.scalar(select(Jurisdiction.code).where(Jurisdiction.parent_code.is_(None)))
    if code is None:
        raise PsvisError("no jurisdiction tree loaded (run `psvis init`)")
    return code


def _record(
    session: Session, *, root: Root, decision: Decision, jurisdiction: str, now: dt.datetime
) -> tuple[int | None, str]:
    """Upsert (failing) or resolve (passing) the root's finding. Flushes, never commits."""
    row = session.scalar(
        select(Finding).where(
            Finding.rule == rules.CAPACITY_RULE,
            Finding.subject_type == SUBJECT_TYPE,
            Finding.subject_id == root.id,
        )
    )
    if decision.ok:
        if row is None or row.status != "open":
            return (row.id if row else None), "none"
        row.status = "resolved"
        row.resolved_at = now
        session.flush()
        return row.id, "resolved"
    values: dict[str, Any] = {
        "article": decision.article,
        "article_zh": decision.article_zh,
        "penalty_article": decision.penalty_article,
        "reason": decision.reason[:500],
        "evidence": decision.evidence,
        "jurisdiction_code": jurisdiction,
        "unit_id": None,
    }
    if row is None:
        row = Finding(
            rule=decision.rule,
            subject_type=SUBJECT_TYPE,
            subject_id=root.id,
            status="open",
            first_seen=now,
            last_seen=now,
            **values,
        )
        session.add(row)
        session.flush()
        return row.id, "opened"
    change = "reopened" if row.status == "resolved" else "updated"
    for key, value in values.items():
        setattr(row, key, value)
    row.status = "open"
    row.resolved_at = None
    row.last_seen = now
    session.flush()
    return row.id, change


def forecast_root(
    session: Session,
    *,
    root: Root,
    now: dt.datetime,
    jurisdiction: str,
    horizon_days: float = rules.DEFAULT_HORIZON_DAYS,
    free_bytes: int | None = None,
) -> Forecast:
    rates, retention = _rates(session, root, now)
    stored = _stored_in_window(session, root, now)
    free = root.free_bytes() if free_bytes is None else free_bytes
    decision = rules.capacity_sufficient(
        free_bytes=free,
        reserve_bytes=root.reserve_bytes,
        bytes_per_second_by_camera=rates,
        retention_days_by_camera=retention,
        stored_bytes_by_camera=stored,
        horizon_days=horizon_days,
    )
    days = decision.evidence.get("days_until_window_lost")
    lost_at = None if days is None else now + dt.timedelta(days=float(days))
    evidence = {
        **decision.evidence,
        "storage_root": root.name,
        "path": str(root.path),
        "measured_over_hours": MEASURE_WINDOW.total_seconds() / 3600,
        "measured_at": now.isoformat(),
        "window_lost_at": lost_at.isoformat() if lost_at else None,
        # The regulation's calendar is China's (docs/design/time.md).
        "window_lost_on": lost_at.astimezone(CHINA_TZ).date().isoformat() if lost_at else None,
    }
    decision = Decision(
        ok=decision.ok,
        rule=decision.rule,
        article=decision.article,
        article_zh=decision.article_zh,
        reason=decision.reason,
        penalty_article=decision.penalty_article,
        evidence=evidence,
    )
    finding_id, change = _record(
        session, root=root, decision=decision, jurisdiction=jurisdiction, now=now
    )
    return Forecast(
        root_id=root.id,
        root_name=root.name,
        decision=decision,
        free_bytes=free,
        reserve_bytes=root.reserve_bytes,
        bytes_per_second=sum(rates.values()),
        cameras=len(rates),
        days_until_window_lost=None if days is None else float(days),
        window_lost_at=lost_at,
        finding_id=finding_id,
        finding_change=change,
    )


def forecast(
    session: Session,
    *,
    roots: dict[int, Root],
    now: dt.datetime,
    horizon_days: float = rules.DEFAULT_HORIZON_DAYS,
) -> list[Forecast]:
    """Forecast every root in ``roots`` and upsert/resolve its finding (flushed; the
    caller commits)."""
    if now.tzinfo is None:
        raise PsvisError("forecast needs an aware UTC time")
    jurisdiction = city_jurisdiction(session)
    return [
        forecast_root(
            session, root=root, now=now, jurisdiction=jurisdiction, horizon_days=horizon_days
        )
        for _, root in sorted(roots.items())
    ]
