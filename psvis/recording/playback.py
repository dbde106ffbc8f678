"""HLS from the index: VOD playlists of recorded ranges, a sliding live window, and the
segment files themselves.

Nothing is transcoded or repackaged: a playlist entry is one sealed MPEG-TS segment,
served byte for byte (``GET /api/v1/segments/{id}/media``). Browsers without native HLS
(Chromium) play it through hls.js, which transmuxes TS to fragmented MP4 in the page.

* **VOD** (``playback.m3u8``): ``EXT-X-PLAYLIST-TYPE:VOD``, ``EXT-X-ENDLIST``,
  ``EXT-X-TARGETDURATION`` = ceil of the longest entry, ``EXT-X-PROGRAM-DATE-TIME`` on
  every entry (the wall time of the index) and ``EXT-X-DISCONTINUITY`` before an entry
  that does not start where the previous one ended (a hole longer than
  ``CONTIGUOUS``: an outage, a restart) or that changes codec or resolution.
* **Live** (``live.m3u8``): the newest ``LIVE_SEGMENTS`` segments that ended within the
  live horizon, no playlist type, no end tag, ``EXT-X-MEDIA-SEQUENCE`` = the first
  entry's ``seq`` (1, 2, 3 … per camera, invariant S4). It is *near*-live: a segment is
  listed once it is sealed, so the latency is one segment length (``segment_seconds``;
  the demo records short segments) plus the player's reload interval.

Timestamps: the recorder writes each segment with ``-reset_timestamps 1``, so every
file's timestamps restart; hls.js places each entry by its playlist position (checked
in the browser test). ``EXT-X-DISCONTINUITY-SEQUENCE`` is not emitted in the live window.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.core.errors import InvalidInput, NotFound, PsvisError
from psvis.core.timeutil import utcnow
from psvis.recording.access import LIVE_SEGMENTS
from psvis.recording.enums import SegmentState
from psvis.recording.models import Segment, StorageRoot
from psvis.recording.storage import StorageRefused, check_root

log = logging.getLogger("psvis.recording.playback")

PLAYABLE = (SegmentState.SEALED, SegmentState.RECOVERED)
#: Longest range one VOD playlist covers.
MAX_PLAYBACK_SPAN = dt.timedelta(hours=24)
#: Consecutive entries closer than this are contiguous (no discontinuity tag). The
#: recorder places segments of one run end to start, to the millisecond.
CONTIGUOUS = dt.timedelta(milliseconds=500)
#: Bounds on any requested time: nothing was recorded before, nothing after "soon".
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(hours=1)
MEDIA_TYPE_TS = "video/mp2t"
MEDIA_TYPE_M3U8 = "application/vnd.apple.mpegurl"


class FootageUnavailable(PsvisError):
    """The index names a file that cannot be served: missing, wrong size, outside its
    storage root, or on a refused root. An integrity problem, logged; never a path."""

    status_code = 503
    code = "footage_unavailable"


# --- request times ------------------------------------------------------------------------


def parse_time(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 instant *with* a UTC offset (``2026-01-05T10:00:00+08:00`` or ``…Z``),
    as aware UTC. Naive, malformed or implausible times are a clear 422."""
    text = raw.strip()
    example = "e.g. 2026-01-05T10:00:00+08:00"
    if not text or len(text) > 40:
        raise InvalidInput(f"{name}: an ISO 8601 time with a UTC offset is required ({example})")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{name}: {text!r} is not an ISO 8601 time ({example})") from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name}: {text!r} has no UTC offset; add one (+08:00 for China time, Z for UTC)"
        )
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError as exc:
        raise InvalidInput(f"{name}: {text!r} is out of range") from exc
    check_plausible(name, value)
    return value


def check_plausible(name: str, value: dt.datetime, *, now: dt.datetime | None = None) -> None:
    latest = (now or utcnow()) + FUTURE_SLACK
    if value < EARLIEST or value > latest:
        raise InvalidInput(
            f"{name}: {value.isoformat()} is outside the recordable period "
            f"({EARLIEST.date().isoformat()} to now)"
        )


def check_range(start: dt.datetime, end: dt.datetime, *, max_span: dt.timedelta) -> None:
    if end <= start:
        raise InvalidInput("end must be after start")
    if end - start > max_span:
        hours = max_span.total_seconds() / 3600
        raise InvalidInput(
            f"the range spans {(end - start).total_seconds() / 3600:.2f} h; "
            f"at most {hours:g} h per request"
        )


# --- index queries ------------------------------------------------------------------------


def playable_segments(
    session: Session, *, camera_id: int, start: dt.datetime, end: dt.datetime
) -> list[Segment]:
    """Playable segments of the camera overlapping ``[start, end)``, by start: one range
    scan of ``ix_segment_camera_start`` (the straddling segment found by an index seek)."""
    straddling = (
        select(func.max(Segment.start_at))
        .where(Segment.camera_id == camera_id, Segment.start_at <= start)
        .scalar_subquery()
    )
    stmt = (
        select(Segment)
        .where(
            Segment.camera_id == camera_id,
            Segment.start_at >= func.coalesce(straddling, start),
            Segment.start_at < end,
            Segment.end_at > start,
            Segment.state.in_(PLAYABLE),
        )
        .order_by(Segment.start_at)
    )
    return list(session.scalars(stmt))


