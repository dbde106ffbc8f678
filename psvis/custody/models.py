"""Custody tables: requests and their scope, approvals, execution sessions, the access log
and the registration book (登记).

Times are aware UTC; intervals are half-open ``[start_at, end_at)`` (docs/design/time.md).
Rows here are facts, never edited away: a request changes state, a session gets its
``closed_at``, a registration its ``closed_at`` — nothing is deleted (Art. 20(3), 27).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.custody.enums import AccessKind, DepartmentKind, RequestState


class RetrievalRequest(Base):
    """A request to view, copy, retrieve or directly use footage (Art. 18).

    ``number`` is the bureau's: ``<bureau code>-<China-time year>-<serial, 6 digits>``,
    e.g. ``360102-2026-000123``; the bureau is the requester's jurisdiction."""

    __tablename__ = "custody_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    bureau_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    requester_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    department_kind: Mapped[DepartmentKind] = mapped_column(
        str_enum(DepartmentKind, "custody_department_kind")
    )
    department_name: Mapped[str] = mapped_column(String(100))
    #: The law another department acts under (Art. 18, second paragraph); "" for police.
    legal_basis: Mapped[str] = mapped_column(String(500), default="")
    case_number: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(1000))
    #: Sorted list of :class:`~psvis.custody.enums.CustodyAction` values.
    actions: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState, "custody_request_state"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        UniqueConstraint("bureau_code", "year", "serial", name="uq_custody_request_serial"),
        CheckConstraint("valid_until > valid_from", name="validity_not_empty"),
        CheckConstraint("serial >= 1", name="serial_positive"),
        CheckConstraint(
            "department_kind = 'police' OR length(legal_basis) > 0", name="other_has_legal_basis"
        ),
        Index("ix_custody_request_state", "state"),
    )


class RequestScope(Base):
    """One camera × interval of a request. ``jurisdiction_code`` is the camera's when the
    request was made: what the approving chief must cover (Art. 18)."""

    __tablename__ = "custody_request_scope"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("custody_request.id", ondelete="CASCADE"), index=True
    )
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="interval_not_empty"),
        Index("ix_custody_request_scope_camera", "camera_id", "request_id"),
        Index("ix_custody_request_scope_jurisdiction", "jurisdiction_code"),
    )


class Approval(Base):
    """A chief's decision on a request (Art. 18). An approval carries the approval
    document's number and its scan (stored as ``<data_dir>/custody/scans/<sha256>``); a
    rejection carries its reason."""

    __tablename__ = "custody_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("custody_request.id"), unique=True)
    chief_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    approved: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    document_number: Mapped[str] = mapped_column(String(64), default="")
    scan_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    scan_size_bytes: Mapped[int | None] = mapped_column(Integer, default=None)
    scan_media_type: Mapped[str | None] = mapped_column(String(32), default=None)

    __table_args__ = (
        CheckConstraint(
            "NOT approved OR (length(document_number) > 0 AND scan_sha256 IS NOT NULL"
            " AND scan_size_bytes > 0 AND scan_media_type IS NOT NULL)",
            name="approval_has_document",
        ),
        CheckConstraint("approved OR length(reason) > 0", name="rejection_has_reason"),
    )


class ExecutionSession(Base):
    """Two officers executing an approved request (Art. 19): both named with their work
    IDs as they were when the session opened, the approval document referenced.

    ``console_token_id``: the console sign-in this session is bound to, so the browser's
    media requests (which carry only the cookie) name it (see psvis/custody/binding.py)."""

    __tablename__ = "custody_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("custody_request.id"), index=True)
    officer_a_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    officer_a_work_id: Mapped[str] = mapped_column(String(32))
    officer_b_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    officer_b_work_id: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    console_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_token.id", ondelete="SET NULL"), default=None, index=True
    )

    __table_args__ = (
        CheckConstraint("officer_a_id <> officer_b_id", name="two_distinct_officers"),
        CheckConstraint(
            "length(officer_a_work_id) > 0 AND length(officer_b_work_id) > 0",
            name="work_ids_shown",
        ),
        CheckConstraint("closed_at IS NULL OR closed_at >= opened_at", name="closed_after_opened"),
    )


class AccessRecord(Base):
    """One segment viewed, copied or exported during a session (Art. 19(4), 20(2))."""

    __tablename__ = "custody_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("custody_session.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("custody_request.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    camera_id: Mapped[int] = mapped_column(ForeignKey("camera.id"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id"))
    action: Mapped[AccessKind] = mapped_column(str_enum(AccessKind, "custody_access_kind"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_custody_access_session_segment", "session_id", "segment_id", "action"),
    )


class Registration(Base):
    """登记 (Art. 19(4)): one row per unit whose cameras a session reaches, written when
    the session opens with every fact a paper registration would hold, closed with it.

    The facts are copied, not joined: the book must read the same after a camera is
    renamed or an officer's work ID changes."""

    __tablename__ = "custody_registration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("custody_session.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("custody_request.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    #: The unit's jurisdiction (the district book lists it).
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    bureau_code: Mapped[str] = mapped_column(String(6))
    request_number: Mapped[str] = mapped_column(String(32))
    case_number: Mapped[str] = mapped_column(String(64))
    department_kind: Mapped[DepartmentKind] = mapped_column(
        str_enum(DepartmentKind, "custody_department_kind")
    )
    department_name: Mapped[str] = mapped_column(String(100))
    legal_basis: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(String(1000))
    officer_a_name: Mapped[str] = mapped_column(String(100))
    officer_a_work_id: Mapped[str] = mapped_column(String(32))
    officer_b_name: Mapped[str] = mapped_column(String(100))
    officer_b_work_id: Mapped[str] = mapped_column(String(32))
    approver_name: Mapped[str] = mapped_column(String(100))
    document_number: Mapped[str] = mapped_column(String(64))
    #: ``[{"camera_id", "gb_id", "name", "start", "end"}, …]`` of this unit's cameras.
    scopes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    range_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    range_end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actions: Mapped[list[str]] = mapped_column(JSON)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: Segments accessed in the session (filled when it closes).
    accessed_segments: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint("session_id", "unit_id", name="uq_custody_registration_unit"),
        CheckConstraint("range_end > range_start", name="range_not_empty"),
        Index("ix_custody_registration_opened", "opened_at"),
    )


class SharingGrant(Base):
    """A government system networked with the police platform under Art. 14: the police
    of ``bureau_code``'s jurisdiction (and the bureaus above and below it) use its cameras
    live without a retrieval request. Any other police use of a unit's system is direct
    use and needs an approved request with ``direct_access`` (Art. 18).

    Revoking sets ``revoked_at``; the row stays (the history of who could watch)."""

    __tablename__ = "sharing_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("system.id"), index=True)
    bureau_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"))
    #: The networking agreement or document the grant rests on (联网共享依据).
    agreement: Mapped[str] = mapped_column(String(200))
    #: None: the installation's operator at the server console (``psvis`` CLI).
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)

    __table_args__ = (
        CheckConstraint("length(agreement) > 0", name="agreement_named"),
        Index("ix_sharing_grant_active", "system_id", "bureau_code", "revoked_at"),
    )
