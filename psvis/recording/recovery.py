"""Recovery: reconcile disk and index before anything records (invariant S3).

Every file in a camera's directory that has no row is either sealed as *recovered*
(PyAV finds a playable stream) or moved to ``.quarantine/`` with a row — nothing is
deleted. Cameras whose recording stopped without a recorded reason get an outage
``recorder_crash`` from their last segment's end (S6).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.timeutil import utcnow
from psvis.ledger import entries
from psvis.ledger import service as ledger
from psvis.recording.enums import OutageCause, SegmentState
from psvis.recording.media import UnplayableFile, probe, sync_and_hash
from psvis.recording.models import QuarantinedFile, Segment
from psvis.recording.outages import open_outage, open_outage_of
from psvis.recording.sealing import READ_ONLY, previous_end, seal_file
from psvis.recording.storage import QUARANTINE_DIR, SEGMENT_SUFFIX, Root, fsync_dir

log = logging.getLogger("psvis.recording.recovery")

WRITING_DIR = ".writing"


@dataclass
class RecoveryReport:
    recovered: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    outages_opened: list[int] = field(default_factory=list)


def writing_dir(root: Root, camera_id: int) -> Path:
    """Where ffmpeg writes: files here are in the *writing* state."""
    return root.camera_dir(camera_id) / WRITING_DIR


def unindexed_files(session: Session, root: Root, camera_id: int) -> list[Path]:
    """Files in the camera's directory (writing dir included) without a segment row."""
    base = root.camera_dir(camera_id)
    if not base.is_dir():
        return []
    known = set(
        session.scalars(
            select(Segment.rel_path).where(
                Segment.storage_id == root.id, Segment.camera_id == camera_id
            )
        )
    )
    found = []
    for path in sorted(base.rglob("*")):
        if path.is_file() and root.relative(path) not in known:
            found.append(path)
    return found


def quarantine(
    session: Session, *, root: Root, camera_id: int | None, path: Path, reason: str
) -> QuarantinedFile:
    """Move a file aside with its hash and a row; never delete it."""
    size, sha256 = sync_and_hash(path)
    target_dir = root.path / QUARANTINE_DIR / str(camera_id or "unknown")
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    target = target_dir / f"{stamp}-{path.name}"
    os.link(path, target)
    fsync_dir(target_dir)
    os.unlink(path)
    fsync_dir(path.parent)
    os.chmod(target, READ_ONLY)
    row = QuarantinedFile(
        storage_id=root.id,
        camera_id=camera_id,
        original_rel_path=root.relative(path.parent) + "/" + path.name,
        quarantine_rel_path=root.relative(target),
        size_bytes=size,
        sha256=sha256,
        reason=reason[:500],
    )
    session.add(row)
    session.flush()
    ledger.record(
        session,
        entries.file_quarantined(
            camera_id=camera_id,
            storage_id=root.id,
            original_path=row.original_rel_path,
            quarantine_path=row.quarantine_rel_path,
            size_bytes=size,
            sha256=sha256,
            reason=row.reason,
            at=row.quarantined_at,
        ),
        camera_id=camera_id,
    )
    return row


def recover_file(
    session: Session, *, root: Root, camera_id: int, path: Path, node: str, report: RecoveryReport
) -> None:
    """Seal one unindexed file as *recovered*, or quarantine it. Commits."""
    try:
        if path.suffix != SEGMENT_SUFFIX:
            raise UnplayableFile(f"{path.name}: not a segment file")
        facts = probe(path)
        # The file was last written when the recording stopped: its start is its
        # modification time minus its duration (clamped after the previous segment).
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        start = mtime - dt.timedelta(milliseconds=facts.duration_ms)
        before = previous_end(session, camera_id)
        if before is not None and start < before:
            start = before
        segment = seal_file(
            session,
            root=root,
            camera_id=camera_id,
            path=path,
            start_at=start,
            state=SegmentState.RECOVERED,
            node=node,
            facts=facts,
        )
        session.commit()
        report.recovered.append(segment.rel_path)
        log.info("recovered %s as segment seq %s", path.name, segment.seq)
    except UnplayableFile as exc:
        session.rollback()
        row = quarantine(session, root=root, camera_id=camera_id, path=path, reason=str(exc))
        session.commit()
        report.quarantined.append(row.quarantine_rel_path)
        log.warning("quarantined %s: %s", path.name, exc)


def recover_camera(
    session: Session, *, root: Root, camera_id: int, node: str, report: RecoveryReport
) -> None:
    for path in unindexed_files(session, root, camera_id):
        recover_file(session, root=root, camera_id=camera_id, path=path, node=node, report=report)


def recover(
    session: Session, *, roots: list[Root], camera_ids: list[int], node: str
) -> RecoveryReport:
    """The startup pass: every camera directory of every root, then the outages of
    cameras whose recording stopped without a recorded reason."""
    report = RecoveryReport()
    for root in roots:
        ids = set(camera_ids)
        if root.path.is_dir():
            ids |= {int(p.name) for p in root.path.iterdir() if p.is_dir() and p.name.isdigit()}
        for camera_id in sorted(ids):
            recover_camera(session, root=root, camera_id=camera_id, node=node, report=report)
    for camera_id in camera_ids:
        last = previous_end(session, camera_id)
        if last is not None and open_outage_of(session, camera_id) is None:
            outage = open_outage(
                session,
                camera_id=camera_id,
                start_at=last,
                cause=OutageCause.RECORDER_CRASH,
                detail="recorder was not running (found at startup without a recorded stop)",
                node=node,
            )
            report.outages_opened.append(outage.id)
    session.commit()
    return report
