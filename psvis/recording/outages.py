"""Outages: every interval without recording has a row and a cause (invariant S6)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.timeutil import utcnow
from psvis.ledger import entries
from psvis.ledger import service as ledger
from psvis.recording.enums import OutageCause
from psvis.recording.models import Outage

_PATTERNS: tuple[tuple[re.Pattern[str], OutageCause], ...] = (
    (re.compile(r"No space left on device", re.I), OutageCause.STORAGE_FULL),
    (
        re.compile(r"Read-only file system|Permission denied.*\.ts|Input/output error.*\.ts", re.I),
        OutageCause.STORAGE_ERROR,
    ),
    (
        re.compile(
            r"Connection refused|Connection timed out|No route to host|Network is unreachable|"
            r"Name or service not known|Server returned 404|Server returned 5\d\d|"
            r"method DESCRIBE failed|Connection reset",
            re.I,
        ),
        OutageCause.CAMERA_UNREACHABLE,
    ),
)


#: Causes that explain a generic stream end better once a reconnection attempt fails.
REFINING_CAUSES = frozenset(
    {OutageCause.CAMERA_UNREACHABLE, OutageCause.STORAGE_FULL, OutageCause.STORAGE_ERROR}
)


def classify(lines: Iterable[str], *, killed_by_signal: bool, stalled: bool) -> OutageCause:
    """The cause of an ffmpeg run's end, from its stderr and how it ended."""
    text = "\n".join(lines)
    for pattern, cause in _PATTERNS:
        if pattern.search(text):
            return cause
    if stalled:
        return OutageCause.STREAM_ERROR
    if killed_by_signal:
        return OutageCause.RECORDER_CRASH
    return OutageCause.STREAM_ERROR


def open_outage(
    session: Session,
    *,
    camera_id: int,
    start_at: dt.datetime,
    cause: OutageCause,
    detail: str = "",
    node: str = "",
) -> Outage:
    """Open an outage unless one is already open for the camera: later failures belong to
    the same outage. Its start stays; a generic first cause (``stream_error``: the stream
    just ended) is refined when a retry learns more (e.g. ``camera_unreachable``)."""
    current = open_outage_of(session, camera_id)
    if current is not None:
        if current.cause is OutageCause.STREAM_ERROR and cause in REFINING_CAUSES:
            current.cause = cause
            current.detail = f"{current.detail} → {detail}"[:500]
            session.flush()
        return current
    outage = Outage(
        camera_id=camera_id, start_at=start_at, cause=cause, detail=detail[:500], node=node
    )
    session.add(outage)
    session.flush()
    ledger.record(
        session,
        entries.outage_opened(
            camera_id=camera_id,
            outage_id=outage.id,
            start_at=start_at,
            cause=str(cause),
            at=utcnow(),
        ),
        camera_id=camera_id,
    )
    return outage


def open_outage_of(session: Session, camera_id: int) -> Outage | None:
    return session.scalar(
        select(Outage)
        .where(Outage.camera_id == camera_id, Outage.end_at.is_(None))
        .order_by(Outage.start_at)
        .limit(1)
    )


def close_outage(session: Session, *, camera_id: int, end_at: dt.datetime) -> Outage | None:
    """Close the camera's open outage at ``end_at`` (never before its start)."""
    current = open_outage_of(session, camera_id)
    if current is None:
        return None
    current.end_at = max(end_at, current.start_at)
    session.flush()
    ledger.record(
        session,
        entries.outage_closed(
            camera_id=camera_id, outage_id=current.id, end_at=current.end_at, at=utcnow()
        ),
        camera_id=camera_id,
    )
    return current
