"""The retention sweeper: the only code that deletes recordings (invariants S7, S8).

A segment is deleted only when :func:`psvis.recording.rules.may_expire` allows it —
its camera's window (``max(30, camera or system)`` days after ``end_at``) has passed and
no unreleased legal hold overlaps it — and only in this order:

1. ``UPDATE segment SET state = 'expired', expired_at = now`` for the batch, guarded in
   SQL as well (still sealed/recovered, still no unreleased hold: a hold placed while the
   sweep runs wins), queue a ``segment.expired`` ledger entry per segment, then
   **COMMIT**;
2. make each file writable, unlink it, fsync its directory.

A crash between 1 and 2 leaves rows marked expired whose files still exist; the next
sweep first removes those (a file already gone is fine). An unlink that fails for any
other reason puts the row back to its previous state, so the segment is swept again
later and no row claims a deletion that did not happen.

Nothing else is ever deleted: not files without rows, not in-retention segments when the
disk fills (S10 stops recording instead), not files of refused storage roots.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from psvis.core.errors import PsvisError
from psvis.ledger import entries
from psvis.ledger import service as ledger
from psvis.ledger.models import LedgerEntry
from psvis.recording import rules
from psvis.recording.enums import SegmentState
from psvis.recording.models import LegalHold, Segment
from psvis.recording.storage import Root, fsync_dir
from psvis.registry.models import Camera, System

log = logging.getLogger("psvis.recording.retention")

#: Segments per transaction: rows are marked and committed, then their files unlinked.
BATCH_SIZE = 500
LIVE_STATES = (SegmentState.SEALED, SegmentState.RECOVERED)
WRITABLE = stat.S_IRUSR | stat.S_IWUSR


@dataclass(frozen=True, slots=True)
class ExpiredSegment:
    """One segment the sweep expired (or, in a dry run, would expire): the record the
    Integrity ledger turns into an entry."""

    segment_id: int
    camera_id: int
    seq: int
    storage_id: int
    rel_path: str
    sha256: str
    size_bytes: int
    start_at: dt.datetime
    end_at: dt.datetime
    #: Retention applied, days, and where it came from: ``camera``, ``system``, ``minimum``.
    retention_days: int
    retention_basis: str
    expired_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "camera_id": self.camera_id,
            "seq": self.seq,
            "storage_id": self.storage_id,
            "rel_path": self.rel_path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "start_at": self.start_at.isoformat(),
            "end_at": self.end_at.isoformat(),
            "retention_days": self.retention_days,
            "retention_basis": self.retention_basis,
            "expired_at": self.expired_at.isoformat(),
        }


@dataclass
class SweepReport:
    now: dt.datetime
    dry_run: bool
    #: Segments expired by this sweep (dry run: that would be), in sweep order.
    expired: list[ExpiredSegment] = field(default_factory=list)
    #: Files unlinked by this sweep (its own expiries and leftovers of earlier ones).
    files_deleted: int = 0
    bytes_freed: int = 0
    #: Past their window but kept: an unreleased legal hold overlaps them.
    held: int = 0
    #: Files of rows expired by an earlier, interrupted sweep, removed now (S8).
    leftovers_deleted: int = 0
    #: Dry run: such files found (not removed).
    leftovers_found: int = 0
    #: Newly expired rows whose file was already absent (an S2 breach to investigate).
    missing_files: list[str] = field(default_factory=list)
    #: Unlinks that failed; those rows were put back and will be swept again.
    errors: list[str] = field(default_factory=list)

    @property
    def expired_count(self) -> int:
        return len(self.expired)


def effective_retention_sql() -> Any:
    """``camera.retention_days`` (when set and non-zero) else the system's, in SQL."""
    return func.coalesce(func.nullif(Camera.retention_days, 0), System.retention_days)


def retention_groups(session: Session) -> dict[int, list[int]]:
    """Effective retention (≥ 30 days) → the stored values that map to it. There are few
    distinct values: the sweep runs one indexed range query per value."""
    values = session.scalars(
        select(effective_retention_sql())
        .select_from(Camera)
        .join(System, Camera.system_id == System.id)
        .distinct()
    )
    groups: dict[int, list[int]] = defaultdict(list)
    for value in values:
        groups[rules.retention_days_for(camera_days=None, system_days=value)].append(value)
    return dict(sorted(groups.items()))


def _unreleased_holds(session: Session) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    holds: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for camera_id, start_at, end_at in session.execute(
        select(LegalHold.camera_id, LegalHold.start_at, LegalHold.end_at).where(
            LegalHold.released_at.is_(None)
        )
    ):
        holds[camera_id].append((start_at, end_at))
    return holds


