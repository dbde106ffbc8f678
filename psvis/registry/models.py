"""Registry tables (SQLAlchemy 2, typed). Pydantic schemas live in ``schemas.py``.

Every row carries the jurisdiction it belongs to (Art. 4) so that scoping is one indexed
``WHERE jurisdiction_code IN (...)`` on every query; systems and cameras copy their
site's jurisdiction, kept equal by the service layer.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.registry.enums import (
    AcceptanceResult,
    CameraRole,
    Investment,
    LifecycleState,
    NetworkInterface,
    SiteCategory,
    UnitKind,
)


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Jurisdiction(Base):
    """A node of the jurisdiction tree (GB/T 2260 code), loaded from a data file."""

    __tablename__ = "jurisdiction"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        CheckConstraint("length(code) = 6", name="code_six_digits"),
        CheckConstraint("level IN ('city', 'district')", name="level_known"),
    )


class Unit(Timestamps, Base):
    """单位: an organisation that builds, uses or maintains systems."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind, "unit_kind"))
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")


class Site(Timestamps, Base):
    """场所: a place with a category from Art. 8, Art. 9 or other."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Caller-chosen reference (e.g. the bureau's survey number); import files use it to
    #: point systems at sites. Unique when set.
    ref: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    category: Mapped[SiteCategory] = mapped_column(
        str_enum(SiteCategory, "site_category"), index=True
    )
    responsible_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)

    responsible_unit: Mapped[Unit] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )


class System(Timestamps, Base):
    """系统: the video system at a site, with its lifecycle (Art. 13, 15) and duties."""

    __tablename__ = "system"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Caller-chosen reference; import files use it to point cameras at systems.
    ref: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    builder_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    user_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    maintainer_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    maintenance_contract: Mapped[str] = mapped_column(String(100), default="")
    investment: Mapped[Investment] = mapped_column(str_enum(Investment, "investment"))
    signage_present: Mapped[bool] = mapped_column(Boolean, default=False)
    network_interface: Mapped[NetworkInterface] = mapped_column(
        str_enum(NetworkInterface, "network_interface"), default=NetworkInterface.NONE
    )
    retention_days: Mapped[int] = mapped_column(Integer, default=30)
    observed_retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    state: Mapped[LifecycleState] = mapped_column(
        str_enum(LifecycleState, "lifecycle_state"), default=LifecycleState.PLANNED, index=True
    )
    in_operation: Mapped[bool] = mapped_column(Boolean, default=False)
    commissioned_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    acceptance_police_participant: Mapped[str] = mapped_column(String(100), default="")
    acceptance_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    acceptance_result: Mapped[AcceptanceResult | None] = mapped_column(
        str_enum(AcceptanceResult, "acceptance_result"), default=None
    )
    removal_notice_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    planned_removal_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    removed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    filing_number: Mapped[str] = mapped_column(String(64), default="")
    filing_date: Mapped[dt.date | None] = mapped_column(Date, default=None)

    site: Mapped[Site] = relationship(lazy="raise")

    __table_args__ = (
        # Art. 17(4): the schema itself refuses retention below 30 days.
        CheckConstraint("retention_days >= 30", name="retention_at_least_30_days"),
        CheckConstraint(
            "observed_retention_days IS NULL OR observed_retention_days >= 0",
            name="observed_retention_non_negative",
        ),
        CheckConstraint(
            "state <> 'accepted' OR (acceptance_date IS NOT NULL "
            "AND acceptance_result = 'passed' AND acceptance_police_participant <> '')",
            name="accepted_has_acceptance",
        ),
        CheckConstraint(
            "state <> 'removal_notified' OR (removal_notice_date IS NOT NULL "
            "AND planned_removal_date IS NOT NULL)",
            name="removal_notified_has_dates",
        ),
        CheckConstraint("state <> 'removed' OR removed_on IS NOT NULL", name="removed_has_date"),
    )


class Camera(Timestamps, Base):
    """前端设备: one camera with its GB/T 28181 ID, placement and stream."""

    __tablename__ = "camera"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gb_id: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    system_id: Mapped[int] = mapped_column(ForeignKey("system.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    azimuth_deg: Mapped[float] = mapped_column(Float, default=0.0)
    fov_deg: Mapped[float] = mapped_column(Float, default=90.0)
    range_m: Mapped[float] = mapped_column(Float, default=30.0)
    role: Mapped[CameraRole] = mapped_column(str_enum(CameraRole, "camera_role"))
    stream_url: Mapped[str] = mapped_column(String(500), default="")
    username: Mapped[str] = mapped_column(String(100), default="")
    # Fernet token of the password (core.secrets); never returned, never logged.
    password_encrypted: Mapped[str] = mapped_column(Text, default="")
    retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # "registry" (through API, CLI or import) or "legacy_survey" (existing installation
    # recorded as found; may violate Art. 9 and then becomes a finding, never refused).
    origin: Mapped[str] = mapped_column(String(16), default="registry")

    system: Mapped[System] = relationship(lazy="raise")

    @property
    def has_password(self) -> bool:
        """Whether a password is stored (the API shows this, never the password)."""
        return bool(self.password_encrypted)

    __table_args__ = (
        CheckConstraint("length(gb_id) = 20", name="gb_id_twenty_digits"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("azimuth_deg >= 0 AND azimuth_deg < 360", name="azimuth_range"),
        CheckConstraint("fov_deg > 0 AND fov_deg <= 360", name="fov_range"),
        CheckConstraint("range_m > 0", name="range_positive"),
        CheckConstraint(
            "retention_days IS NULL OR retention_days >= 30", name="retention_at_least_30_days"
        ),
        CheckConstraint("origin IN ('registry', 'legacy_survey')", name="origin_known"),
    )
