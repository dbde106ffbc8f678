"""Unit duty API schemas (Art. 17(1)(2)(5)). Days are China civil dates; instants RFC 3339."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, Field

from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel
from psvis.enforcement.duty_rules import DocumentKind, ReportKind, TrainingTopic
from psvis.enforcement.schemas import FIRST_DAY, LAST_DAY

Day = Field(ge=FIRST_DAY, le=LAST_DAY)


class DocumentRead(ReadModel):
    id: int
    unit_id: int
    jurisdiction_code: str
    kind: DocumentKind
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    sha256: str
    size_bytes: int
    media_type: str
    uploaded_by: int
    uploaded_at: dt.datetime


class TrainingCreate(StrictModel):
    unit_id: int = Field(ge=1, le=MAX_ROW_ID)
    person_name: str = Field(min_length=1, max_length=100)
    topic: TrainingTopic
    trained_on: dt.date = Day
    expires_on: dt.date = Day


class TrainingRead(ReadModel):
    id: int
    unit_id: int
    jurisdiction_code: str
    person_name: str
    topic: TrainingTopic
    trained_on: dt.date
    expires_on: dt.date
    expired: bool = Field(description="Past its last day today (Art. 17(2)).")
    recorded_by: int
    recorded_at: dt.datetime


class ReportCreate(StrictModel):
    kind: ReportKind
    summary: str = Field(min_length=1, max_length=2000)
    camera_id: int = Field(ge=1, le=MAX_ROW_ID)
    range_start: AwareDatetime
    range_end: AwareDatetime


class AcknowledgeIn(StrictModel):
    note: str = Field(default="", max_length=1000)


class ReportRead(ReadModel):
    id: int
    unit_id: int
    jurisdiction_code: str
    kind: ReportKind
    summary: str
    camera_id: int
    range_start: dt.datetime
    range_end: dt.datetime
    reported_by: int
    reported_at: dt.datetime
    acknowledged_by: int | None
    acknowledged_at: dt.datetime | None
    ack_note: str
    retrieval_request_hint: str = Field(
        description="Where the police file the retrieval request for the named footage "
        "(Art. 18-19: the report does not open it)."
    )
