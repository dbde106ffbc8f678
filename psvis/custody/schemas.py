"""Custody API schemas. Times are ISO 8601 with a UTC offset; a naive time is a 422."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AwareDatetime, Field, SecretStr

from psvis.core.schemas import ReadModel, StrictModel
from psvis.custody.enums import AccessKind, CustodyAction, DepartmentKind, RequestState

#: Camera × interval rows in one request: a case's cameras, not a city's.
MAX_SCOPES = 100
_ID = Field(ge=1, le=2_147_483_647)


class ScopeIn(StrictModel):
    camera_id: int = _ID
    start: AwareDatetime = Field(description="Start of the footage asked for (inclusive).")
    end: AwareDatetime = Field(description="End of the footage asked for (exclusive).")


class RequestCreate(StrictModel):
    department_kind: DepartmentKind = DepartmentKind.POLICE
    department_name: str = Field(min_length=1, max_length=100, description="e.g. 东湖分局刑侦大队")
    legal_basis: str = Field(
        default="",
        max_length=500,
        description="The law another department acts under (Art. 18, second paragraph).",
    )
    case_number: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=1000)
    actions: list[CustodyAction] = Field(min_length=1, max_length=4)
    valid_from: AwareDatetime
    valid_until: AwareDatetime = Field(description="End of validity (exclusive).")
    scopes: list[ScopeIn] = Field(min_length=1, max_length=MAX_SCOPES)


class ScopeRead(ReadModel):
    camera_id: int
    jurisdiction_code: str
    start: dt.datetime = Field(validation_alias="start_at")
    end: dt.datetime = Field(validation_alias="end_at")


class ApprovalRead(ReadModel):
    chief_id: int
    approved: bool
    decided_at: dt.datetime
    reason: str
    document_number: str
    scan_sha256: str | None
    scan_size_bytes: int | None
    scan_media_type: str | None


class SessionRead(ReadModel):
    id: int
    request_id: int
    officer_a_id: int
    officer_a_work_id: str
    officer_b_id: int
    officer_b_work_id: str
    document_number: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class RequestRead(ReadModel):
    id: int
    number: str
    requester_id: int
    department_kind: DepartmentKind
    department_name: str
    legal_basis: str
    case_number: str
    purpose: str
    actions: list[CustodyAction]
    valid_from: dt.datetime
    valid_until: dt.datetime
    state: RequestState = Field(
        description="As of now: an approved request past validity reads expired."
    )
    created_at: dt.datetime
    closed_at: dt.datetime | None
    scopes: list[ScopeRead] = Field(default_factory=list)
    approval: ApprovalRead | None = None
    sessions: list[SessionRead] = Field(default_factory=list)
    holds_unreleased: int = 0


class RejectBody(StrictModel):
    reason: str = Field(min_length=1, max_length=1000)


class ReleaseHoldBody(StrictModel):
    reason: str = Field(min_length=1, max_length=500, description="Why the hold ends.")


class SessionOpen(StrictModel):
    officer_b_username: str = Field(min_length=1, max_length=64)
    officer_b_password: SecretStr = Field(min_length=1, max_length=256)
    officer_b_totp: SecretStr = Field(min_length=1, max_length=16)


class RegistrationRead(ReadModel):
    id: int
    session_id: int
    request_id: int
    unit_id: int
    unit_name: str
    jurisdiction_code: str
    bureau_code: str
    request_number: str
    case_number: str
    department_kind: DepartmentKind
    department_name: str
    legal_basis: str
    purpose: str
    officer_a_name: str
    officer_a_work_id: str
    officer_b_name: str
    officer_b_work_id: str
    approver_name: str
    document_number: str
    scopes: list[dict[str, Any]]
    range_start: dt.datetime
    range_end: dt.datetime
    actions: list[CustodyAction]
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    accessed_segments: int


class AccessRead(ReadModel):
    session_id: int
    user_id: int
    camera_id: int
    segment_id: int
    action: AccessKind
    at: dt.datetime


class TotpEnroll(StrictModel):
    current_code: SecretStr | None = Field(
        default=None, max_length=16, description="Needed to replace an enrolled authenticator."
    )


class TotpEnrolled(ReadModel):
    provisioning_uri: str = Field(description="otpauth:// URI, shown once (scan as QR code).")


class SharingGrantCreate(StrictModel):
    """Network a government system for the police of a bureau (Art. 14)."""

    system_id: int = Field(ge=1, le=2**31 - 1)
    bureau_code: str = Field(
        pattern=r"^[0-9]{6}$", description="The police bureau's jurisdiction code."
    )
    agreement: str = Field(
        min_length=1, max_length=200, description="The networking agreement or document."
    )


class SharingGrantRead(ReadModel):
    id: int
    system_id: int
    bureau_code: str
    agreement: str
    granted_by: int | None
    granted_at: dt.datetime
    revoked_by: int | None
    revoked_at: dt.datetime | None
