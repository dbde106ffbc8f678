"""API schemas of the health domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from psvis.core.schemas import ReadModel, StrictModel
from psvis.health.enums import BaselineSource, LivenessState, TicketCause, TicketState


class BaselineRead(ReadModel):
    id: int
    camera_id: int
    has_day: bool
    has_night: bool
    source: BaselineSource
    segment_id: int | None
    captured_at: dt.datetime
    captured_by: int | None


class DiagnosisRead(ReadModel):
    id: int
    camera_id: int
    segment_id: int | None
    diagnosed_at: dt.datetime
    good: bool
    fault_classes: list[str]
    faults: list[dict[str, Any]]
    metrics: dict[str, float]
    frame_count: int
    reference: str
    baseline_id: int | None
    has_thumbnail: bool = False


class CameraHealthRead(ReadModel):
    camera_id: int
    name: str
    system_id: int
    jurisdiction_code: str
    state: LivenessState
    reason: str = Field(description="Why disabled or offline ('' when recording).")
    last_segment_end: dt.datetime | None
    segment_age_s: float | None
    fault_classes: list[str] = Field(default_factory=list)
    baseline: BaselineRead | None = None
    last_diagnosis_id: int | None = None
    last_diagnosed_at: dt.datetime | None = None


class UptimeRead(ReadModel):
    camera_id: int
    day: dt.date
    recorded_ms: int
    window_ms: int
    outage_ms: int
    percent: float | None = Field(description="recorded / window × 100 (None: no window).")


class RollupRead(ReadModel):
    key: str
    cameras: int
    monitored: int
    states: dict[str, int]
    online_percent: float | None
    recorded_ms: int
    window_ms: int
    uptime_percent: float | None


class TicketRead(ReadModel):
    id: int
    camera_id: int
    system_id: int
    jurisdiction_code: str
    user_unit_id: int
    maintainer_unit_id: int
    cause: TicketCause
    state: TicketState
    fault_since: dt.datetime
    opened_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    opening_diagnosis_id: int | None
    outage_id: int | None
    acknowledged_at: dt.datetime | None
    repair_reported_at: dt.datetime | None
    repair_note: str
    verified_at: dt.datetime | None
    verifying_diagnosis_id: int | None


class RepairReport(StrictModel):
    note: str = Field(default="", max_length=500, description="What was repaired.")
