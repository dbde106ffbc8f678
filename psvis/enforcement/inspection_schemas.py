"""Inspection API schemas (Art. 21). Days are China civil dates (``YYYY-MM-DD``)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel
from psvis.enforcement.checklists import ItemResult
from psvis.enforcement.enums import Basis
from psvis.enforcement.schemas import FIRST_DAY, LAST_DAY
from psvis.registry.enums import SiteCategory

#: An item key as the checklist spells it; anything else is refused before the rules.
ITEM_KEY = r"^[a-z_]{1,32}$"


class ItemIn(StrictModel):
    key: str = Field(pattern=ITEM_KEY)
    result: ItemResult
    note: str = Field(default="", max_length=500)


class InspectionCreate(StrictModel):
    site_id: int = Field(ge=1, le=MAX_ROW_ID)
    inspected_on: dt.date | None = Field(
        default=None, ge=FIRST_DAY, le=LAST_DAY, description="Default: today (China)."
    )
    items: list[ItemIn] = Field(max_length=32, description="Every item of the checklist.")
    notes: str = Field(default="", max_length=2000)


class FollowupCreate(StrictModel):
    """A case on failed items of the inspection, all under one provision."""

    items: list[str] = Field(min_length=1, max_length=16)
    facts: str = Field(min_length=1, max_length=2000)
    manager_name: str = Field(default="", max_length=100)
    other_law: str = Field(
        default="", max_length=200, description="Art. 23: for an Art. 9 (privacy) item."
    )


class ChecklistItemRead(ReadModel):
    key: str
    article: str
    article_zh: str
    basis: Basis | None
    question_zh: str


class ChecklistRead(ReadModel):
    category: SiteCategory
    items: list[ChecklistItemRead]


class ItemRead(ReadModel):
    item: str
    result: ItemResult
    note: str


class PhotoRead(ReadModel):
    id: int
    item: str
    sha256: str
    size_bytes: int
    media_type: str
    uploaded_by: int
    uploaded_at: dt.datetime


class FollowupRead(ReadModel):
    case_id: int
    items: list[str]


class InspectionRead(ReadModel):
    id: int
    jurisdiction_code: str
    site_id: int
    unit_id: int
    category: SiteCategory
    inspector_id: int
    inspected_on: dt.date
    recorded_at: dt.datetime
    failed_count: int
    notes: str


class InspectionDetail(InspectionRead):
    items: list[ItemRead]
    photos: list[PhotoRead]
    followups: list[FollowupRead]
