"""Enforcement tables: cases, correction orders, re-checks, penalty decisions and the
documents issued (Art. 23-26).

Rows are facts, changed forward and never deleted: a case moves along its states and
gets its ``closed_at``; orders, re-checks, decisions and documents are written once.
Amounts are integer yuan; deadlines and re-check days are China civil dates (the
calendar of the bureau's documents); instants are aware UTC.
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.enforcement.enums import Basis, CaseState, DocumentKind


class EnforcementCase(Base):
    """One case against one party under one provision.

    ``number``: ``<bureau>-<China-time year>-<serial, 6 digits>`` (``360102-2026-000007``);
    the bureau is the jurisdiction whose police handle it (the subject's). ``evidence``
    copies the finding it was opened from (rule, reason, evidence as they were), so the
    case reads the same after the finding resolves."""

    __tablename__ = "enforcement_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    bureau_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    basis: Mapped[Basis] = mapped_column(str_enum(Basis, "enforcement_basis"))
    #: The law or regulation whose penalty applies instead (Art. 23); "" otherwise.
    other_law: Mapped[str] = mapped_column(String(200), default="")
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    #: 当事人: the unit's name, or a person's.
    party_name: Mapped[str] = mapped_column(String(200))
    #: 直接负责的主管人员 (Art. 24), "" when none is named.
    manager_name: Mapped[str] = mapped_column(String(100), default="")
    facts: Mapped[str] = mapped_column(String(2000))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, "enforcement_case_state"))
    opened_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    close_reason: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        UniqueConstraint("bureau_code", "year", "serial", name="uq_enforcement_case_serial"),
        CheckConstraint("serial >= 1", name="serial_positive"),
        CheckConstraint("(basis = 'art23') = (length(other_law) > 0)", name="other_law_iff_art23"),
        CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        Index("ix_enforcement_case_state", "state"),
    )


class CorrectionOrder(Base):
    """责令（限期）改正: one per case. ``deadline`` is the last day of the period,
    inclusive (None: Art. 26, corrected at once, issued with the decision)."""

    __tablename__ = "enforcement_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    issued_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)
    #: 改正要求: what the party must do.
    requirement: Mapped[str] = mapped_column(String(1000))

    __table_args__ = (
        CheckConstraint("deadline IS NULL OR deadline > issued_on", name="deadline_after_issue"),
    )


class Recheck(Base):
    """复查: whether the breach was corrected, as found on ``checked_on``."""

    __tablename__ = "enforcement_recheck"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    checked_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    checked_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    corrected: Mapped[bool] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(String(1000), default="")


class PenaltyDecision(Base):
    """行政处罚决定: the amounts (integer yuan) and, under Art. 26, the referrals."""

    __tablename__ = "enforcement_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    decided_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    #: The fine on the party (the unit, or the person who committed the act).
    fine_yuan: Mapped[int] = mapped_column(Integer)
    #: The fine on the directly responsible manager (Art. 24 only; 0 otherwise).
    manager_fine_yuan: Mapped[int] = mapped_column(Integer, default=0)
    refer_public_order: Mapped[bool] = mapped_column(Boolean, default=False)
    refer_criminal: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[str] = mapped_column(String(2000))

    __table_args__ = (
        CheckConstraint(
            "fine_yuan >= 0 AND manager_fine_yuan >= 0 AND fine_yuan + manager_fine_yuan > 0",
            name="fine_positive",
        ),
    )


class EnforcementDocument(Base):
    """A document issued on a case, as the PDF that was printed (its SHA-256 is on the
    ledger). Numbered per bureau, kind and China-time year:
    ``东湖公(治)责改字〔2026〕000001号``."""

    __tablename__ = "enforcement_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "enforcement_document_kind"))
    bureau_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        UniqueConstraint(
            "bureau_code", "kind", "year", "serial", name="uq_enforcement_document_serial"
        ),
        CheckConstraint("serial >= 1", name="serial_positive"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )
