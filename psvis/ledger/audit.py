"""The archive audit: ledger leaf ↔ index row ↔ file, for every segment.

Three sources are compared, and the ledger is the one that cannot be changed unseen
(docs/design/ledger.md):

1. **The log against its signatures.** Every leaf is re-hashed from its entry bytes and
   the roots recomputed from scratch (no stored node is trusted) at the size of every
   signed checkpoint — in the database, in the checkpoint log file beside it, and the
   witness's last cosigned one. A mismatch, a missing leaf, or a log shorter than a
   checkpoint is ``history_rewritten``.
2. **Segments.** For each ``segment.sealed`` entry: the file (present, same size, same
   SHA-256 with ``deep``), the index row (present, same facts), and the expiry (only by a
   ``segment.expired`` entry, after the window, under no hold). Files that no entry
   accounts for are ``injected`` — or ``hidden`` when they are a missing sealed file moved
   elsewhere.
3. **Continuity.** Per camera, sequence numbers run 1, 2, 3 … and every hole in time
   between consecutive segments is covered by an outage entry.

Findings carry the evidence; :func:`file_findings` files them as compliance findings
(Art. 20(3) → Art. 26(3)).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.core.timeutil import utcnow
from psvis.ledger import entries, merkle, tree
from psvis.ledger.checkpoints import Checkpoint
from psvis.ledger.keys import PublicKey
from psvis.ledger.models import (
    LedgerAuditRun,
    LedgerCheckpoint,
    LedgerEntry,
    LedgerKey,
)
from psvis.ledger.rules import Kind, expiry_lawful
from psvis.ledger.service import read_log
from psvis.recording.models import LegalHold, Segment
from psvis.recording.recovery import WRITING_DIR
from psvis.recording.storage import IDENTITY_FILE, QUARANTINE_DIR, Root

#: Consecutive segments further apart than this must be covered by an outage.
GAP_TOLERANCE = dt.timedelta(seconds=2)
HASH_CHUNK = 1 << 20
#: Findings of one kind kept in full in a report; the rest are counted.
MAX_FINDINGS_PER_KIND = 10_000

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class AuditFinding:
    kind: Kind
    camera_id: int | None
    detail: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "camera_id": self.camera_id,
            "detail": self.detail,
            "evidence": self.evidence,
        }


@dataclass
class AuditReport:
    deep: bool
    camera_id: int | None
    since: dt.datetime | None
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    tree_size: int = 0
    queued_entries: int = 0
    checkpoints_checked: int = 0
    segments_checked: int = 0
    files_checked: int = 0
    bytes_hashed: int = 0
    witness: str = "not configured"
    findings: list[AuditFinding] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    _kept: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, finding: AuditFinding) -> None:
        kind = str(finding.kind)
        if self._kept.get(kind, 0) >= MAX_FINDINGS_PER_KIND:
            self.dropped[kind] = self.dropped.get(kind, 0) + 1
            return
        self._kept[kind] = self._kept.get(kind, 0) + 1
        self.findings.append(finding)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            out[str(finding.kind)] += 1
        for kind, extra in self.dropped.items():
            out[kind] += extra
        return dict(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "deep": self.deep,
            "camera_id": self.camera_id,
            "since": self.since.isoformat() if self.since else None,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "tree_size": self.tree_size,
            "queued_entries": self.queued_entries,
            "checkpoints_checked": self.checkpoints_checked,
            "segments_checked": self.segments_checked,
            "files_checked": self.files_checked,
            "bytes_hashed": self.bytes_hashed,
            "witness": self.witness,
            "counts": self.counts(),
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class WitnessCheckpoint:
    """The witness's last cosigned checkpoint of this log (already verified with the
    witness's key by whoever fetched it) and the alarms the witness reports."""

    checkpoint: Checkpoint
    witness: str
    alarms: tuple[str, ...] = ()


# --- small helpers ---------------------------------------------------------------------------


def hash_file(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in 1 MiB chunks into one reused buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(HASH_CHUNK)
    view = memoryview(buffer)
    size = 0
    with open(path, "rb", buffering=0) as handle:
        while got := handle.readinto(buffer):
            digest.update(view[:got])
            size += got
    return size, digest.hexdigest()


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)  # entries' stamps: fixed format, ends in Z


@dataclass(slots=True)
class _Sealed:
    leaf: int | None
    camera: int
    seq: int
    storage: int
    path: str
    start: str
    end: str
    size: int
    sha256: str


@dataclass(slots=True)
class _Expired:
    leaf: int | None
    sealed_leaf: int | None
    basis_end: str
    basis_days: int
    at: str


