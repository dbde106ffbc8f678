"""Commendation API schemas (Art. 22)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel
from psvis.enforcement.commendation_rules import SourceKind
from psvis.enforcement.schemas import FIRST_DAY, LAST_DAY


class CommendationCreate(StrictModel):
    unit_id: int = Field(ge=1, le=MAX_ROW_ID)
    source_kind: SourceKind
    source_id: int = Field(ge=1, le=MAX_ROW_ID)
    title: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)
    awarded_on: dt.date | None = Field(
        default=None, ge=FIRST_DAY, le=LAST_DAY, description="Default: today (China)."
    )


class CommendationRead(ReadModel):
    id: int
    unit_id: int
    jurisdiction_code: str
    source_kind: SourceKind
    source_id: int
    title: str
    reason: str
    awarded_on: dt.date
    awarded_by: int
    recorded_at: dt.datetime
