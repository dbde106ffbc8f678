"""A user unit's duties under Art. 17 as records (docs/design/enforcement.md, unit duties):

* :class:`DutyDocument` — Art. 17(1): the duty-monitoring, retention/use and O&M rules a
  unit has set up, and its duty-monitoring logs, on file (the file stored once under
  ``<data_dir>/enforcement/duty/<sha256>``, typed by its first bytes);
* :class:`TrainingRecord` — Art. 17(2): who was trained in skills or confidentiality,
  when, and until when the training counts (expired ones are shown as expired);
* :class:`SuspiciousReport` — Art. 17(5): what a unit reports to the police, naming the
  camera and the half-open time range ``[range_start, range_end)`` of the footage — not
  the footage itself: the police reach it only through a retrieval request (Art. 18-19)
  — and the police's acknowledgement.

Rows are facts, written once (a report gets its acknowledgement once). Days are China
civil dates; instants aware UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.enforcement.duty_rules import DocumentKind, ReportKind, TrainingTopic


class DutyDocument(Base):
    __tablename__ = "enforcement_duty_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    #: The unit's, copied (police scoping needs no join).
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "duty_document_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: A duty log's days, inclusive (None for rules).
    period_start: Mapped[dt.date | None] = mapped_column(Date, default=None)
    period_end: Mapped[dt.date | None] = mapped_column(Date, default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(32))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint(
            "(period_start IS NULL) = (period_end IS NULL) AND "
            "(period_start IS NULL OR period_start <= period_end)",
            name="period_ordered",
        ),
    )


class TrainingRecord(Base):
    __tablename__ = "enforcement_training"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    person_name: Mapped[str] = mapped_column(String(100))
    topic: Mapped[TrainingTopic] = mapped_column(str_enum(TrainingTopic, "training_topic"))
    trained_on: Mapped[dt.date] = mapped_column(Date)
    #: The last day the training counts (inclusive).
    expires_on: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("expires_on > trained_on", name="expires_after_training"),)


class SuspiciousReport(Base):
    __tablename__ = "enforcement_suspicious_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "suspicious_report_kind"))
    summary: Mapped[str] = mapped_column(String(2000))
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    range_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    range_end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reported_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    ack_note: Mapped[str] = mapped_column(String(1000), default="")

    __table_args__ = (
        CheckConstraint("range_end > range_start", name="range_not_empty"),
        CheckConstraint(
            "(acknowledged_by IS NULL) = (acknowledged_at IS NULL)", name="ack_complete"
        ),
    )
