"""The invariant check: walk disk and index and assert docs/design/recording.md S2-S8.

``psvis recording verify`` runs it (exit 1 on any violation); the fault tests run it
after every fault.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import stat
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.recording.enums import SegmentState
from psvis.recording.models import Outage, QuarantinedFile, Segment
from psvis.recording.recovery import WRITING_DIR
from psvis.recording.storage import IDENTITY_FILE, QUARANTINE_DIR, Root

#: Consecutive segments further apart than this must be explained by an outage (S6).
GAP_TOLERANCE = dt.timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class Violation:
    invariant: str
    camera_id: int | None
    detail: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(
    session: Session, *, roots: list[Root], deep: bool = False, allow_writing: bool = False
) -> list[Violation]:
    """Every violation found. ``allow_writing``: recorders are running, so each camera may
    have files in its writing directory."""
    out: list[Violation] = []
    by_root = {root.id: root for root in roots}
    segments = list(session.scalars(select(Segment).order_by(Segment.camera_id, Segment.seq)))
    indexed: dict[int, set[str]] = defaultdict(set)
    for seg in segments:
        indexed[seg.storage_id].add(seg.rel_path)
        root = by_root.get(seg.storage_id)
        if root is None:
            continue
        path = root.path / seg.rel_path
        if seg.state is SegmentState.EXPIRED:
            continue  # a file still present is deleted by the next sweep (S8)
        if not path.is_file():
            out.append(
                Violation("S2", seg.camera_id, f"seq {seg.seq}: file {seg.rel_path} missing")
            )
            continue
        info = path.stat()
        if info.st_size != seg.size_bytes:
            out.append(
                Violation(
                    "S2", seg.camera_id, f"seq {seg.seq}: size {info.st_size} != {seg.size_bytes}"
                )
            )
        if info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            out.append(Violation("S1", seg.camera_id, f"seq {seg.seq}: file is writable"))
        if deep and _sha256(path) != seg.sha256:
            out.append(Violation("S2", seg.camera_id, f"seq {seg.seq}: SHA-256 mismatch"))
    quarantined = {
        (q.storage_id, q.quarantine_rel_path) for q in session.scalars(select(QuarantinedFile))
    }
    for root in roots:
        for path in sorted(root.path.rglob("*")):
            if not path.is_file():
                continue
            rel = root.relative(path)
            parts = rel.split("/")
            if rel == IDENTITY_FILE:
                continue
            if parts[0] == QUARANTINE_DIR:
                if (root.id, rel) not in quarantined:
                    out.append(Violation("S3", None, f"quarantined file without a row: {rel}"))
                continue
            if len(parts) > 1 and parts[1] == WRITING_DIR and allow_writing:
                continue
            if rel not in indexed[root.id]:
                camera = int(parts[0]) if parts[0].isdigit() else None
                out.append(Violation("S3", camera, f"file without a row: {rel}"))
    out += _sequence_and_timeline(session, segments)
    return out


def _sequence_and_timeline(session: Session, segments: list[Segment]) -> list[Violation]:
    out: list[Violation] = []
    outages: dict[int, list[Outage]] = defaultdict(list)
    for outage in session.scalars(select(Outage).order_by(Outage.start_at)):
        outages[outage.camera_id].append(outage)
    by_camera: dict[int, list[Segment]] = defaultdict(list)
    for seg in segments:
        by_camera[seg.camera_id].append(seg)
    for camera_id, rows in by_camera.items():
        for expected, seg in enumerate(rows, start=1):
            if seg.seq != expected:
                out.append(Violation("S4", camera_id, f"seq {seg.seq} where {expected} expected"))
                break
        for before, after in itertools.pairwise(rows):
            if after.start_at < before.end_at:
                out.append(Violation("S5", camera_id, f"seq {after.seq} overlaps seq {before.seq}"))
            gap_start, gap_end = before.end_at, after.start_at
            if gap_end - gap_start > GAP_TOLERANCE and not _explained(
                outages[camera_id], gap_start, gap_end
            ):
                out.append(
                    Violation(
                        "S6",
                        camera_id,
                        f"unexplained gap {gap_start.isoformat()} - {gap_end.isoformat()} "
                        f"between seq {before.seq} and {after.seq}",
                    )
                )
    return out


def _explained(outages: list[Outage], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether outages cover [start, end) up to the tolerance at both ends."""
    cursor = start
    for outage in outages:
        o_end = outage.end_at or dt.datetime.max.replace(tzinfo=dt.UTC)
        if outage.start_at <= cursor + GAP_TOLERANCE and o_end > cursor:
            cursor = max(cursor, o_end)
            if cursor + GAP_TOLERANCE >= end:
                return True
    return cursor + GAP_TOLERANCE >= end