@dataclass
class _Facts:
    """What the log says, gathered in one pass over its entries."""

    sealed: dict[tuple[int, int], _Sealed] = field(default_factory=dict)
    expired: dict[tuple[int, int], _Expired] = field(default_factory=dict)
    outages: dict[int, dict[int, list[str | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    quarantined: set[tuple[int, str]] = field(default_factory=set)
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    #: (execution session, action, segment) of every custody ``access`` entry.
    accesses: set[tuple[int, str, int]] = field(default_factory=set)
    #: Other custody acts by record: request → (number, requester); request → decision
    #: (approved, chief, document, scan hash); session → (request, officers, registrations);
    #: export (session, sha256) pairs.
    requests: dict[int, tuple[str, int]] = field(default_factory=dict)
    decisions: dict[int, tuple[bool, int, str, str | None]] = field(default_factory=dict)
    sessions: dict[int, tuple[int, frozenset[int], frozenset[int]]] = field(default_factory=dict)
    exports: set[tuple[int, str]] = field(default_factory=set)

    def add(self, leaf: int | None, body: dict[str, Any]) -> None:
        kind = body["type"]
        if kind == entries.EntryType.SEGMENT_SEALED:
            key = (int(body["camera"]), int(body["seq"]))
            if key in self.sealed:
                self.duplicates.append(key)
                return
            self.sealed[key] = _Sealed(
                leaf,
                key[0],
                key[1],
                int(body["storage"]),
                str(body["path"]),
                str(body["start"]),
                str(body["end"]),
                int(body["size"]),
                str(body["sha256"]),
            )
        elif kind == entries.EntryType.SEGMENT_EXPIRED:
            key = (int(body["camera"]), int(body["seq"]))
            basis = body.get("basis") or {}
            self.expired[key] = _Expired(
                leaf,
                body.get("sealed_leaf"),
                str(basis.get("end", "")),
                int(basis.get("retention_days", 0)),
                str(body["at"]),
            )
        elif kind == entries.EntryType.OUTAGE_OPENED:
            self.outages[int(body["camera"])].setdefault(int(body["outage"]), [None, None])[0] = (
                str(body["start"])
            )
        elif kind == entries.EntryType.OUTAGE_CLOSED:
            self.outages[int(body["camera"])].setdefault(int(body["outage"]), [None, None])[1] = (
                str(body["end"])
            )
        elif kind == entries.EntryType.FILE_QUARANTINED:
            self.quarantined.add((int(body["storage"]), str(body["path"])))
        elif kind == entries.EntryType.CUSTODY:
            self._add_custody(body)

    def _add_custody(self, body: dict[str, Any]) -> None:
        act = body.get("act")
        if act == "access":
            for segment in body.get("segments") or ():
                self.accesses.add((int(body["session"]), str(body["action"]), int(segment)))
        elif act == "request.created":
            self.requests[int(body["request"])] = (str(body["number"]), int(body["requester"]))
        elif act in ("request.approved", "request.rejected"):
            self.decisions[int(body["request"])] = (
                act == "request.approved",
                int(body["chief"]),
                str(body.get("document", "")),
                body.get("scan_sha256"),
            )
        elif act == "session.opened":
            self.sessions[int(body["session"])] = (
                int(body["request"]),
                frozenset(int(o["user"]) for o in body.get("officers") or ()),
                frozenset(int(r) for r in body.get("registrations") or ()),
            )
        elif act == "export":
            self.exports.add((int(body["session"]), str(body["sha256"])))


# --- 1. the log against its signatures ------------------------------------------------------


def _trusted_keys(session: Session, data_dir: Path) -> dict[str, PublicKey]:
    """Public keys that may have signed this log's checkpoints: the key files of the data
    dir (current and retired) and the keys registered in the database."""
    keys: dict[str, PublicKey] = {}
    for path in [
        data_dir / "keys" / "ledger-ed25519.pub.pem",
        *sorted((data_dir / "keys" / "retired").glob("*.pub.pem")),
    ]:
        if path.exists():
            key = PublicKey.read(path)
            keys[key.key_id] = key
    for key_id, raw in session.execute(select(LedgerKey.key_id, LedgerKey.public_key)):
        keys.setdefault(key_id, PublicKey(bytes(raw)))
    return keys


def _signed_checkpoints(
    session: Session, data_dir: Path, report: AuditReport, witness: WitnessCheckpoint | None
) -> list[tuple[str, Checkpoint]]:
    """Every checkpoint to hold the log to, with where it came from; a note that does not
    verify is itself a finding (someone wrote a checkpoint without the key)."""
    keys = _trusted_keys(session, data_dir)
    out: list[tuple[str, Checkpoint]] = []
    db_notes = [str(n) for n in session.scalars(select(LedgerCheckpoint.note))]
    file_notes, problems = read_log(data_dir)
    for problem in problems:
        report.add(
            AuditFinding(
                Kind.HISTORY_REWRITTEN,
                None,
                f"checkpoint log file damaged: {problem}",
                {"source": "file"},
            )
        )
    candidates: list[tuple[str, Checkpoint]] = []
    for note in db_notes:
        try:
            candidates.append(("database", Checkpoint.parse(note)))
        except ValueError as exc:
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN, None, f"malformed checkpoint in database: {exc}", {}
                )
            )
    candidates += [("file", c) for c in file_notes]
    for source, checkpoint in candidates:
        key = keys.get(checkpoint.key_id)
        if key is None or not checkpoint.verify(key):
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN,
                    None,
                    f"checkpoint of size {checkpoint.size} ({source}) is not signed by this "
                    "log's key",
                    {"source": source, "size": checkpoint.size, "key_id": checkpoint.key_id},
                )
            )
            continue
        out.append((source, checkpoint))
    if witness is not None:
        out.append((f"witness {witness.witness}", witness.checkpoint))
    return out