def _no_unreleased_hold() -> Any:
    """SQL guard: no unreleased hold of the segment's camera overlaps ``[start, end)``."""
    return ~exists().where(
        LegalHold.camera_id == Segment.camera_id,
        LegalHold.released_at.is_(None),
        LegalHold.start_at < Segment.end_at,
        Segment.start_at < LegalHold.end_at,
    )


def _remove(root: Root, rel_path: str, dirs: set[Path]) -> int | None:
    """Make the file writable and unlink it. Returns the bytes freed, or None when the
    file was already gone. Other OS errors propagate."""
    path = root.absolute(rel_path)
    try:
        size = path.stat().st_size
        os.chmod(path, WRITABLE)
        path.unlink()
    except FileNotFoundError:
        return None
    dirs.add(path.parent)
    return size


def _fsync_dirs(dirs: Iterable[Path]) -> None:
    for directory in dirs:
        try:
            fsync_dir(directory)
        except OSError as exc:  # the unlink is done; a failed fsync is reported, not fatal
            log.warning("fsync of %s failed after unlink: %s", directory, exc)


def _remove_leftovers(session: Session, *, roots: dict[int, Root], report: SweepReport) -> None:
    """S8: files of rows an interrupted sweep marked expired. A completed sweep leaves
    none behind (failed unlinks are put back), so only the latest sweep's rows — those
    with the newest ``expired_at`` in these roots — can still have a file."""
    live_roots = list(roots)
    latest = session.scalar(
        select(func.max(Segment.expired_at)).where(
            Segment.state == SegmentState.EXPIRED, Segment.storage_id.in_(live_roots)
        )
    )
    if latest is None:
        return
    rows = session.execute(
        select(Segment.storage_id, Segment.rel_path).where(
            Segment.state == SegmentState.EXPIRED,
            Segment.storage_id.in_(live_roots),
            Segment.expired_at >= latest,
        )
    ).all()
    dirs: set[Path] = set()
    for storage_id, rel_path in rows:
        root = roots[storage_id]
        try:
            if report.dry_run:
                report.leftovers_found += root.absolute(rel_path).exists()
                continue
            freed = _remove(root, rel_path, dirs)
        except (OSError, PsvisError) as exc:
            report.errors.append(f"{root.name}:{rel_path}: {exc}")
            continue
        if freed is not None:
            report.leftovers_deleted += 1
            report.files_deleted += 1
            report.bytes_freed += freed
            log.warning("removed leftover file of expired segment %s:%s", root.name, rel_path)
    _fsync_dirs(dirs)


def _candidates(
    session: Session,
    *,
    state: SegmentState,
    storage_ids: list[int],
    retention_days: int,
    stored_values: list[int],
    now: dt.datetime,
    after: tuple[dt.datetime, int] | None,
    limit: int,
) -> Sequence[Any]:
    """Segments in ``state`` of cameras with this retention whose window has passed, in
    ``(end_at, id)`` order after ``after``: one range of index ``ix_segment_state_end``,
    read in index order (one state per query, so no sort)."""
    stmt = (
        select(
            Segment.id,
            Segment.camera_id,
            Segment.seq,
            Segment.storage_id,
            Segment.rel_path,
            Segment.sha256,
            Segment.size_bytes,
            Segment.start_at,
            Segment.end_at,
            Segment.state,
            Camera.retention_days.label("camera_days"),
            System.retention_days.label("system_days"),
        )
        .join(Camera, Segment.camera_id == Camera.id)
        .join(System, Camera.system_id == System.id)
        .where(
            Segment.state == state,
            Segment.end_at <= now - dt.timedelta(days=retention_days),
            Segment.storage_id.in_(storage_ids),
            effective_retention_sql().in_(stored_values),
        )
        .order_by(Segment.end_at, Segment.id)
        .limit(limit)
    )
    if after is not None:
        end_at, seg_id = after
        stmt = stmt.where(
            or_(Segment.end_at > end_at, and_(Segment.end_at == end_at, Segment.id > seg_id))
        )
    return session.execute(stmt).all()


