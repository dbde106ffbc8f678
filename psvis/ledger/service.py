"""What other domains call: record facts, integrate, sign checkpoints, read proofs.

Recording a fact only queues its entry in the caller's transaction (cheap, no lock), so
a segment row and its entry commit together or not at all. The :class:`LedgerKeeper`
(one per process that records) integrates queued entries in batches and signs a
checkpoint every ``checkpoint_seconds``; each signed note is also appended to
``<data_dir>/ledger/checkpoints.log``, a copy outside the database that a database
restored from an old backup cannot take back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from psvis.core.timeutil import utcnow
from psvis.ledger import entries, tree
from psvis.ledger.checkpoints import Checkpoint, CheckpointError, Cosignature
from psvis.ledger.keys import SigningKey
from psvis.ledger.models import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerKey,
)

log = logging.getLogger("psvis.ledger")

CHECKPOINT_LOG = Path("ledger") / "checkpoints.log"


# --- recording facts ----------------------------------------------------------------------


def record(
    session: Session, entry: bytes, *, camera_id: int | None = None, seq: int | None = None
) -> LedgerEntry:
    """Queue ``entry`` (canonical bytes from ``entries``) in the caller's transaction."""
    body = entries.decode(entry)
    row = LedgerEntry(entry=entry, type=body["type"], camera_id=camera_id, seq=seq)
    session.add(row)
    return row


def record_many(session: Session, items: Sequence[tuple[bytes, int | None, int | None]]) -> int:
    """Queue many ``(entry, camera_id, seq)`` at once (one executemany): for bulk work
    such as benchmarks and imports. Each entry is checked as :func:`record` checks it."""
    now = utcnow()
    rows = [
        {
            "entry": entry,
            "type": entries.decode(entry)["type"],
            "camera_id": camera_id,
            "seq": seq,
            "recorded_at": now,
        }
        for entry, camera_id, seq in items
    ]
    if rows:
        session.connection().execute(insert(cast(Table, LedgerEntry.__table__)), rows)
    return len(rows)


def sealed_leaf(session: Session, *, camera_id: int, seq: int) -> int | None:
    """Leaf index of a segment's ``segment.sealed`` entry (None: queued or absent)."""
    return session.scalar(
        select(LedgerEntry.leaf_index).where(
            LedgerEntry.type == str(entries.EntryType.SEGMENT_SEALED),
            LedgerEntry.camera_id == camera_id,
            LedgerEntry.seq == seq,
        )
    )


# --- the log ---------------------------------------------------------------------------------


def origin_for(node_name: str) -> str:
    """A log's name: the node's, made safe for a one-line note, and a random suffix that
    tells two installations on hosts of the same name apart."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", node_name)[:64] or "node"
    return f"psvis/{safe}/{uuid.uuid4().hex[:12]}"


def ensure_log(session: Session, *, node_name: str, key: SigningKey) -> LedgerHead:
    """Create the head (empty tree) and register the signing key. Idempotent."""
    row = tree.head(session, create_origin=origin_for(node_name))
    register_key(session, key)
    return row


def register_key(session: Session, key: SigningKey) -> None:
    if session.get(LedgerKey, key.public.key_id) is None:
        session.add(LedgerKey(key_id=key.public.key_id, public_key=key.public.raw))
        session.flush()


def integrate(session: Session) -> int:
    return tree.integrate(session)


def latest(session: Session) -> LedgerCheckpoint | None:
    return session.scalars(
        select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1)
    ).first()


def sign_checkpoint(
    session: Session,
    *,
    key: SigningKey,
    data_dir: Path,
    now: dt.datetime,
    max_age: dt.timedelta = dt.timedelta(minutes=10),
) -> Checkpoint | None:
    """Integrate what is queued and sign a checkpoint when the tree grew (or the last one
    is older than ``max_age``, so a quiet log still shows it is alive). The caller commits;
    the note reaches the checkpoint log file only after that commit succeeds — call
    :func:`append_to_log` then."""
    integrate(session)
    head = tree.head(session)
    register_key(session, key)
    last = latest(session)
    if last is not None and last.tree_size == head.size and now - last.signed_at < max_age:
        return None
    checkpoint = Checkpoint(origin=head.origin, size=head.size, root=head.root, time=now)
    checkpoint = checkpoint.signed(key)
    session.add(
        LedgerCheckpoint(
            tree_size=checkpoint.size,
            root=checkpoint.root,
            signed_at=now,
            key_id=checkpoint.key_id,
            note=checkpoint.note(),
        )
    )
    session.flush()
    return checkpoint


def checkpoint_log(data_dir: Path) -> Path:
    return data_dir / CHECKPOINT_LOG


def append_to_log(data_dir: Path, checkpoint: Checkpoint) -> None:
    """Append a signed note to the checkpoint log file (O_APPEND, fsynced)."""
    path = checkpoint_log(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (checkpoint.note() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_log(data_dir: Path) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints in the log file, and the problems found reading it (a malformed or
    cut note is a problem, not a reason to stop reading)."""
    path = checkpoint_log(data_dir)
    if not path.exists():
        return [], []
    found: list[Checkpoint] = []
    problems: list[str] = []
    for number, chunk in enumerate(path.read_text("utf-8", "replace").split("\n\n"), 1):
        if not chunk.strip():
            continue
        try:
            found.append(Checkpoint.parse(chunk.strip("\n") + "\n"))
        except CheckpointError as exc:
            problems.append(f"note {number}: {exc}")
    return found, problems


def store_cosignature(
    session: Session, *, checkpoint_row: LedgerCheckpoint, cosignature: Cosignature
) -> bool:
    """Keep a verified cosignature; False when this witness already cosigned it."""
    exists = session.scalar(
        select(LedgerCosignature.id).where(
            LedgerCosignature.checkpoint_id == checkpoint_row.id,
            LedgerCosignature.witness_key_id == cosignature.witness_key_id,
        )
    )
    if exists is not None:
        return False
    session.add(
        LedgerCosignature(
            checkpoint_id=checkpoint_row.id,
            witness_key_id=cosignature.witness_key_id,
            witness_name=cosignature.witness_name,
            signature=cosignature.signature,
            cosigned_at=cosignature.time,
        )
    )
    session.flush()
    return True


class LedgerKeeper:
    """Integrates and checkpoints every ``interval`` seconds until stopped."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        data_dir: Path,
        node_name: str,
        interval: float,
    ) -> None:
        self.sessions = sessions
        self.data_dir = data_dir
        self.node_name = node_name
        self.interval = interval
        self.key = SigningKey.load_or_create(data_dir)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-keeper", daemon=True)

    def start(self) -> None:
        with self.sessions() as session:
            ensure_log(session, node_name=self.node_name, key=self.key)
            session.commit()
        self._thread.start()

    def tick(self) -> Checkpoint | None:
        # Read the key each time: after `psvis ledger rotate-key` the next checkpoint is
        # signed with the new key without restarting the process.
        self.key = SigningKey.load_or_create(self.data_dir)
        with self.sessions() as session:
            checkpoint = sign_checkpoint(
                session, key=self.key, data_dir=self.data_dir, now=utcnow()
            )
            session.commit()
        if checkpoint is not None:
            append_to_log(self.data_dir, checkpoint)
        return checkpoint

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # keep trying: the next tick integrates what is queued
                log.exception("ledger checkpoint failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        try:
            self.tick()  # what was recorded before the stop is integrated and signed
        except Exception:
            log.exception("final ledger checkpoint failed")