def _check_log(
    session: Session,
    *,
    data_dir: Path,
    report: AuditReport,
    facts: _Facts,
    witness: WitnessCheckpoint | None,
    progress: Progress | None,
) -> dict[int, dt.datetime]:
    """Re-hash the whole log, hold it to every signed checkpoint, gather the facts.

    Returns, per checkpoint size, the earliest signed time of a checkpoint at least that
    big (used to bound when an entry was written)."""
    head = tree.head(session)
    report.tree_size = head.size
    checkpoints = _signed_checkpoints(session, data_dir, report, witness)
    report.checkpoints_checked = len(checkpoints)
    wanted: dict[int, list[tuple[str, Checkpoint]]] = defaultdict(list)
    for source, checkpoint in checkpoints:
        if checkpoint.origin != head.origin:
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN,
                    None,
                    f"checkpoint from {source} names another log ({checkpoint.origin})",
                    {"source": source, "origin": checkpoint.origin, "ours": head.origin},
                )
            )
            continue
        wanted[checkpoint.size].append((source, checkpoint))
    tracker = tree.RootTracker()

    def check_roots_at(size: int) -> None:
        for source, checkpoint in wanted.get(size, ()):
            if tracker.root() != checkpoint.root:
                report.add(
                    AuditFinding(
                        Kind.HISTORY_REWRITTEN,
                        None,
                        f"the first {size} leaves no longer hash to the root signed at "
                        f"{checkpoint.time.isoformat()} ({source})",
                        {
                            "source": source,
                            "size": size,
                            "signed_root": checkpoint.root.hex(),
                            "stored_root": tracker.root().hex(),
                        },
                    )
                )

    check_roots_at(0)
    for expected_index, (index, entry) in enumerate(tree.leaves(session)):
        if index != expected_index:
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN,
                    None,
                    f"leaves {expected_index}..{index - 1} are missing from the log",
                    {"first_missing": expected_index, "next_present": index},
                )
            )
            return _signed_times(checkpoints, head.origin)
        tracker.add(merkle.leaf_hash(entry))
        check_roots_at(tracker.size)
        try:
            facts.add(index, entries.decode(entry, canonical=False))
        except (entries.EntryError, KeyError, TypeError, ValueError) as exc:
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN,
                    None,
                    f"leaf {index} is not a well-formed entry: {exc}",
                    {"leaf": index},
                )
            )
        if progress is not None and index % 10_000 == 0:
            progress(0)
    if tracker.size != head.size or tracker.root() != head.root:
        report.add(
            AuditFinding(
                Kind.HISTORY_REWRITTEN,
                None,
                "the log's head does not match its leaves",
                {
                    "head_size": head.size,
                    "leaves": tracker.size,
                    "head_root": head.root.hex(),
                    "leaves_root": tracker.root().hex(),
                },
            )
        )
    elif head.size and tree.root_at(session, head.size) != head.root:
        report.add(
            AuditFinding(
                Kind.HISTORY_REWRITTEN,
                None,
                "stored tree nodes do not match the leaves (proofs would not verify)",
                {"size": head.size},
            )
        )
    for size, found in sorted(wanted.items()):
        if size > tracker.size:
            source, checkpoint = found[0]
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN,
                    None,
                    f"the log has {tracker.size} leaves but a checkpoint signed at "
                    f"{checkpoint.time.isoformat()} ({source}) has {size}: entries were "
                    "removed or the database was restored from an earlier copy",
                    {
                        "source": source,
                        "signed_size": size,
                        "stored_size": tracker.size,
                        "signed_at": checkpoint.time.isoformat(),
                    },
                )
            )
    # Queued entries (not yet in the tree) count as what the log says, unprotected.
    queued = session.execute(
        select(LedgerEntry.entry).where(LedgerEntry.leaf_index.is_(None)).order_by(LedgerEntry.id)
    ).scalars()
    for entry in queued:
        report.queued_entries += 1
        try:
            facts.add(None, entries.decode(bytes(entry), canonical=False))
        except (entries.EntryError, KeyError, TypeError, ValueError):
            continue
    return _signed_times(checkpoints, head.origin)


def _signed_times(checkpoints: list[tuple[str, Checkpoint]], origin: str) -> dict[int, dt.datetime]:
    return {c.size: c.time for _s, c in checkpoints if c.origin == origin}


def _first_signed_after(signed: dict[int, dt.datetime]) -> Callable[[int], dt.datetime | None]:
    """For a leaf index, the earliest time a checkpoint including it was signed."""
    sizes = sorted(signed)
    # Suffix minimum: a later (bigger) checkpoint may carry an earlier time only if a
    # clock was wrong; the earliest signature over the leaf is the bound.
    best: list[dt.datetime] = []
    current: dt.datetime | None = None
    for size in reversed(sizes):
        current = signed[size] if current is None else min(current, signed[size])
        best.append(current)
    best.reverse()

    def lookup(leaf: int) -> dt.datetime | None:
        lo, hi = 0, len(sizes)
        while lo < hi:
            mid = (lo + hi) // 2
            if sizes[mid] > leaf:
                hi = mid
            else:
                lo = mid + 1
        return best[lo] if lo < len(sizes) else None

    return lookup


