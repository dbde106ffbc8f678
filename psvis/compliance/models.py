"""Findings: breaches of the regulation found by a rule, kept with their evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime


class Finding(Base):
    """One rule failing for one subject. Re-running the check updates ``last_seen`` or
    resolves it; it never duplicates (unique on rule + subject)."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article: Mapped[str] = mapped_column(String(32))
    article_zh: Mapped[str] = mapped_column(String(64))
    penalty_article: Mapped[str] = mapped_column(String(32), default="")
    rule: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    #: The unit answerable for the subject (site's responsible unit / system's user unit).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        UniqueConstraint("rule", "subject_type", "subject_id", name="uq_finding_rule_subject"),
        CheckConstraint("status IN ('open', 'resolved')", name="status_known"),
        CheckConstraint(
            "subject_type IN ('site', 'system', 'camera', 'unit', 'storage', 'segment', 'ledger')",
            name="subject_type_known",
        ),
        CheckConstraint(
            "(status = 'resolved') = (resolved_at IS NOT NULL)", name="resolved_has_time"
        ),
        Index("ix_finding_status_rule", "status", "rule"),
    )
