"""Liveness and uptime: what each camera is doing now, how much of each day it recorded,
and both rolled up per system, unit and jurisdiction.

* **State** (:func:`psvis.health.rules.liveness_state`) comes from one statement over the
  cameras in scope: each camera's newest segment end is an index seek on
  ``ix_segment_camera_start`` (a correlated ``ORDER BY start_at DESC LIMIT 1``), its
  recorder's state a join on ``recorder_status``. ~2,000 cameras: 2,000 seeks, one round
  trip; the grouping is done over those rows.
* **Uptime** of a China civil day (docs/design/health.md): recorded time (plus the
  segment being written) over the part of the day inside the camera's recording period
  and already past, from :func:`psvis.recording.timeline.day_timeline` (recorded ∪
  outages, half-open). :func:`refresh_uptime` stores it per camera and day
  (``health_uptime_day``) so roll-ups are a ``GROUP BY`` over one row per camera.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.orm import Session

from psvis.compliance.constants import IN_FORCE_DATE
from psvis.core.config import Settings
from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.health import rules
from psvis.health.enums import DisabledReason, LivenessState
from psvis.health.models import UptimeDay
from psvis.recording.enums import RecorderState
from psvis.recording.models import RecorderStatus, Segment
from psvis.recording.timeline import day_timeline
from psvis.registry.enums import LifecycleState
from psvis.registry.models import Camera, System

#: A camera this platform does not record (no stream configured, or never recorded and
#: no recorder ever tried it): registered, but not monitored.
NOT_CONNECTED = "not_connected"
RETRYING = (RecorderState.STARTING, RecorderState.RECONNECTING, RecorderState.RECORDING)


def system_operating() -> ColumnElement[bool]:
    """The systems whose cameras must record (as the recorder service decides): in
    operation and accepted (Art. 13), or built before the regulation and filed."""
    accepted = System.state.in_((LifecycleState.ACCEPTED, LifecycleState.REMOVAL_NOTIFIED))
    legacy_filed = and_(
        System.commissioned_on < IN_FORCE_DATE,
        System.filing_date.is_not(None),
        System.state != LifecycleState.REMOVED,
    )
    return and_(System.in_operation.is_(True), or_(accepted, legacy_filed))


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The time thresholds of liveness, from the settings."""

    stale_after: dt.timedelta
    offline_after: dt.timedelta

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        # The recorder's watchdog (docs/design/recording.md): a segment is late after it.
        stale = dt.timedelta(seconds=2 * settings.segment_seconds + 10)
        return cls(
            stale_after=stale,
            offline_after=max(stale, dt.timedelta(seconds=settings.health_offline_seconds)),
        )


@dataclass(frozen=True, slots=True)
class CameraLiveness:
    camera_id: int
    name: str
    system_id: int
    user_unit_id: int
    maintainer_unit_id: int
    jurisdiction_code: str
    state: LivenessState
    reason: str
    last_segment_end: dt.datetime | None
    #: Seconds since the newest segment ended (None: never recorded).
    segment_age_s: float | None