# --- 2. segments: leaf ↔ row ↔ file -----------------------------------------------------------


@dataclass(slots=True)
class _Row:
    storage: int
    path: str
    start: dt.datetime
    end: dt.datetime
    size: int
    sha256: str
    expired: bool


def _rows(session: Session, camera_id: int | None) -> dict[tuple[int, int], _Row]:
    stmt = select(
        Segment.camera_id,
        Segment.seq,
        Segment.storage_id,
        Segment.rel_path,
        Segment.start_at,
        Segment.end_at,
        Segment.size_bytes,
        Segment.sha256,
        Segment.expired_at,
    )
    if camera_id is not None:
        stmt = stmt.where(Segment.camera_id == camera_id)
    out: dict[tuple[int, int], _Row] = {}
    for cam, seq, storage, path, start, end, size, sha, expired_at in session.execute(stmt):
        out[(cam, seq)] = _Row(storage, path, start, end, size, sha, expired_at is not None)
    return out


def _walk(roots: dict[int, Root], camera_id: int | None) -> dict[tuple[int, str], int]:
    """Every file in the storage roots (or the camera's directories) with its size,
    except the identity file and recorders' writing directories."""
    found: dict[tuple[int, str], int] = {}
    for root in roots.values():
        top = str(root.path)
        bases = [top]
        if camera_id is not None:
            bases = [f"{top}/{camera_id}", f"{top}/{QUARANTINE_DIR}/{camera_id}"]
        for base in bases:
            for path, size in _files(base):
                rel = path[len(top) + 1 :]
                if rel == IDENTITY_FILE or f"/{WRITING_DIR}/" in f"/{rel}":
                    continue
                found[(root.id, rel)] = size
    return found


def _files(base: str) -> Iterator[tuple[str, int]]:
    """(path, size) of every file under ``base``; symbolic links are not followed."""
    if not os.path.isdir(base):
        return
    stack = [base]
    while stack:
        directory = stack.pop()
        with os.scandir(directory) as it:
            for item in it:
                if item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
                else:
                    yield item.path, item.stat(follow_symlinks=False).st_size


def _row_disagrees(row: _Row, leaf: _Sealed) -> list[str]:
    out = []
    if row.storage != leaf.storage or row.path != leaf.path:
        out.append("place")
    if row.size != leaf.size:
        out.append("size")
    if row.sha256 != leaf.sha256:
        out.append("sha256")
    if entries.stamp(row.start) != leaf.start or entries.stamp(row.end) != leaf.end:
        out.append("times")
    return out


