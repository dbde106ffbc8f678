"""Sealing: the only way a recorded file enters the index (invariant S1).

Order, each step before the next: probe (PyAV, no decode) → fsync file → SHA-256 →
link into ``<camera>/<YYYY-MM-DD>/`` under its final name (never over an existing file)
→ fsync both directories → chmod 0444 → INSERT row with the camera's next ``seq`` and
queue its ledger entry ``segment.sealed`` (the caller commits both at once). A crash
before the commit leaves a file without a row, which the recovery pass seals as
*recovered* or quarantines.

Final names carry the start time to the millisecond and the sequence number
(``20261127T004354.120Z-000042.ts``), so two segments can never share a name: ffmpeg's
own names (second resolution) collide when segments arrive in a burst.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.errors import PsvisError
from psvis.core.timeutil import utcnow
from psvis.ledger import entries
from psvis.ledger import service as ledger
from psvis.recording.enums import SegmentState
from psvis.recording.media import FileDigest, MediaFacts, probe, sync_hash_count
from psvis.recording.models import Segment
from psvis.recording.storage import SEGMENT_SUFFIX, Root, fsync_dir, segment_start_from_name

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def previous_end(session: Session, camera_id: int) -> dt.datetime | None:
    return last_segment(session, camera_id)[1]


def last_segment(session: Session, camera_id: int) -> tuple[int, dt.datetime | None]:
    """The camera's highest ``seq`` (0 if none) and that segment's end, in one query."""
    row = session.execute(
        select(Segment.seq, Segment.end_at)
        .where(Segment.camera_id == camera_id)
        .order_by(Segment.seq.desc())
        .limit(1)
    ).first()
    return (0, None) if row is None else (row.seq, row.end_at)


def final_name(start: dt.datetime, seq: int) -> str:
    stamp = start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}.{start.microsecond // 1000:03d}Z-{seq:06d}{SEGMENT_SUFFIX}"


def place(*, root: Root, camera_id: int, path: Path, start: dt.datetime, seq: int) -> Path:
    """Move a file to its final name in its day directory without ever replacing a file
    (hard link then unlink: ``link`` fails if the target exists), then fsync both
    directories. A file already at its final place stays where it is."""
    day_dir = root.day_dir(camera_id, start.astimezone(dt.UTC).date())
    target = day_dir / final_name(start, seq)
    # Both paths are built from the root's resolved path, so an equal pair is the same
    # file; ``samefile`` (two stats, only when the target exists) covers the rest
    # without resolving every component of both paths for each seal.
    if path == target or (target.exists() and os.path.samefile(path, target)):
        fsync_dir(day_dir)
        return target
    day_dir.mkdir(parents=True, exist_ok=True)
    try:
        os.link(path, target)
    except FileExistsError as exc:
        raise PsvisError(f"refusing to overwrite {target}") from exc
    fsync_dir(day_dir)
    os.unlink(path)
    fsync_dir(path.parent)
    return target


def seal_file(
    session: Session,
    *,
    root: Root,
    camera_id: int,
    path: Path,
    start_at: dt.datetime | None = None,
    state: SegmentState = SegmentState.SEALED,
    node: str = "",
    clock_delta_ms: int = 0,
    facts: MediaFacts | None = None,
    digest: FileDigest | None = None,
    previous: tuple[int, dt.datetime | None] | None = None,
) -> Segment:
    """Seal one completed file and add its row (flushed, not committed).

    ``start_at`` defaults to the wall time in the file name. A start before the previous
    segment's end (a clock stepped back) is clamped to it, so intervals never overlap
    (S5); the clamp is added to ``clock_delta_ms``. A caller that already fsynced and
    hashed the file (the recorder, in one pass with its keyframe count) passes ``digest``;
    one that knows the camera's last ``(seq, end)`` (the recorder, which alone records the
    camera while it holds the lease) passes ``previous`` and saves a query — were it
    stale, the unique ``(camera, seq)`` refuses the row and nothing is lost (S1).
    """
    if state is SegmentState.EXPIRED:
        raise PsvisError("a file cannot be sealed as expired")
    facts = facts or probe(path)
    digest = digest or sync_hash_count(path)
    size, sha256 = digest.size, digest.sha256
    start = start_at or segment_start_from_name(path.name)
    if start is None:
        raise PsvisError(f"{path.name}: no start time given and none in the file name")
    last_seq, before = previous if previous is not None else last_segment(session, camera_id)
    if before is not None and start < before:
        clock_delta_ms += int((before - start).total_seconds() * 1000)
        start = before
    seq = last_seq + 1
    final = place(root=root, camera_id=camera_id, path=path, start=start, seq=seq)
    os.chmod(final, READ_ONLY)
    segment = Segment(
        camera_id=camera_id,
        seq=seq,
        storage_id=root.id,
        rel_path=root.relative(final),
        start_at=start,
        end_at=start + dt.timedelta(milliseconds=facts.duration_ms),
        media_duration_ms=facts.duration_ms,
        clock_delta_ms=clock_delta_ms,
        size_bytes=size,
        sha256=sha256,
        keyframes=facts.keyframes,
        codec=facts.codec,
        width=facts.width,
        height=facts.height,
        state=state,
        sealed_at=utcnow(),
        node=node,
    )
    session.add(segment)
    session.flush()
    ledger.record(
        session,
        entries.segment_sealed(
            camera_id=camera_id,
            seq=seq,
            storage_id=root.id,
            rel_path=segment.rel_path,
            start_at=segment.start_at,
            end_at=segment.end_at,
            size_bytes=size,
            sha256=sha256,
            state=str(state),
            sealed_at=segment.sealed_at,
        ),
        camera_id=camera_id,
        seq=seq,
    )
    return segment
