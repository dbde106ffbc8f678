"""Planning API schemas (Art. 7, 8)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel
from psvis.registry.enums import CameraRole


class PointCreate(StrictModel):
    site_id: int = Field(ge=1, le=MAX_ROW_ID)
    name: str = Field(min_length=1, max_length=200)
    role: CameraRole
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    azimuth_deg: float = Field(
        ge=0, lt=360, allow_inf_nan=False, description="Clockwise from north."
    )
    fov_deg: float = Field(default=90.0, gt=0, le=360, allow_inf_nan=False)
    range_m: float = Field(default=30.0, gt=0, le=5000, allow_inf_nan=False)


class PointRead(ReadModel):
    id: int
    jurisdiction_code: str
    site_id: int
    name: str
    role: CameraRole
    lat: float
    lon: float
    azimuth_deg: float
    fov_deg: float
    range_m: float
    planned_by: int
    planned_at: dt.datetime
    covered_share: float = Field(description="Share of the field of view covered when planned.")
    threshold: float
    covering_camera_ids: list[int]
    duplicate: bool = Field(description="Covered at or above the threshold (Art. 7).")


class CoverageRead(ReadModel):
    """The duplicate-coverage check now, against today's cameras."""

    covered_share: float
    threshold: float
    covering_camera_ids: list[int]
    duplicate: bool
    article: str
    reason: str


class PointDetail(PointRead):
    now: CoverageRead


class GapRead(ReadModel):
    """An Art. 8 site lacking cameras at some of its entrances, passages, key spots."""

    site_id: int
    site_name: str
    category: str
    jurisdiction_code: str
    article: str
    missing: list[CameraRole]
    planned: list[CameraRole] = Field(
        description="Of the missing roles, those a planned point fills."
    )
