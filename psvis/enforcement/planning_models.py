"""Planned camera points (Art. 7): where the plan puts a new camera, and what the
duplicate-coverage check found when it was added (a snapshot: the cameras around it
may change; the page re-checks live).

Rows are facts of the plan, never deleted; lat/lon WGS 84 degrees, azimuth clockwise
from north, ranges in metres.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.registry.enums import CameraRole


class PlannedPoint(Base):
    __tablename__ = "enforcement_planned_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The site's, copied when planned (scoping needs no join).
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: What the planned camera will watch at the site (Art. 8: entrance, passage, key spot).
    role: Mapped[CameraRole] = mapped_column(str_enum(CameraRole, "camera_role"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    azimuth_deg: Mapped[float] = mapped_column(Float)
    fov_deg: Mapped[float] = mapped_column(Float)
    range_m: Mapped[float] = mapped_column(Float)
    planned_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    planned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The duplicate-coverage check when planned: share of the field of view covered,
    #: the threshold it was judged against, the covering cameras, and the flag.
    covered_share: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    covering_camera_ids: Mapped[list[int]] = mapped_column(JSON)
    duplicate: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint("azimuth_deg >= 0 AND azimuth_deg < 360", name="azimuth_range"),
        CheckConstraint("fov_deg > 0 AND fov_deg <= 360", name="fov_range"),
        CheckConstraint("range_m > 0 AND range_m <= 5000", name="range_positive"),
        CheckConstraint("covered_share >= 0 AND covered_share <= 1", name="share_range"),
    )
