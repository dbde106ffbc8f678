"""Health tables: baselines, diagnoses (with their evidence), per-camera health state,
daily uptime and fault tickets.

Times are aware UTC; intervals half-open ``[start, end)`` (docs/design/time.md). Rows
that are evidence — baselines, diagnoses, tickets — are never deleted or edited away: a
ticket changes state and gets its times, a camera's baseline is replaced by a new row.

Thumbnails are stored as database blobs (``health_diagnosis.thumbnail_jpeg``): they are
evidence bound to the diagnosis row — committed, backed up and access-scoped together,
no orphan file — and small (a JPEG at the 320-pixel analysis width, ~10-20 KB). Only
diagnoses that change the camera's outcome, that are faulty and an hour past the last
kept picture, or that verify a repair keep one (docs/design/health.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.health.enums import BaselineSource, TicketCause, TicketState


class HealthBaseline(Base):
    """A camera's VQD baseline (day and/or night reference), serialised by
    :meth:`psvis.health.vqd.Baseline.to_bytes`. Immutable: a new capture is a new row."""

    __tablename__ = "health_baseline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    has_day: Mapped[bool] = mapped_column(Boolean)
    has_night: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[BaselineSource] = mapped_column(str_enum(BaselineSource, "health_baseline_src"))
    #: The segment whose keyframes made (or completed) it.
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    captured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    captured_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)

    __table_args__ = (
        CheckConstraint("has_day OR has_night", name="has_reference"),
        CheckConstraint("length(data) > 0", name="data_present"),
    )


class HealthDiagnosis(Base):
    """One VQD diagnosis of a camera from the keyframes of one sealed segment."""

    __tablename__ = "health_diagnosis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    #: The segment diagnosed (None: no readable segment, a ``no_video`` signal loss).
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    diagnosed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    good: Mapped[bool] = mapped_column(Boolean)
    #: Sorted fault class values (``FaultClass``), for filters and the dashboard.
    fault_classes: Mapped[list[str]] = mapped_column(JSON)
    #: Each fault: ``{"class", "detail", "frame"}``.
    faults: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: The detectors' measurements (median over the frames judged).
    metrics: Mapped[dict[str, float]] = mapped_column(JSON)
    frame_count: Mapped[int] = mapped_column(Integer)
    #: Which reference was used: day, night, mixed or none.
    reference: Mapped[str] = mapped_column(String(8))
    #: The baseline compared with (None: the camera had none).
    baseline_id: Mapped[int | None] = mapped_column(ForeignKey("health_baseline.id"), default=None)
    thumbnail_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    __table_args__ = (
        CheckConstraint("frame_count >= 0", name="frame_count_non_negative"),
        Index("ix_health_diagnosis_camera_time", "camera_id", "diagnosed_at"),
    )


class CameraHealth(Base):
    """The health state the chore keeps per camera: its current baseline, the newest
    diagnosis, and for each fault class how many diagnoses in a row have found it."""

    __tablename__ = "health_camera"

    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    baseline_id: Mapped[int | None] = mapped_column(ForeignKey("health_baseline.id"), default=None)
    last_diagnosis_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_diagnosis.id"), default=None
    )
    last_diagnosed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    #: Fault classes of the newest diagnosis (sorted values).
    fault_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``{fault class: {"count": n, "since": RFC 3339}}``: consecutive faulty diagnoses.
    streaks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_thumbnail_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UptimeDay(Base):
    """A camera's uptime on one China civil day, as far as the day has gone
    (``window_seconds`` grows until the day ends): recorded over the recording period's
    part of the day (docs/design/health.md, uptime)."""

    __tablename__ = "health_uptime_day"

    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    #: Milliseconds recorded (segments, plus the segment being written).
    recorded_ms: Mapped[int] = mapped_column(Integer)
    #: Milliseconds of the day inside the camera's recording period, up to ``computed_at``.
    window_ms: Mapped[int] = mapped_column(Integer)
    outage_ms: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("recorded_ms >= 0 AND recorded_ms <= window_ms", name="recorded_in_window"),
        CheckConstraint("outage_ms >= 0", name="outage_non_negative"),
        Index("ix_health_uptime_day_day", "day"),
    )


class Ticket(Base):
    """A fault ticket (Art. 16, 17(3)): routed to the system's maintainer unit, due
    ``due_at``; closed only by a diagnosis that verifies the repair."""

    __tablename__ = "health_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    system_id: Mapped[int] = mapped_column(ForeignKey("system.id"))
    #: Copied from the camera and its system when opened: who sees and who works it.
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    user_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    maintainer_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    cause: Mapped[TicketCause] = mapped_column(str_enum(TicketCause, "health_ticket_cause"))
    state: Mapped[TicketState] = mapped_column(str_enum(TicketState, "health_ticket_state"))
    #: When the fault began (outage start, or the first diagnosis that found it).
    fault_since: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: The repair deadline (opened_at + the configured repair time, default 24 h).
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    opening_diagnosis_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_diagnosis.id"), default=None
    )
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outage.id"), default=None)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    repair_reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    repair_reported_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    repair_note: Mapped[str] = mapped_column(String(500), default="")
    #: Set with ``closed``: the diagnosis that verified the repair.
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    verifying_diagnosis_id: Mapped[int | None] = mapped_column(
        ForeignKey("health_diagnosis.id"), default=None
    )
    #: The deadline was missed (a finding under Art. 17(3) / 25(4) was filed).
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("due_at > opened_at", name="due_after_open"),
        CheckConstraint("(state = 'closed') = (verified_at IS NOT NULL)", name="closed_verified"),
        CheckConstraint(
            "acknowledged_at IS NOT NULL OR state = 'open' OR state = 'closed'",
            name="acknowledged_has_time",
        ),
        CheckConstraint(
            "repair_reported_at IS NOT NULL OR state != 'repair_reported'",
            name="reported_has_time",
        ),
        # One live ticket per camera and cause: the chore may run on two nodes at once.
        Index(
            "uq_health_ticket_live",
            "camera_id",
            "cause",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        Index("ix_health_ticket_state_due", "state", "due_at"),
        Index("ix_health_ticket_camera", "camera_id", "opened_at"),
    )
