"""Recording tables: storage roots, segments, outages, quarantine, leases, holds, status.

Times are aware UTC; intervals are half-open ``[start_at, end_at)`` (docs/design/time.md).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.recording.enums import OutageCause, RecorderState, SegmentState


class StorageRoot(Base):
    """A directory that holds recordings. Its identity file (``.psvis-storage``) must match
    ``identity`` at every start: a swapped or unmounted disk is refused, not written into."""

    __tablename__ = "storage_root"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(1000))
    identity: Mapped[str] = mapped_column(String(36), unique=True)
    #: Free space kept in reserve: below it new writes stop (outage ``storage_full``).
    reserve_bytes: Mapped[int] = mapped_column(BigInteger, default=1 << 30)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("reserve_bytes >= 0", name="reserve_non_negative"),)


class Segment(Base):
    """One sealed recording file (docs/design/recording.md, invariants S1-S8)."""

    __tablename__ = "segment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    #: Per-camera sequence number, 1, 2, 3 ... without gaps (the ledger checks continuity).
    seq: Mapped[int] = mapped_column(Integer)
    storage_id: Mapped[int] = mapped_column(ForeignKey("storage_root.id"))
    #: Path relative to the storage root: ``<camera_id>/<YYYY-MM-DD>/<name>.ts``.
    rel_path: Mapped[str] = mapped_column(String(300))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: Duration of the media itself (PTS span), milliseconds; wall span is end - start.
    media_duration_ms: Mapped[int] = mapped_column(Integer)
    #: Recorder's clock minus the media-derived timeline at this segment, milliseconds.
    clock_delta_ms: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    keyframes: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(16), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[SegmentState] = mapped_column(str_enum(SegmentState, "segment_state"))
    sealed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: Node that recorded it (multi-node: the lease holder).
    node: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        UniqueConstraint("camera_id", "seq", name="uq_segment_camera_seq"),
        UniqueConstraint("storage_id", "rel_path", name="uq_segment_storage_path"),
        CheckConstraint("end_at > start_at", name="interval_not_empty"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
        CheckConstraint("keyframes >= 1", name="has_keyframe"),
        CheckConstraint("media_duration_ms > 0", name="duration_positive"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("(state = 'expired') = (expired_at IS NOT NULL)", name="expired_has_time"),
        Index("ix_segment_camera_start", "camera_id", "start_at"),
        Index("ix_segment_state_end", "state", "end_at"),
    )


class Outage(Base):
    """An interval without recording, with its cause. ``end_at`` NULL: still going on."""

    __tablename__ = "outage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    cause: Mapped[OutageCause] = mapped_column(str_enum(OutageCause, "outage_cause"))
    detail: Mapped[str] = mapped_column(String(500), default="")
    node: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        CheckConstraint("end_at IS NULL OR end_at >= start_at", name="interval_ordered"),
        Index("ix_outage_camera_start", "camera_id", "start_at"),
    )


class QuarantinedFile(Base):
    """A file that could not be sealed (unplayable after a crash): moved, never deleted."""

    __tablename__ = "quarantined_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    storage_id: Mapped[int] = mapped_column(ForeignKey("storage_root.id"))
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("camera.id"), default=None)
    original_rel_path: Mapped[str] = mapped_column(String(300))
    quarantine_rel_path: Mapped[str] = mapped_column(String(300), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))
    quarantined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecorderLease(Base):
    """Which node records a camera. Taken when free or expired, renewed while recording:
    exactly one recorder per camera across nodes sharing this database."""

    __tablename__ = "recorder_lease"

    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    node: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    generation: Mapped[int] = mapped_column(Integer, default=1)
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecorderStatus(Base):
    """Latest status of each camera's recorder, for the console and health."""

    __tablename__ = "recorder_status"

    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    node: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[RecorderState] = mapped_column(str_enum(RecorderState, "recorder_state"))
    restarts: Mapped[int] = mapped_column(Integer, default=0)
    last_segment_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    bitrate_bps: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LegalHold(Base):
    """Footage that retention must not expire: ``[start_at, end_at)`` of a camera until
    released (the custody issue places and releases holds through approved requests)."""

    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"), index=True)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (CheckConstraint("end_at > start_at", name="interval_not_empty"),)
