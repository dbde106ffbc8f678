"""A camera's day: what was recorded, what was down and why, and what is unexplained.

Decisions (docs/design/time.md):

* **The day is a China civil day** (UTC+8, ``CHINA_TZ``) by default: the console shows
  China time and the regulation counts China dates. ``tz`` may name another zone; the
  index itself is UTC.
* Intervals are **half-open** ``[start, end)``, clipped to the day and to *now*.
* ``recorded``: playable segments (sealed/recovered), merged when the hole between two
  is at most ``TOLERANCE`` (2 s, invariant S6). ``expired``: segments deleted by
  retention after their window (the rows remain; the video is gone).
* ``outages``: intervals without recording with their cause; an open outage runs to now.
* ``gaps``: time of the camera's recording period covered by neither — invariant S6 says
  there should be none; each one is a finding. Time before the camera's first segment or
  outage is not part of its recording period and is not a gap.
* ``pending``: the tail after the newest segment, shorter than the recorder's watchdog
  (``2 × segment + 10 s``): the segment being written, not a gap.

Cost: one indexed range query on ``segment`` (``ix_segment_camera_start``; the segment
overlapping the day's start is found by a ``max(start_at)`` seek on the same index), one
on ``outage`` (``ix_outage_camera_start``) and one statement of two index seeks for the
start of the recording period. bench/recording_timeline.py measures it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, String, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from psvis.core.timeutil import CHINA_TZ, utcnow
from psvis.recording.enums import OutageCause, SegmentState
from psvis.recording.models import Outage, Segment

#: Holes up to this long between consecutive segments are not gaps (invariant S6).
TOLERANCE = dt.timedelta(seconds=2)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Span:
    """``[start, end)`` in aware UTC."""

    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class OutageSpan:
    start: dt.datetime
    end: dt.datetime
    cause: OutageCause
    detail: str
    #: Still going on (``end`` is now).
    open: bool

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(slots=True)
class DayTimeline:
    camera_id: int
    day: dt.date
    tz: dt.tzinfo
    #: The day in UTC: ``[start, end)``.
    start: dt.datetime
    end: dt.datetime
    #: ``min(end, now)``: later time has not happened yet.
    until: dt.datetime
    recorded: list[Span] = field(default_factory=list)
    expired: list[Span] = field(default_factory=list)
    outages: list[OutageSpan] = field(default_factory=list)
    gaps: list[Span] = field(default_factory=list)
    pending: Span | None = None
    #: Start of the camera's recording period (first segment or outage), if any.
    period_start: dt.datetime | None = None

    @property
    def recorded_seconds(self) -> float:
        return sum(s.seconds for s in self.recorded)

    @property
    def gap_seconds(self) -> float:
        return sum(s.seconds for s in self.gaps)


def day_bounds(day: dt.date, tz: dt.tzinfo = CHINA_TZ) -> tuple[dt.datetime, dt.datetime]:
    """The civil ``day`` in ``tz`` as a UTC interval ``[start, end)``."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + DAY, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    return start, end


def _clip(span: Span, lo: dt.datetime, hi: dt.datetime) -> Span | None:
    start, end = max(span.start, lo), min(span.end, hi)
    return Span(start, end) if end > start else None


def _subtract(window: Span, covered: list[Span], tolerance: dt.timedelta) -> list[Span]:
    """Parts of ``window`` not in ``covered`` (sorted by start), longer than tolerance."""
    holes: list[Span] = []
    cursor = window.start
    for span in covered:
        if span.start > cursor:
            holes.append(Span(cursor, min(span.start, window.end)))
        cursor = max(cursor, span.end)
        if cursor >= window.end:
            break
    if cursor < window.end:
        holes.append(Span(cursor, window.end))
    return [h for h in holes if h.end - h.start > tolerance]


def segment_query(camera_id: int, start: dt.datetime, end: dt.datetime) -> Select[Any, Any, Any]:
    """(start, end, state) of the camera's segments overlapping ``[start, end)``, by start.

    One range scan on ``ix_segment_camera_start``: the lower bound is the start of the
    last segment that began at or before ``start`` (an index seek), so the segment
    straddling ``start`` is included however long it is.

    The columns come back *raw* (``type_coerce`` to String: no per-value result
    processing): text on SQLite, aware datetimes on PostgreSQL — a day is 1,440 rows and
    the generic processing was most of the cost (bench/recording_timeline.py)."""
    straddling = (
        select(func.max(Segment.start_at))
        .where(Segment.camera_id == camera_id, Segment.start_at <= start)
        .scalar_subquery()
    )
    return (
        select(
            type_coerce(Segment.start_at, String),
            type_coerce(Segment.end_at, String),
            type_coerce(Segment.state, String),
        )
        .where(
            Segment.camera_id == camera_id,
            Segment.start_at >= func.coalesce(straddling, start),
            Segment.start_at < end,
            Segment.end_at > start,
        )
        .order_by(Segment.start_at)
    )


def _stored(session: Session, value: dt.datetime) -> Any:
    """``value`` as the backend stores it: what SQLAlchemy binds for a time column (text
    in SQLite's fixed-width, sortable format; an aware datetime elsewhere)."""
    dialect = session.get_bind().dialect
    process = Segment.__table__.c.start_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


