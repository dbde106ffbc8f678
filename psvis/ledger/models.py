"""Ledger tables: entries (queued, then leaves), perfect-subtree hashes, the head,
signing keys, signed checkpoints, witness cosignatures, and a witness's own log.

Nothing here has a foreign key into other domains: the ledger must stay readable when
the rows it speaks about are gone (that is what it is for).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime


class LedgerEntry(Base):
    """One entry. ``leaf_index`` NULL: queued (written in the same transaction as the
    fact it records); set when integrated into the tree, in batches."""

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leaf_index: Mapped[int | None] = mapped_column(BigInteger, unique=True, default=None)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    type: Mapped[str] = mapped_column(String(32))
    #: Copies of fields inside ``entry`` for lookups; the entry bytes are authoritative.
    camera_id: Mapped[int | None] = mapped_column(Integer, default=None)
    seq: Mapped[int | None] = mapped_column(Integer, default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("leaf_index IS NULL OR leaf_index >= 0", name="leaf_index_non_negative"),
        Index("ix_ledger_entry_type_camera_seq", "type", "camera_id", "seq"),
        Index("ix_ledger_entry_queued", "leaf_index", "id"),
    )


class LedgerNode(Base):
    """Hash of the perfect subtree over leaves ``[idx·2^level, (idx+1)·2^level)``;
    level 0 holds the leaf hashes. Written once, when complete."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHead(Base):
    """The one row (id 1) naming the log and its current size and root. Appenders lock
    it first, so appends are serialised across processes and nodes."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    origin: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class LedgerKey(Base):
    """Every checkpoint-signing public key this log has used (rotation keeps old ones, so
    old checkpoints stay verifiable). ``key_id`` is SHA-256 of the raw public key, hex."""

    __tablename__ = "ledger_key"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)


class LedgerCheckpoint(Base):
    """A signed (size, root, time) of this log; append-only."""

    __tablename__ = "ledger_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(ForeignKey("ledger_key.key_id"))
    #: The signed note exactly as signed and published (body + signature line).
    note: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("tree_size >= 0", name="tree_size_non_negative"),
        Index("ix_ledger_checkpoint_size", "tree_size"),
    )


class LedgerCosignature(Base):
    """A witness's signature over one of our checkpoints, as the witness sent it."""

    __tablename__ = "ledger_cosignature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoint.id"))
    witness_key_id: Mapped[str] = mapped_column(String(64))
    witness_name: Mapped[str] = mapped_column(String(200))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    cosigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("checkpoint_id", "witness_key_id", name="uq_cosignature_witness"),
    )


class WitnessedCheckpoint(Base):
    """On a witness: each checkpoint it fetched from a watched log, with the verdict.
    ``consistent`` False is a rewritten history (the alarm)."""

    __tablename__ = "witnessed_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), index=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    consistent: Mapped[bool] = mapped_column()
    detail: Mapped[str] = mapped_column(String(1000), default="")
    cosignature: Mapped[bytes | None] = mapped_column(LargeBinary(64), default=None)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LedgerAuditRun(Base):
    """One run of ``psvis audit`` (or the console's): its scope and its findings, kept so
    the console shows the latest result and a history of runs."""

    __tablename__ = "ledger_audit_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    deep: Mapped[bool] = mapped_column(default=False)
    camera_id: Mapped[int | None] = mapped_column(Integer, default=None)
    since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    segments_checked: Mapped[int] = mapped_column(BigInteger, default=0)
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    #: ``{"findings": [{"kind", "camera_id", "detail", "evidence"}...], "summary": {...}}``
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