def _aware(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # a scalar subquery bypasses the column type on SQLite
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def camera_states(
    session: Session,
    *,
    visible: ColumnElement[bool],
    thresholds: Thresholds,
    now: dt.datetime | None = None,
    camera_ids: Iterable[int] | None = None,
) -> list[CameraLiveness]:
    """The state of every camera ``visible`` selects (a WHERE clause over ``camera``)."""
    now = now or utcnow()
    newest_end = (
        select(Segment.end_at)
        .where(Segment.camera_id == Camera.id)
        .order_by(Segment.start_at.desc())
        .limit(1)
        .correlate(Camera)
        .scalar_subquery()
    )
    stmt = (
        select(
            Camera.id,
            Camera.name,
            Camera.enabled,
            Camera.stream_url != "",
            Camera.jurisdiction_code,
            Camera.system_id,
            System.user_unit_id,
            System.maintainer_unit_id,
            case((system_operating(), True), else_=False),
            RecorderStatus.state,
            newest_end,
        )
        .join(System, Camera.system_id == System.id)
        .outerjoin(RecorderStatus, RecorderStatus.camera_id == Camera.id)
        .where(visible)
        .order_by(Camera.id)
    )
    if camera_ids is not None:
        stmt = stmt.where(Camera.id.in_(list(camera_ids)))
    found = []
    for (
        cid,
        name,
        enabled,
        connected,
        code,
        sid,
        user_unit,
        mnt_unit,
        operating,
        rstate,
        end,
    ) in session.execute(stmt):
        last_end = _aware(end)
        state, reason = rules.liveness_state(
            camera_enabled=bool(enabled),
            system_operating=bool(operating),
            last_segment_end=last_end,
            recorder_retrying=rstate in RETRYING,
            now=now,
            stale_after=thresholds.stale_after,
            offline_after=thresholds.offline_after,
        )
        if (
            state is LivenessState.OFFLINE
            and last_end is None
            and (not connected or rstate is None)
        ):
            # Never recorded and no recorder ever tried (or nothing to connect to): the
            # camera is registered but not recorded by this platform — not monitored.
            state, reason = LivenessState.DISABLED, NOT_CONNECTED
        found.append(
            CameraLiveness(
                camera_id=cid,
                name=name,
                system_id=sid,
                user_unit_id=user_unit,
                maintainer_unit_id=mnt_unit,
                jurisdiction_code=code,
                state=state,
                reason=reason,
                last_segment_end=last_end,
                segment_age_s=(now - last_end).total_seconds() if last_end else None,
            )
        )
    return found


# --- uptime ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Uptime:
    camera_id: int
    day: dt.date
    recorded_ms: int
    window_ms: int
    outage_ms: int

    @property
    def percent(self) -> float | None:
        """Recorded share of the window, 0-100 (None: no recording period that day)."""
        return None if self.window_ms <= 0 else 100.0 * self.recorded_ms / self.window_ms


def _ms(delta: dt.timedelta) -> int:
    return round(delta.total_seconds() * 1000)


def camera_uptime(
    session: Session,
    *,
    camera_id: int,
    day: dt.date,
    now: dt.datetime | None = None,
    pending_slack: dt.timedelta = dt.timedelta(seconds=130),
) -> Uptime:
    """Uptime of one camera on China civil ``day``, up to ``now``.

    window = ``[max(day start, recording period start), min(day end, now))``;
    recorded = playable segments in it (holes ≤ 2 s merged, invariant S6) plus the
    segment being written (the pending tail). Outages and unexplained gaps are down time.
    """
    now = now or utcnow()
    timeline = day_timeline(
        session, camera_id=camera_id, day=day, tz=CHINA_TZ, now=now, pending_slack=pending_slack
    )
    if timeline.period_start is None or timeline.until <= timeline.start:
        return Uptime(camera_id, day, 0, 0, 0)
    window_start = max(timeline.start, timeline.period_start)
    window = max(dt.timedelta(0), timeline.until - window_start)
    recorded = sum((s.end - s.start for s in timeline.recorded), dt.timedelta(0))
    if timeline.pending is not None:
        recorded += timeline.pending.end - timeline.pending.start
    outages = sum((o.end - o.start for o in timeline.outages), dt.timedelta(0))
    window_ms = _ms(window)
    return Uptime(camera_id, day, min(_ms(recorded), window_ms), window_ms, _ms(outages))


def refresh_uptime(
    session: Session,
    *,
    camera_ids: Iterable[int],
    day: dt.date,
    now: dt.datetime | None = None,
    pending_slack: dt.timedelta = dt.timedelta(seconds=130),
) -> int:
    """Store (insert or replace) each camera's uptime of ``day``. Flushes, never commits."""
    now = now or utcnow()
    camera_ids = list(camera_ids)
    # Every timeline first (reads only), then the writes together: on SQLite the first
    # write holds the database's write lock, which recorders need to seal segments.
    uptimes = [
        camera_uptime(session, camera_id=c, day=day, now=now, pending_slack=pending_slack)
        for c in camera_ids
    ]
    existing = {
        row.camera_id: row
        for row in session.scalars(
            select(UptimeDay).where(UptimeDay.day == day, UptimeDay.camera_id.in_(camera_ids))
        )
    }
    count = 0
    for camera_id, up in zip(camera_ids, uptimes, strict=True):
        row = existing.get(camera_id)
        if row is None:
            row = UptimeDay(camera_id=camera_id, day=day)
            session.add(row)
        row.recorded_ms, row.window_ms, row.outage_ms = up.recorded_ms, up.window_ms, up.outage_ms
        row.computed_at = now
        count += 1
    session.flush()
    return count


# --- roll-ups --------------------------------------------------------------------------------


@dataclass
class Rollup:
    """Liveness and uptime of a group of cameras (a system, a unit, a jurisdiction)."""

    key: str | int
    cameras: int = 0
    states: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in LivenessState})
    recorded_ms: int = 0
    window_ms: int = 0

    @property
    def monitored(self) -> int:
        """Cameras expected to record (not disabled)."""
        return self.cameras - self.states[LivenessState.DISABLED.value]

    @property
    def online_percent(self) -> float | None:
        """Recording cameras over monitored cameras, 0-100."""
        if self.monitored <= 0:
            return None
        return 100.0 * self.states[LivenessState.RECORDING.value] / self.monitored

    @property
    def uptime_percent(self) -> float | None:
        return None if self.window_ms <= 0 else 100.0 * self.recorded_ms / self.window_ms


