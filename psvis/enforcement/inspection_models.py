"""Inspection tables (Art. 21): the visit, its checklist results, its photos and the cases
that followed it.

Facts written once: an inspection is recorded whole (every item of its checklist, see
:mod:`psvis.enforcement.checklists`), photos are added to it and never removed, and a
follow-up case is linked to it. ``inspected_on`` is the China civil date of the visit;
instants are aware UTC. Photos are stored content-addressed under
``<data_dir>/enforcement/photos/<sha256>`` (:mod:`psvis.enforcement.photos`); the row
keeps the hash, size and type, and the hash is on the ledger.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.enforcement.checklists import ItemResult
from psvis.registry.enums import SiteCategory


class Inspection(Base):
    """One police visit to one site. ``category`` is the site's category at the visit
    (it chose the checklist); ``unit_id`` the site's responsible unit then."""

    __tablename__ = "enforcement_inspection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    category: Mapped[SiteCategory] = mapped_column(str_enum(SiteCategory, "site_category"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    inspected_on: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Items that failed, kept with the row so lists and reports need no join.
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(String(2000), default="")

    __table_args__ = (CheckConstraint("failed_count >= 0", name="failed_count_nonnegative"),)


class InspectionItem(Base):
    """One checklist item's result at an inspection."""

    __tablename__ = "enforcement_inspection_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("enforcement_inspection.id"))
    item: Mapped[str] = mapped_column(String(32))
    result: Mapped[ItemResult] = mapped_column(str_enum(ItemResult, "inspection_item_result"))
    note: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        UniqueConstraint("inspection_id", "item", name="uq_enforcement_inspection_item"),
    )


class InspectionPhoto(Base):
    """A photo taken at an inspection (of one item, or of the site when ``item`` is "")."""

    __tablename__ = "enforcement_inspection_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("enforcement_inspection.id"), index=True)
    item: Mapped[str] = mapped_column(String(32), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(32))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("inspection_id", "sha256", name="uq_enforcement_inspection_photo"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )


class InspectionFollowup(Base):
    """A case opened on an inspection's failed items (``items``: comma-separated keys)."""

    __tablename__ = "enforcement_inspection_followup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("enforcement_inspection.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    items: Mapped[str] = mapped_column(String(400))
