"""Monthly reports the schedule generated and stored (docs/design/enforcement.md).

One row per jurisdiction and month (unique: two nodes running the schedule cannot both
store one); the files live under ``<data_dir>/reports/<code>/<YYYY-MM>.{xlsx,pdf}`` and
their SHA-256 are here and on the ledger, so a file edited afterwards no longer matches.
Rows are facts, never changed or deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from psvis.core.db import Base
from psvis.core.timeutil import utcnow
from psvis.core.types import UTCDateTime


class MonthlyReport(Base):
    __tablename__ = "enforcement_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdiction.code"), index=True)
    #: The China civil month, named by its first day.
    month: Mapped[dt.date] = mapped_column(Date)
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The figures as printed (``ReportFigures`` as JSON).
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    xlsx_size_bytes: Mapped[int] = mapped_column(Integer)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size_bytes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("jurisdiction_code", "month", name="uq_enforcement_report_month"),
        CheckConstraint("xlsx_size_bytes > 0 AND pdf_size_bytes > 0", name="files_not_empty"),
    )
