"""Pydantic request/response schemas of the registry (<Thing>Create / Update / Read).

Field-level shape is checked here; the regulation's checks (Art. 9, Art. 17(4)) and
cross-row checks (jurisdiction of a GB ID, units exist) live in ``validation.py`` so the
API, the CLI and the importer apply exactly the same ones.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, SecretStr

from psvis.core.schemas import MAX_ROW_ID, ReadModel, StrictModel
from psvis.registry.enums import (
    AcceptanceResult,
    CameraRole,
    Investment,
    LifecycleState,
    NetworkInterface,
    SiteCategory,
    UnitKind,
)

Name = Field(min_length=1, max_length=200)
#: An upper bound only: the 30-day floor is the regulation's (Art. 17(4)), refused with its
#: article by ``validation.py``. A century; larger values overflowed PostgreSQL's INTEGER.
MAX_RETENTION_DAYS = 36500
Lat = Field(ge=-90, le=90, description="WGS-84 latitude, degrees.")
Lon = Field(ge=-180, le=180, description="WGS-84 longitude, degrees.")


class JurisdictionRead(ReadModel):
    code: str
    name: str
    name_en: str
    parent_code: str | None
    level: str
    lat: float
    lon: float


# --- units --------------------------------------------------------------------------------


class UnitCreate(StrictModel):
    name: str = Name
    credit_code: str = Field(
        min_length=18, max_length=18, description="Unified social credit code (GB 32100)."
    )
    kind: UnitKind
    jurisdiction_code: str = Field(min_length=6, max_length=6)
    address: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=40)


class UnitUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    address: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=40)


class UnitRead(ReadModel):
    id: int
    name: str
    credit_code: str
    kind: UnitKind
    jurisdiction_code: str
    address: str
    contact_name: str
    contact_phone: str
    created_at: dt.datetime
    updated_at: dt.datetime


# --- sites --------------------------------------------------------------------------------


Ref = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class SiteCreate(StrictModel):
    ref: str | None = Ref
    name: str = Name
    address: str = Field(default="", max_length=300)
    lat: float = Lat
    lon: float = Lon
    category: SiteCategory
    responsible_unit_id: int = Field(gt=0, le=MAX_ROW_ID)
    jurisdiction_code: str = Field(min_length=6, max_length=6)


class SiteUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    category: SiteCategory | None = None
    responsible_unit_id: int | None = Field(default=None, gt=0, le=MAX_ROW_ID)


class SiteRead(ReadModel):
    id: int
    ref: str | None
    name: str
    address: str
    lat: float
    lon: float
    category: SiteCategory
    responsible_unit_id: int
    jurisdiction_code: str
    created_at: dt.datetime
    updated_at: dt.datetime


# --- systems ------------------------------------------------------------------------------


class SystemFields(StrictModel):
    """Fields settable at creation; lifecycle facts included so existing systems can be
    registered as they are (the state's consistency is checked by the service)."""

    ref: str | None = Ref
    name: str = Name
    site_id: int = Field(gt=0, le=MAX_ROW_ID)
    builder_unit_id: int = Field(gt=0, le=MAX_ROW_ID)
    user_unit_id: int = Field(gt=0, le=MAX_ROW_ID)
    maintainer_unit_id: int = Field(gt=0, le=MAX_ROW_ID)
    maintenance_contract: str = Field(default="", max_length=100)
    investment: Investment
    signage_present: bool = False
    network_interface: NetworkInterface = NetworkInterface.NONE
    retention_days: int = Field(
        default=30, le=MAX_RETENTION_DAYS, description="Days of footage kept; at least 30."
    )
    observed_retention_days: int | None = Field(
        default=None,
        ge=0,
        le=MAX_RETENTION_DAYS,
        description="Days the unit's own recorder was found keeping.",
    )
    state: LifecycleState = LifecycleState.PLANNED
    in_operation: bool = False
    commissioned_on: dt.date | None = None
    acceptance_police_participant: str = Field(default="", max_length=100)
    acceptance_date: dt.date | None = None
    acceptance_result: AcceptanceResult | None = None
    removal_notice_date: dt.date | None = None
    planned_removal_date: dt.date | None = None
    removed_on: dt.date | None = None
    filing_number: str = Field(default="", max_length=64)
    filing_date: dt.date | None = None


class SystemCreate(SystemFields):
    pass


class SystemUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    builder_unit_id: int | None = Field(default=None, gt=0, le=MAX_ROW_ID)
    user_unit_id: int | None = Field(default=None, gt=0, le=MAX_ROW_ID)
    maintainer_unit_id: int | None = Field(default=None, gt=0, le=MAX_ROW_ID)
    maintenance_contract: str | None = Field(default=None, max_length=100)
    investment: Investment | None = None
    signage_present: bool | None = None
    network_interface: NetworkInterface | None = None
    retention_days: int | None = Field(default=None, le=MAX_RETENTION_DAYS)
    observed_retention_days: int | None = Field(default=None, ge=0, le=MAX_RETENTION_DAYS)
    in_operation: bool | None = None
    commissioned_on: dt.date | None = None
    filing_number: str | None = Field(default=None, max_length=64)
    filing_date: dt.date | None = None


class SystemTransition(StrictModel):
    """Move a system along its lifecycle, with the facts the new state needs."""

    target: LifecycleState
    acceptance_police_participant: str | None = Field(default=None, max_length=100)
    acceptance_date: dt.date | None = None
    acceptance_result: AcceptanceResult | None = None
    removal_notice_date: dt.date | None = None
    planned_removal_date: dt.date | None = None
    removed_on: dt.date | None = None


class SystemRead(ReadModel):
    id: int
    ref: str | None
    name: str
    site_id: int
    jurisdiction_code: str
    builder_unit_id: int
    user_unit_id: int
    maintainer_unit_id: int
    maintenance_contract: str
    investment: Investment
    signage_present: bool
    network_interface: NetworkInterface
    retention_days: int
    observed_retention_days: int | None
    state: LifecycleState
    in_operation: bool
    commissioned_on: dt.date | None
    acceptance_police_participant: str
    acceptance_date: dt.date | None
    acceptance_result: AcceptanceResult | None
    removal_notice_date: dt.date | None
    planned_removal_date: dt.date | None
    removed_on: dt.date | None
    filing_number: str
    filing_date: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


# --- cameras ------------------------------------------------------------------------------


class CameraCreate(StrictModel):
    gb_id: str = Field(min_length=20, max_length=20, description="GB/T 28181 device ID.")
    name: str = Name
    system_id: int = Field(gt=0, le=MAX_ROW_ID)
    lat: float = Lat
    lon: float = Lon
    azimuth_deg: float = Field(
        default=0.0, ge=0, lt=360, description="Pointing, degrees from north."
    )
    fov_deg: float = Field(default=90.0, gt=0, le=360, description="Horizontal field of view.")
    range_m: float = Field(default=30.0, gt=0, le=5000, description="Useful viewing range, metres.")
    role: CameraRole
    stream_url: str = Field(default="", max_length=500)
    username: str = Field(default="", max_length=100)
    password: SecretStr | None = Field(
        default=None, description="Stored encrypted; never returned."
    )
    retention_days: int | None = Field(default=None, le=MAX_RETENTION_DAYS)
    enabled: bool = True


class CameraUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    azimuth_deg: float | None = Field(default=None, ge=0, lt=360)
    fov_deg: float | None = Field(default=None, gt=0, le=360)
    range_m: float | None = Field(default=None, gt=0, le=5000)
    role: CameraRole | None = None
    stream_url: str | None = Field(default=None, max_length=500)
    username: str | None = Field(default=None, max_length=100)
    password: SecretStr | None = None
    retention_days: int | None = Field(default=None, le=MAX_RETENTION_DAYS)
    enabled: bool | None = None


class CameraRead(ReadModel):
    """A camera as the API shows it: credentials are never included, only whether set."""

    id: int
    gb_id: str
    name: str
    system_id: int
    jurisdiction_code: str
    lat: float
    lon: float
    azimuth_deg: float
    fov_deg: float
    range_m: float
    role: CameraRole
    stream_url: str
    username: str
    has_password: bool
    retention_days: int | None
    enabled: bool
    origin: str
    created_at: dt.datetime
    updated_at: dt.datetime