def _holds(
    session: Session,
) -> dict[int, list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]]:
    out: dict[int, list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for cam, start, end, released in session.execute(
        select(LegalHold.camera_id, LegalHold.start_at, LegalHold.end_at, LegalHold.released_at)
    ):
        out[cam].append((start, end, released))
    return out


def _check_segments(
    session: Session,
    *,
    roots: dict[int, Root],
    facts: _Facts,
    report: AuditReport,
    signed_by: Callable[[int], dt.datetime | None],
    deep: bool,
    camera_id: int | None,
    since: dt.datetime | None,
    rolled_back: bool,
    progress: Progress | None,
) -> None:
    rows = _rows(session, camera_id)
    on_disk = _walk(roots, camera_id)
    report.files_checked = len(on_disk)
    holds = _holds(session)
    since_stamp = entries.stamp(since) if since is not None else None
    accounted: set[tuple[int, str]] = set(facts.quarantined)
    missing: list[tuple[_Sealed, _Row | None]] = []

    for key, leaf in facts.sealed.items():
        accounted.add((leaf.storage, leaf.path))
        if camera_id is not None and leaf.camera != camera_id:
            continue
        if since_stamp is not None and leaf.end < since_stamp:
            continue
        report.segments_checked += 1
        row = rows.pop(key, None)
        expiry = facts.expired.get(key)
        evidence: dict[str, Any] = {
            "camera_id": leaf.camera,
            "seq": leaf.seq,
            "leaf": leaf.leaf,
            "path": leaf.path,
            "storage_id": leaf.storage,
            "start": leaf.start,
            "end": leaf.end,
        }
        if expiry is not None:
            _check_expiry(leaf, expiry, report, signed_by, holds.get(leaf.camera, []), evidence)
            if row is not None and not row.expired and (leaf.storage, leaf.path) not in on_disk:
                report.add(
                    AuditFinding(
                        Kind.INDEX_MISMATCH,
                        leaf.camera,
                        f"segment {leaf.seq}: expired in the ledger but live in the index",
                        evidence,
                    )
                )
            continue
        size = on_disk.get((leaf.storage, leaf.path))
        if size is None:
            missing.append((leaf, row))
            continue
        altered = size != leaf.size
        digest = None
        if not altered and deep:
            root = roots.get(leaf.storage)
            if root is not None:
                _size, digest = hash_file(root.path / leaf.path)
                report.bytes_hashed += _size
                if progress is not None:
                    progress(_size)
                altered = digest != leaf.sha256
        if altered:
            evidence.update(
                {
                    "sealed_size": leaf.size,
                    "file_size": size,
                    "sealed_sha256": leaf.sha256,
                    "file_sha256": digest,
                }
            )
            if row is not None and _row_disagrees(row, leaf):
                evidence["index_rewritten"] = _row_disagrees(row, leaf)
            report.add(
                AuditFinding(
                    Kind.ALTERED,
                    leaf.camera,
                    f"segment {leaf.seq}: the file differs from what was sealed"
                    + (
                        " (and its index row was rewritten to match)"
                        if "index_rewritten" in evidence
                        else ""
                    ),
                    evidence,
                )
            )
            continue
        if row is None:
            report.add(
                AuditFinding(
                    Kind.INDEX_MISMATCH,
                    leaf.camera,
                    f"segment {leaf.seq}: its index row was deleted (file and ledger intact)",
                    evidence,
                )
            )
        elif disagree := _row_disagrees(row, leaf):
            evidence["fields"] = disagree
            report.add(
                AuditFinding(
                    Kind.INDEX_MISMATCH,
                    leaf.camera,
                    f"segment {leaf.seq}: index row disagrees with its ledger entry "
                    f"({', '.join(disagree)})",
                    evidence,
                )
            )
        elif row.expired:
            report.add(
                AuditFinding(
                    Kind.INDEX_MISMATCH,
                    leaf.camera,
                    f"segment {leaf.seq}: marked expired in the index without an expiry entry",
                    evidence,
                )
            )

    # Index rows no entry accounts for (written behind the recorder's back).
    for (cam, seq), row in rows.items():
        if since is not None and row.end < since:
            continue
        report.add(
            AuditFinding(
                Kind.INDEX_MISMATCH,
                cam,
                f"segment {seq}: index row without a ledger entry",
                {"camera_id": cam, "seq": seq, "path": row.path, "storage_id": row.storage},
            )
        )

    unaccounted = {k: v for k, v in on_disk.items() if k not in accounted}
    # A missing sealed file found elsewhere in the storage (same size, and same hash when
    # deep) was moved — hidden, not deleted.
    by_size: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for place, size in unaccounted.items():
        by_size[size].append(place)
    for leaf, row in missing:
        moved_to = _find_moved(leaf, by_size, roots)
        evidence = {
            "camera_id": leaf.camera,
            "seq": leaf.seq,
            "leaf": leaf.leaf,
            "path": leaf.path,
            "storage_id": leaf.storage,
            "sealed_size": leaf.size,
            "sealed_sha256": leaf.sha256,
            "index_row": "present" if row is not None else "deleted",
        }
        if moved_to is not None:
            unaccounted.pop(moved_to, None)
            evidence["found_at"] = moved_to[1]
            report.add(
                AuditFinding(
                    Kind.HIDDEN,
                    leaf.camera,
                    f"segment {leaf.seq}: moved from {leaf.path} to {moved_to[1]}",
                    evidence,
                )
            )
        else:
            report.add(
                AuditFinding(
                    Kind.MISSING,
                    leaf.camera,
                    f"segment {leaf.seq}: sealed, never lawfully expired, and its file is gone",
                    evidence,
                )
            )
    if rolled_back and unaccounted:
        # Files sealed after the copy the database was restored from: the rollback
        # finding explains them.
        for finding in report.findings:
            if finding.kind is Kind.HISTORY_REWRITTEN and "signed_size" in finding.evidence:
                finding.evidence["files_unknown_to_the_restored_log"] = sorted(
                    p for _r, p in unaccounted
                )[:1000]
                break
        return
    for (storage, path), size in sorted(unaccounted.items()):
        report.add(
            AuditFinding(
                Kind.INJECTED,
                _camera_of(path),
                f"file {path} is in the storage but no ledger entry accounts for it",
                {"storage_id": storage, "path": path, "size": size},
            )
        )


def _camera_of(rel_path: str) -> int | None:
    head = rel_path.split("/", 1)[0]
    return int(head) if head.isdigit() else None


def _find_moved(
    leaf: _Sealed, by_size: dict[int, list[tuple[int, str]]], roots: dict[int, Root]
) -> tuple[int, str] | None:
    """An unaccounted file with the missing file's size and SHA-256 (only same-size
    candidates are hashed, so this costs nothing when nothing was moved)."""
    for place in by_size.get(leaf.size, []):
        root = roots.get(place[0])
        if root is None:
            continue
        _size, digest = hash_file(root.path / place[1])
        if digest == leaf.sha256:
            by_size[leaf.size].remove(place)
            return place
    return None


def _check_expiry(
    leaf: _Sealed,
    expiry: _Expired,
    report: AuditReport,
    signed_by: Callable[[int], dt.datetime | None],
    holds: list[tuple[dt.datetime, dt.datetime, dt.datetime | None]],
    evidence: dict[str, Any],
) -> None:
    try:
        basis_end = _time(expiry.basis_end)
    except ValueError:
        basis_end = dt.datetime.min.replace(tzinfo=dt.UTC)
    decision = expiry_lawful(
        sealed_start=_time(leaf.start),
        sealed_end=_time(leaf.end),
        basis_end=basis_end,
        basis_days=expiry.basis_days,
        claimed_at=_time(expiry.at),
        latest_at=signed_by(expiry.leaf) if expiry.leaf is not None else None,
        holds=holds,
    )
    if not decision.ok:
        report.add(
            AuditFinding(
                Kind.PREMATURE_EXPIRY,
                leaf.camera,
                f"segment {leaf.seq}: {decision.reason}",
                {**evidence, **decision.evidence, "expiry_leaf": expiry.leaf},
            )
        )


# --- custody: every access logged is an access recorded, and the reverse -----------------------


def _check_accesses(session: Session, facts: _Facts, report: AuditReport) -> None:
    """Each footage access row (Art. 19(4)) against the ``access`` entries of the log: a
    row deleted hides who looked at what; a row without an entry was written behind the
    gate's back. Both are ``index_mismatch``, with the table named."""
    from psvis.custody.models import AccessRecord  # the custody register

    rows = {
        (int(sid), str(action), int(segment)): int(camera)
        for sid, action, segment, camera in session.execute(
            select(
                AccessRecord.session_id,
                AccessRecord.action,
                AccessRecord.segment_id,
                AccessRecord.camera_id,
            )
        )
    }
    for key in sorted(facts.accesses - rows.keys()):
        report.add(
            AuditFinding(
                Kind.INDEX_MISMATCH,
                None,
                f"session {key[0]}: {key[1]} of segment {key[2]} is in the ledger but its "
                "access record is gone",
                {"table": "custody_access", "session": key[0], "action": key[1], "segment": key[2]},
            )
        )
    for key in sorted(rows.keys() - facts.accesses):
        report.add(
            AuditFinding(
                Kind.INDEX_MISMATCH,
                rows[key],
                f"session {key[0]}: an access record ({key[1]} of segment {key[2]}) without "
                "a ledger entry",
                {"table": "custody_access", "session": key[0], "action": key[1], "segment": key[2]},
            )
        )


def _mismatch(
    report: AuditReport, table: str, record: int | str, message: str, **evidence: Any
) -> None:
    report.add(
        AuditFinding(
            Kind.INDEX_MISMATCH, None, message, {"table": table, "record": record, **evidence}
        )
    )


def _check_custody_records(
    session: Session, facts: _Facts, report: AuditReport, data_dir: Path
) -> None:
    """The custody register against its ledger entries (Art. 19(4), 20(2)): every
    request, decision, execution session and registration row has the entry written in
    its transaction and says what the entry says; every export file on disk was logged.
    A row gone, added behind the services' back or edited afterwards (another chief, other
    officers, another document) is ``index_mismatch`` naming the table."""
    from psvis.custody.exports import EXPORT_DIR
    from psvis.custody.models import Approval, ExecutionSession, Registration, RetrievalRequest

    requests = {
        int(i): (str(n), int(r))
        for i, n, r in session.execute(
            select(RetrievalRequest.id, RetrievalRequest.number, RetrievalRequest.requester_id)
        )
    }
    for rid in sorted(facts.requests.keys() - requests.keys()):
        _mismatch(report, "custody_request", rid, f"request {rid} is in the ledger but gone")
    for rid in sorted(requests.keys() - facts.requests.keys()):
        _mismatch(report, "custody_request", rid, f"request {rid} has no ledger entry")
    for rid in sorted(requests.keys() & facts.requests.keys()):
        if requests[rid] != facts.requests[rid]:
            _mismatch(
                report,
                "custody_request",
                rid,
                f"request {rid}: number or requester differs from its ledger entry",
            )

    decisions = {
        int(r): (bool(a), int(c), str(d), s)
        for r, a, c, d, s in session.execute(
            select(
                Approval.request_id,
                Approval.approved,
                Approval.chief_id,
                Approval.document_number,
                Approval.scan_sha256,
            )
        )
    }
    for rid in sorted(facts.decisions.keys() - decisions.keys()):
        _mismatch(report, "custody_approval", rid, f"the decision on request {rid} is gone")
    for rid in sorted(decisions.keys() - facts.decisions.keys()):
        _mismatch(report, "custody_approval", rid, f"a decision on request {rid} without entry")
    for rid in sorted(decisions.keys() & facts.decisions.keys()):
        row, logged = decisions[rid], facts.decisions[rid]
        # A rejection's entry carries no document: compare what both sides hold.
        same = row[:2] == logged[:2] and (not row[0] or row[2:] == logged[2:])
        if not same:
            _mismatch(
                report,
                "custody_approval",
                rid,
                f"the decision on request {rid} differs from its ledger entry "
                "(outcome, chief, document or scan)",
            )

    sessions = {
        int(i): (int(r), frozenset((int(a), int(b))))
        for i, r, a, b in session.execute(
            select(
                ExecutionSession.id,
                ExecutionSession.request_id,
                ExecutionSession.officer_a_id,
                ExecutionSession.officer_b_id,
            )
        )
    }
    for sid in sorted(facts.sessions.keys() - sessions.keys()):
        _mismatch(report, "custody_session", sid, f"execution session {sid} is gone")
    for sid in sorted(sessions.keys() - facts.sessions.keys()):
        _mismatch(report, "custody_session", sid, f"execution session {sid} has no entry")
    for sid in sorted(sessions.keys() & facts.sessions.keys()):
        if sessions[sid] != facts.sessions[sid][:2]:
            _mismatch(
                report,
                "custody_session",
                sid,
                f"execution session {sid}: request or officers differ from its ledger entry",
            )

    logged_registrations = {
        reg: sid for sid, (_r, _o, regs) in facts.sessions.items() for reg in regs
    }
    registrations = {
        int(i): int(s) for i, s in session.execute(select(Registration.id, Registration.session_id))
    }
    for reg in sorted(logged_registrations.keys() - registrations.keys()):
        _mismatch(report, "custody_registration", reg, f"registration {reg} is gone")
    for reg in sorted(registrations.keys() - logged_registrations.keys()):
        _mismatch(report, "custody_registration", reg, f"registration {reg} has no entry")
    for reg in sorted(registrations.keys() & logged_registrations.keys()):
        if registrations[reg] != logged_registrations[reg]:
            _mismatch(
                report,
                "custody_registration",
                reg,
                f"registration {reg} moved to another session than its entry names",
            )

    # Export files: each one on disk was logged when it was made (the entry comes first).
    exports_dir = data_dir / EXPORT_DIR
    if exports_dir.is_dir():
        for path in sorted(exports_dir.glob("*/*")):
            if path.suffix not in (".zip", ".mp4") or not path.parent.name.isdigit():
                continue
            key = (int(path.parent.name), path.stem)
            if key not in facts.exports:
                _mismatch(
                    report,
                    "custody_exports",
                    str(path.relative_to(data_dir)),
                    f"export file {path.name} of session {key[0]} has no ledger entry",
                )


# --- 3. continuity ---------------------------------------------------------------------------


def _check_continuity(
    facts: _Facts, report: AuditReport, camera_id: int | None, since: dt.datetime | None
) -> None:
    by_camera: dict[int, list[_Sealed]] = defaultdict(list)
    for leaf in facts.sealed.values():
        if camera_id is None or leaf.camera == camera_id:
            by_camera[leaf.camera].append(leaf)
    for cam, leaves in by_camera.items():
        leaves.sort(key=lambda s: s.seq)
        outages = [
            (_time(start), _time(end) if end else None)
            for start, end in facts.outages.get(cam, {}).values()
            if start is not None
        ]
        previous: _Sealed | None = None
        for leaf in leaves:
            if previous is None:
                if leaf.seq != 1 and (since is None):
                    report.add(_seq_gap(cam, 0, leaf))
                previous = leaf
                continue
            if since is not None and _time(leaf.end) < since:
                previous = leaf
                continue
            if leaf.seq != previous.seq + 1:
                report.add(_seq_gap(cam, previous.seq, leaf))
            gap_start, gap_end = _time(previous.end), _time(leaf.start)
            if gap_end - gap_start > GAP_TOLERANCE and not _covered(gap_start, gap_end, outages):
                report.add(
                    AuditFinding(
                        Kind.UNEXPLAINED_GAP,
                        cam,
                        f"no recording and no outage between segments {previous.seq} and "
                        f"{leaf.seq} ({gap_start.isoformat()} – {gap_end.isoformat()})",
                        {
                            "camera_id": cam,
                            "after_seq": previous.seq,
                            "before_seq": leaf.seq,
                            "from": gap_start.isoformat(),
                            "to": gap_end.isoformat(),
                        },
                    )
                )
            previous = leaf


def _seq_gap(cam: int, before: int, leaf: _Sealed) -> AuditFinding:
    return AuditFinding(
        Kind.UNEXPLAINED_GAP,
        cam,
        f"sequence jumps from {before} to {leaf.seq}: segments were never sealed in the log",
        {"camera_id": cam, "after_seq": before, "before_seq": leaf.seq},
    )


def _covered(
    start: dt.datetime, end: dt.datetime, outages: Iterable[tuple[dt.datetime, dt.datetime | None]]
) -> bool:
    """Whether outages cover ``[start, end)`` up to the tolerance at either edge."""
    spans = sorted(
        (o_start, o_end or dt.datetime.max.replace(tzinfo=dt.UTC)) for o_start, o_end in outages
    )
    cursor = start + GAP_TOLERANCE
    limit = end - GAP_TOLERANCE
    for o_start, o_end in spans:
        if o_start > cursor:
            break
        cursor = max(cursor, o_end)
        if cursor >= limit:
            return True
    return cursor >= limit


# --- the audit -----------------------------------------------------------------------------------


def run_audit(
    session: Session,
    *,
    roots: dict[int, Root],
    data_dir: Path,
    deep: bool = False,
    camera_id: int | None = None,
    since: dt.datetime | None = None,
    witness: WitnessCheckpoint | None = None,
    progress: Progress | None = None,
) -> AuditReport:
    """Audit the archive (read-only). ``roots``: the checked storage roots by id."""
    report = AuditReport(deep=deep, camera_id=camera_id, since=since, started_at=utcnow())
    facts = _Facts()
    signed = _check_log(
        session, data_dir=data_dir, report=report, facts=facts, witness=witness, progress=progress
    )
    if witness is not None:
        report.witness = f"{witness.witness}: cosigned size {witness.checkpoint.size}"
        for alarm in witness.alarms:
            report.add(
                AuditFinding(
                    Kind.HISTORY_REWRITTEN,
                    None,
                    f"witness {witness.witness} reports: {alarm}",
                    {"witness": witness.witness},
                )
            )
    rolled_back = any(
        f.kind is Kind.HISTORY_REWRITTEN and "signed_size" in f.evidence for f in report.findings
    )
    for cam, seq in facts.duplicates:
        report.add(
            AuditFinding(
                Kind.INDEX_MISMATCH,
                cam,
                f"segment {seq} was sealed twice in the log",
                {"camera_id": cam, "seq": seq},
            )
        )
    _check_segments(
        session,
        roots=roots,
        facts=facts,
        report=report,
        signed_by=_first_signed_after(signed),
        deep=deep,
        camera_id=camera_id,
        since=since,
        rolled_back=rolled_back,
        progress=progress,
    )
    _check_continuity(facts, report, camera_id, since)
    if camera_id is None and since is None:
        _check_accesses(session, facts, report)
        _check_custody_records(session, facts, report, data_dir)
    report.finished_at = utcnow()
    return report


def save_run(session: Session, report: AuditReport) -> LedgerAuditRun:
    """Keep the report (the console shows the latest runs). Flushes."""
    run = LedgerAuditRun(
        started_at=report.started_at,
        finished_at=report.finished_at,
        deep=report.deep,
        camera_id=report.camera_id,
        since=report.since,
        segments_checked=report.segments_checked,
        findings_count=sum(report.counts().values()),
        report=report.to_json(),
    )
    session.add(run)
    session.flush()
    return run


# --- findings for the compliance register (Art. 20(3) → Art. 26(3)) ----------------------------

LEDGER_SUBJECT_ID = 1


def file_findings(session: Session, report: AuditReport, *, now: dt.datetime) -> dict[str, int]:
    """File the report's findings as compliance findings: one per (kind, camera) — or
    per kind for the log itself (subject ``ledger``) — with the first findings as
    evidence. A complete run (whole archive, no camera or time filter) also resolves
    earlier audit findings that no longer hold. Flushes, never commits. Returns counts
    of opened/updated/resolved."""
    from psvis.compliance.models import Finding  # the compliance register
    from psvis.ledger.rules import finding_decision, rule_for
    from psvis.recording.capacity import city_jurisdiction
    from psvis.registry.models import Camera, System

    groups: dict[tuple[Kind, str, int], list[AuditFinding]] = defaultdict(list)
    for finding in report.findings:
        subject = ("camera", finding.camera_id) if finding.camera_id else ("ledger", 1)
        groups[(finding.kind, subject[0], int(subject[1]))].append(finding)
    cameras = {
        cam_id: (code, unit)
        for cam_id, code, unit in session.execute(
            select(Camera.id, Camera.jurisdiction_code, System.user_unit_id)
            .join(System, Camera.system_id == System.id)
            .where(Camera.id.in_([k[2] for k in groups if k[1] == "camera"]))
        )
    }
    city = city_jurisdiction(session)
    counts = {"opened": 0, "updated": 0, "resolved": 0}
    seen: set[tuple[str, str, int]] = set()
    for (kind, subject_type, subject_id), found in groups.items():
        if subject_type == "camera" and subject_id not in cameras:
            subject_type, subject_id = "ledger", LEDGER_SUBJECT_ID  # camera row gone
        code, unit = (
            cameras.get(subject_id, (city, None))
            if subject_type == "camera"
            else (
                city,
                None,
            )
        )
        decision = finding_decision(
            kind,
            reason=f"{len(found)} × {found[0].detail}"[:500],
            evidence={
                "audit_started_at": report.started_at.isoformat(),
                "deep": report.deep,
                "count": len(found),
                "findings": [f.to_json() for f in found[:20]],
            },
        )
        key = (decision.rule, subject_type, subject_id)
        seen.add(key)
        row = session.scalar(
            select(Finding).where(
                Finding.rule == decision.rule,
                Finding.subject_type == subject_type,
                Finding.subject_id == subject_id,
            )
        )
        values: dict[str, Any] = {
            "article": decision.article,
            "article_zh": decision.article_zh,
            "penalty_article": decision.penalty_article,
            "reason": decision.reason,
            "evidence": decision.evidence,
            "jurisdiction_code": code,
            "unit_id": unit,
            "status": "open",
            "resolved_at": None,
            "last_seen": now,
        }
        if row is None:
            session.add(
                Finding(
                    rule=decision.rule,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    first_seen=now,
                    **values,
                )
            )
            counts["opened"] += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            counts["updated"] += 1
    complete = report.camera_id is None and report.since is None
    if complete:
        audit_rules = [rule_for(kind) for kind in Kind]
        for row in session.scalars(
            select(Finding).where(Finding.rule.in_(audit_rules), Finding.status == "open")
        ):
            if (row.rule, row.subject_type, row.subject_id) in seen:
                continue
            if not report.deep and row.rule == rule_for(Kind.ALTERED):
                continue  # only a deep audit can tell an altered file is whole again
            row.status = "resolved"
            row.resolved_at = now
            counts["resolved"] += 1
    session.flush()
    return counts