def _as_time(value: Any) -> dt.datetime:
    """A raw time column value as aware UTC (SQLite text is UTC without a zone)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def recorded_spans(
    session: Session, *, camera_id: int, start: dt.datetime, end: dt.datetime
) -> tuple[list[Span], list[Span]]:
    """(playable, expired) recording of the camera in ``[start, end)``: clipped to it,
    merged across holes up to ``TOLERANCE``.

    One pass over the raw column values, compared in their stored form: on SQLite
    fixed-width UTC text that sorts like the times it encodes (a hole is measured on naive
    parses), elsewhere datetimes. Zones are attached to the few merged spans only."""
    lo, hi = _stored(session, start), _stored(session, end)
    text = isinstance(lo, str)
    parse = dt.datetime.fromisoformat
    merged: dict[bool, list[list[Any]]] = {False: [], True: []}
    expired_value = SegmentState.EXPIRED.value
    rows = session.connection().execute(segment_query(camera_id, start, end)).fetchall()
    if rows and not text and isinstance(rows[0][0], dt.datetime):
        # Same tzinfo object as the driver's values: comparisons skip utcoffset() calls.
        zone = rows[0][0].tzinfo
        lo, hi = start.astimezone(zone), end.astimezone(zone)
    for seg_start, seg_end, state in rows:
        if seg_start < lo:
            seg_start = lo
        if seg_end > hi:
            seg_end = hi
        if seg_end <= seg_start:
            continue
        spans = merged[state == expired_value]
        if spans:
            last = spans[-1]
            previous_end = last[1]
            if text:  # naive parses: both are UTC, and a zone would cost 20× more
                touching = seg_start <= previous_end or (
                    parse(seg_start) - parse(previous_end) <= TOLERANCE
                )
            else:
                touching = seg_start - previous_end <= TOLERANCE
            if touching:
                if seg_end > previous_end:
                    last[1] = seg_end
                continue
        spans.append([seg_start, seg_end])
    playable, expired = (
        [Span(_as_time(a), _as_time(b)) for a, b in merged[flag]] for flag in (False, True)
    )
    return playable, expired


def day_timeline(
    session: Session,
    *,
    camera_id: int,
    day: dt.date,
    tz: dt.tzinfo = CHINA_TZ,
    now: dt.datetime | None = None,
    pending_slack: dt.timedelta = dt.timedelta(seconds=130),
) -> DayTimeline:
    """The timeline of ``camera_id`` on civil ``day`` in ``tz`` (China by default).

    ``pending_slack`` is the recorder's watchdog time (``2 × segment_seconds + 10 s``):
    a tail shorter than it after the newest segment is the segment being written."""
    now = now or utcnow()
    start, end = day_bounds(day, tz)
    until = max(start, min(end, now))
    timeline = DayTimeline(camera_id=camera_id, day=day, tz=tz, start=start, end=end, until=until)
    if until <= start:
        return timeline  # the whole day is in the future

    timeline.recorded, timeline.expired = recorded_spans(
        session, camera_id=camera_id, start=start, end=until
    )

    outage_stmt = (
        select(Outage.start_at, Outage.end_at, Outage.cause, Outage.detail)
        .where(
            Outage.camera_id == camera_id,
            Outage.start_at < until,
            or_(Outage.end_at.is_(None), Outage.end_at > start),
        )
        .order_by(Outage.start_at)
    )
    for o_start, o_end, cause, detail in session.execute(outage_stmt):
        clipped = _clip(Span(o_start, now if o_end is None else o_end), start, until)
        if clipped is not None:
            timeline.outages.append(
                OutageSpan(clipped.start, clipped.end, cause, detail, open=o_end is None)
            )

    first_segment = (
        select(func.min(Segment.start_at)).where(Segment.camera_id == camera_id).scalar_subquery()
    )
    first_outage = (
        select(func.min(Outage.start_at)).where(Outage.camera_id == camera_id).scalar_subquery()
    )
    firsts = session.execute(select(first_segment, first_outage)).one()
    known = [t for t in firsts if t is not None]
    if not known:
        return timeline  # never recorded: no recording period, no gaps
    period_start = min(_aware(t) for t in known)
    timeline.period_start = period_start
    window_start = max(start, period_start)
    if window_start >= until:
        return timeline

    covered = sorted(
        [*timeline.recorded, *timeline.expired, *(Span(o.start, o.end) for o in timeline.outages)],
        key=lambda s: s.start,
    )
    gaps = _subtract(Span(window_start, until), covered, TOLERANCE)
    if gaps and gaps[-1].end == now and gaps[-1].end - gaps[-1].start < pending_slack:
        last_end = max((s.end for s in covered), default=None)
        if last_end is not None and gaps[-1].start == last_end:
            timeline.pending = gaps.pop()
    timeline.gaps = gaps
    return timeline


def _aware(value: dt.datetime) -> dt.datetime:
    # Scalar subqueries bypass the column type on some backends (SQLite returns text).
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
