"""Commendations (Art. 22): each names the user unit and the record it came from (one
commendation per unit and source). Written once, never deleted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime, str_enum
from psvis.enforcement.commendation_rules import SourceKind


class Commendation(Base):
    __tablename__ = "enforcement_commendation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    #: The unit's, copied (scoping needs no join).
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    source_kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, "commendation_source"))
    #: The report's, request's or case's id (a polymorphic link: checked by the service).
    source_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(2000))
    awarded_on: Mapped[dt.date] = mapped_column(Date)
    awarded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "unit_id", "source_kind", "source_id", name="uq_enforcement_commendation_source"
        ),
    )
