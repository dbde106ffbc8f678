"""Enforcement API schemas. Amounts are integer yuan; days are China civil dates
(``YYYY-MM-DD``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel
from psvis.enforcement.enums import Basis, CaseState, DocumentKind, Procedure, Step

_ID = Field(default=None, ge=1, le=MAX_ROW_ID)
#: Amounts are bounded by the column (32-bit), not by the law: an amount above a cap must
#: reach the rule, which refuses it naming the article.
_YUAN = Field(ge=0, le=MAX_ROW_ID, description="Integer yuan.")
#: Days the regulation can concern: from its entry into force (Art. 28) to a horizon no
#: correction period reaches.
FIRST_DAY, LAST_DAY = dt.date(2016, 10, 1), dt.date(2100, 12, 31)


class CaseCreate(StrictModel):
    """A case from a finding (its unit, jurisdiction and penalty article are taken over)
    or opened by an officer for a unit or a named party in a jurisdiction."""

    finding_id: int | None = _ID
    basis: Basis | None = Field(
        default=None, description="Default: the finding's penalty article (Art. 24-26)."
    )
    unit_id: int | None = _ID
    jurisdiction_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    party_name: str = Field(default="", max_length=200, description="Default: the unit's name.")
    manager_name: str = Field(default="", max_length=100)
    facts: str = Field(min_length=1, max_length=2000)
    other_law: str = Field(
        default="", max_length=200, description="Art. 23: the law whose penalty applies."
    )


class OrderCreate(StrictModel):
    deadline: dt.date | None = Field(
        default=None,
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Last day of the correction period (inclusive).",
    )
    requirement: str = Field(min_length=1, max_length=1000)


class RecheckCreate(StrictModel):
    checked_on: dt.date | None = Field(
        default=None, ge=FIRST_DAY, le=LAST_DAY, description="Default: today (China)."
    )
    corrected: bool
    notes: str = Field(default="", max_length=1000)


class DecisionCreate(StrictModel):
    fine_yuan: int = _YUAN
    manager_fine_yuan: int = Field(default=0, ge=0, le=MAX_ROW_ID)
    refer_public_order: bool = False
    refer_criminal: bool = False
    requirement: str = Field(
        default="", max_length=1000, description="Art. 26: what must be corrected at once."
    )
    reasons: str = Field(min_length=1, max_length=2000)


class CloseIn(StrictModel):
    reason: str = Field(min_length=1, max_length=500)


class OrderRead(ReadModel):
    issued_by: int
    issued_at: dt.datetime
    issued_on: dt.date
    deadline: dt.date | None
    requirement: str


class RecheckRead(ReadModel):
    id: int
    checked_by: int
    checked_on: dt.date
    recorded_at: dt.datetime
    corrected: bool
    notes: str


class DecisionRead(ReadModel):
    decided_by: int
    decided_at: dt.datetime
    decided_on: dt.date
    fine_yuan: int
    manager_fine_yuan: int
    refer_public_order: bool
    refer_criminal: bool
    reasons: str


class DocumentRead(ReadModel):
    id: int
    kind: DocumentKind
    number: str
    issued_by: int
    issued_at: dt.datetime
    sha256: str
    size_bytes: int


class StepRead(ReadModel):
    step: Step
    allowed: bool
    rule: str
    article: str
    article_zh: str
    reason: str


class CaseRead(ReadModel):
    id: int
    number: str
    jurisdiction_code: str
    basis: Basis
    article: str
    article_zh: str
    procedure: Procedure
    other_law: str
    finding_id: int | None
    unit_id: int | None
    party_name: str
    manager_name: str
    facts: str
    state: CaseState
    opened_by: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str


class CaseDetail(CaseRead):
    evidence: dict[str, Any]
    order: OrderRead | None
    rechecks: list[RecheckRead]
    decision: DecisionRead | None
    documents: list[DocumentRead]
    next_steps: list[StepRead]


class ProvisionRead(ReadModel):
    basis: Basis
    article: str
    article_zh: str
    procedure: Procedure
    unit_cap_yuan: int | None
    manager_cap_yuan: int | None
    referral: bool
    act_zh: str