GROUPS = ("system", "unit", "jurisdiction", "all")


def rollup(
    session: Session,
    *,
    visible: ColumnElement[bool],
    by: str,
    thresholds: Thresholds,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[Rollup]:
    """Liveness counts and the stored uptime of ``day`` (default: today in China) per
    ``by`` (system, unit — the user unit —, jurisdiction, or all)."""
    if by not in GROUPS:
        raise ValueError(f"roll up by one of {GROUPS}, not {by!r}")
    now = now or utcnow()
    day = day or now.astimezone(CHINA_TZ).date()

    def key_of(c: CameraLiveness) -> str | int:
        if by == "system":
            return c.system_id
        if by == "unit":
            return c.user_unit_id
        return c.jurisdiction_code if by == "jurisdiction" else "all"

    groups: dict[str | int, Rollup] = {}
    keys: dict[int, str | int] = {}
    for cam in camera_states(session, visible=visible, thresholds=thresholds, now=now):
        key = key_of(cam)
        keys[cam.camera_id] = key
        group = groups.setdefault(key, Rollup(key=key))
        group.cameras += 1
        group.states[cam.state.value] += 1
    # One grouped read of the stored uptime rows of the cameras in scope.
    sums: dict[str | int, list[int]] = defaultdict(lambda: [0, 0])
    stmt = (
        select(UptimeDay.camera_id, UptimeDay.recorded_ms, UptimeDay.window_ms)
        .join(Camera, Camera.id == UptimeDay.camera_id)
        .join(System, Camera.system_id == System.id)
        .where(UptimeDay.day == day, visible)
    )
    for camera_id, recorded, window in session.execute(stmt):
        if camera_id in keys:
            sums[keys[camera_id]][0] += recorded
            sums[keys[camera_id]][1] += window
    for key, (recorded, window) in sums.items():
        groups[key].recorded_ms, groups[key].window_ms = recorded, window
    return sorted(groups.values(), key=lambda g: str(g.key))


def states_by_reason(states: Iterable[CameraLiveness]) -> dict[str, int]:
    """Disabled cameras counted by reason (for the dashboard)."""
    counts: dict[str, int] = defaultdict(int)
    for cam in states:
        if cam.state is LivenessState.DISABLED:
            counts[cam.reason] += 1
    return dict(counts)


__all__ = [
    "GROUPS",
    "NOT_CONNECTED",
    "CameraLiveness",
    "DisabledReason",
    "Rollup",
    "Thresholds",
    "Uptime",
    "camera_states",
    "camera_uptime",
    "refresh_uptime",
    "rollup",
    "system_operating",
]