def _expire_batch(
    session: Session,
    *,
    batch: list[ExpiredSegment],
    previous_state: dict[int, SegmentState],
    roots: dict[int, Root],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Mark, commit, then unlink (S8). Rows the SQL guard keeps are left alone."""
    ids = [r.segment_id for r in batch]
    marked = set(
        session.execute(
            update(Segment)
            .where(Segment.id.in_(ids), Segment.state.in_(LIVE_STATES), _no_unreleased_hold())
            .values(state=SegmentState.EXPIRED, expired_at=now)
            .returning(Segment.id),
            execution_options={"synchronize_session": False},
        ).scalars()
    )
    _record_expiries(session, [r for r in batch if r.segment_id in marked])
    session.commit()
    dirs: set[Path] = set()
    put_back: list[int] = []
    for record in batch:
        if record.segment_id not in marked:
            report.held += 1  # a hold placed (or another sweeper) since the select
            continue
        root = roots[record.storage_id]
        try:
            freed = _remove(root, record.rel_path, dirs)
        except (OSError, PsvisError) as exc:
            report.errors.append(f"{root.name}:{record.rel_path}: {exc}")
            put_back.append(record.segment_id)
            continue
        report.expired.append(record)
        if freed is None:
            report.missing_files.append(f"{root.name}:{record.rel_path}")
            log.error(
                "segment %s of camera %s expired but its file %s was already missing",
                record.seq,
                record.camera_id,
                record.rel_path,
            )
        else:
            report.files_deleted += 1
            report.bytes_freed += freed
    _fsync_dirs(dirs)
    for seg_id in put_back:
        session.execute(
            update(Segment)
            .where(Segment.id == seg_id, Segment.state == SegmentState.EXPIRED)
            .values(state=previous_state[seg_id], expired_at=None),
            execution_options={"synchronize_session": False},
        )
    if put_back:
        session.commit()


def _record_expiries(session: Session, expired: list[ExpiredSegment]) -> None:
    """Queue a ``segment.expired`` entry per expired segment, naming its sealed leaf and
    the retention basis, in the transaction that marks the rows (docs/design/ledger.md)."""
    if not expired:
        return
    rows = session.execute(
        select(LedgerEntry.camera_id, LedgerEntry.seq, LedgerEntry.leaf_index).where(
            LedgerEntry.type == str(entries.EntryType.SEGMENT_SEALED),
            tuple_(LedgerEntry.camera_id, LedgerEntry.seq).in_(
                [(r.camera_id, r.seq) for r in expired]
            ),
        )
    ).all()
    leaves = {(row.camera_id, row.seq): row.leaf_index for row in rows}
    for record in expired:
        ledger.record(
            session,
            entries.segment_expired(
                camera_id=record.camera_id,
                seq=record.seq,
                sealed_leaf=leaves.get((record.camera_id, record.seq)),
                retention_days=record.retention_days,
                end_at=record.end_at,
                expired_at=record.expired_at,
            ),
            camera_id=record.camera_id,
            seq=record.seq,
        )


def sweep(
    session: Session,
    *,
    roots: dict[int, Root],
    now: dt.datetime,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> SweepReport:
    """Expire and delete every segment in ``roots`` (checked storage roots, by id) whose
    retention has passed and which no unreleased legal hold covers.

    Commits ``session`` once per batch (the commit must precede the unlink). A dry run
    reads only: it reports what would be expired and deletes nothing."""
    if now.tzinfo is None:
        raise PsvisError("sweep needs an aware UTC time")
    report = SweepReport(now=now, dry_run=dry_run)
    if not roots:
        return report
    storage_ids = list(roots)
    _remove_leftovers(session, roots=roots, report=report)
    holds = _unreleased_holds(session)
    groups = retention_groups(session)
    for (retention_days, stored_values), state in itertools.product(groups.items(), LIVE_STATES):
        after: tuple[dt.datetime, int] | None = None
        while True:
            rows = _candidates(
                session,
                state=state,
                storage_ids=storage_ids,
                retention_days=retention_days,
                stored_values=stored_values,
                now=now,
                after=after,
                limit=batch_size,
            )
            if not rows:
                break
            after = (rows[-1].end_at, rows[-1].id)
            batch: list[ExpiredSegment] = []
            previous_state: dict[int, SegmentState] = {}
            for row in rows:
                days = rules.retention_days_for(
                    camera_days=row.camera_days, system_days=row.system_days
                )
                decision = rules.may_expire(
                    start_at=row.start_at,
                    end_at=row.end_at,
                    retention_days=days,
                    now=now,
                    holds=holds.get(row.camera_id, ()),
                )
                if not decision.ok:
                    report.held += 1
                    continue
                previous_state[row.id] = row.state
                batch.append(
                    ExpiredSegment(
                        segment_id=row.id,
                        camera_id=row.camera_id,
                        seq=row.seq,
                        storage_id=row.storage_id,
                        rel_path=row.rel_path,
                        sha256=row.sha256,
                        size_bytes=row.size_bytes,
                        start_at=row.start_at,
                        end_at=row.end_at,
                        retention_days=days,
                        retention_basis=rules.retention_basis(
                            camera_days=row.camera_days, system_days=row.system_days
                        ),
                        expired_at=now,
                    )
                )
            if not batch:
                continue
            if dry_run:
                report.expired.extend(batch)
                continue
            _expire_batch(
                session,
                batch=batch,
                previous_state=previous_state,
                roots=roots,
                now=now,
                report=report,
            )
    log.info(
        "retention sweep%s: %d expired, %d files deleted, %d bytes freed, %d held, %d errors",
        " (dry run)" if dry_run else "",
        report.expired_count,
        report.files_deleted,
        report.bytes_freed,
        report.held,
        len(report.errors),
    )
    return report