def live_window(
    session: Session,
    *,
    camera_id: int,
    horizon: dt.timedelta,
    count: int = LIVE_SEGMENTS,
    now: dt.datetime | None = None,
) -> list[Segment]:
    """The newest ``count`` playable segments that ended within ``horizon``, oldest first."""
    oldest = (now or utcnow()) - horizon
    stmt = (
        select(Segment)
        .where(Segment.camera_id == camera_id, Segment.state.in_(PLAYABLE))
        .order_by(Segment.start_at.desc())
        .limit(count)
    )
    newest = [s for s in session.scalars(stmt) if s.end_at >= oldest]
    return newest[::-1]


def newest_segment(session: Session, *, camera_id: int) -> Segment | None:
    return session.scalars(
        select(Segment)
        .where(Segment.camera_id == camera_id, Segment.state.in_(PLAYABLE))
        .order_by(Segment.start_at.desc())
        .limit(1)
    ).first()


def segment_at(session: Session, *, camera_id: int, at: dt.datetime) -> Segment | None:
    """The playable segment whose interval contains ``at``."""
    found = playable_segments(
        session, camera_id=camera_id, start=at, end=at + dt.timedelta(microseconds=1)
    )
    return found[0] if found else None


# --- files --------------------------------------------------------------------------------


def segment_file(session: Session, segment: Segment) -> Path:
    """The segment's file, checked: the root's identity (S2 context), a path that stays
    inside the root (``Root.absolute``), existence and size. Anything else is refused
    with :class:`FootageUnavailable` and logged — the response names no path."""
    if segment.state not in PLAYABLE:
        raise NotFound(f"segment {segment.id} has expired (deleted after its retention)")
    row = session.get(StorageRoot, segment.storage_id)
    if row is None:
        raise FootageUnavailable(f"segment {segment.id}: its storage root is not registered")
    try:
        root = check_root(row)
    except StorageRefused as exc:
        log.error("segment %s: %s", segment.id, exc.message)
        raise FootageUnavailable(
            f"segment {segment.id}: its storage root is refused (unmounted or swapped disk)"
        ) from exc
    try:
        path = root.absolute(segment.rel_path)
    except PsvisError as exc:
        log.error("segment %s refused: %s", segment.id, exc.message)
        raise FootageUnavailable(
            f"segment {segment.id}: its stored path leaves the storage root; refused and "
            "logged (index tampered with?)"
        ) from exc
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        log.error("segment %s: file missing (%s)", segment.id, exc.__class__.__name__)
        raise FootageUnavailable(f"segment {segment.id}: its file is missing") from exc
    if size != segment.size_bytes:
        log.error("segment %s: %d bytes on disk, %d indexed", segment.id, size, segment.size_bytes)
        raise FootageUnavailable(f"segment {segment.id}: its file does not match the index")
    return path


# --- playlists ----------------------------------------------------------------------------


def _duration_s(segment: Segment) -> float:
    return segment.media_duration_ms / 1000


def is_discontinuous(previous: Segment, current: Segment) -> bool:
    """A new timeline: a hole (or clamp) between the two, or other encoding parameters."""
    hole = abs(current.start_at - previous.end_at)
    return (
        hole > CONTIGUOUS
        or previous.codec != current.codec
        or (previous.width, previous.height) != (current.width, current.height)
    )


def target_duration(segments: Sequence[Segment]) -> int:
    return max(1, math.ceil(max((_duration_s(s) for s in segments), default=1.0)))


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _entries(segments: Sequence[Segment], url_for: Callable[[Segment], str]) -> list[str]:
    lines: list[str] = []
    previous: Segment | None = None
    for segment in segments:
        if previous is not None and is_discontinuous(previous, segment):
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_stamp(segment.start_at)}")
        lines.append(f"#EXTINF:{_duration_s(segment):.3f},")
        lines.append(url_for(segment))
        previous = segment
    return lines


def vod_playlist(segments: Sequence[Segment], url_for: Callable[[Segment], str]) -> str:
    """A complete VOD playlist of ``segments`` (in start order)."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{target_duration(segments)}",
        f"#EXT-X-MEDIA-SEQUENCE:{segments[0].seq if segments else 0}",
        *_entries(segments, url_for),
        "#EXT-X-ENDLIST",
    ]
    return "\n".join(lines) + "\n"


def live_playlist(segments: Sequence[Segment], url_for: Callable[[Segment], str]) -> str:
    """A sliding-window live playlist (no type, no end tag) of ``segments``."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target_duration(segments)}",
        f"#EXT-X-MEDIA-SEQUENCE:{segments[0].seq if segments else 0}",
        *_entries(segments, url_for),
    ]
    return "\n".join(lines) + "\n"
