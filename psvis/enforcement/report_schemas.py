"""The monthly report's figures (API response, stored with each scheduled report) and
the stored reports' listing.

Every figure counts facts whose instant lies in the report's window ``[start, end)``
(half-open; ``end`` is the month's end, or the moment it was generated for the
current month), over the jurisdiction and its descendants. States "at the end" (a site
uncovered, a ticket still overdue) are judged at ``end``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class _Figures(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryRow(_Figures):
    """Art. 8(n): the mandatory sites of one category and whether they were covered."""

    category: str = Field(description="SiteCategory value, art8_1 … art8_11.")
    article: str = Field(description='"Art. 8(n)".')
    sites: int = Field(description="Sites of the category registered before the end.")
    uncovered: int = Field(
        description="Of them, with the Art. 8 finding (no accepted, operating system with a "
        "camera at an entrance, passage or key spot) open at the end."
    )

    @property
    def covered(self) -> int:
        return self.sites - self.uncovered


class UptimeRow(_Figures):
    """Health's stored daily uptime (docs/design/health.md), summed over the month:
    the time-weighted uptime of the jurisdiction's cameras."""

    available: bool = Field(description="False when no uptime was stored for the month.")
    cameras: int = Field(description="Cameras with at least one stored uptime day.")
    recorded_ms: int
    window_ms: int
    outage_ms: int
    percent: float | None = Field(description="recorded ÷ window × 100; None without a window.")


class FaultRow(_Figures):
    """One ticket cause (an outage, or a VQD fault class)."""

    cause: str
    tickets_opened: int = Field(description="Tickets opened in the window.")
    cameras_diagnosed: int = Field(
        description="Distinct cameras with a diagnosis finding this class in the window "
        "(0 for outages: they are not diagnosed)."
    )


class CustodyRow(_Figures):
    """Retrieval requests touching the jurisdiction (a camera of it in scope, Art. 18)."""

    requests: int = Field(description="Requests filed in the window.")
    approved: int = Field(description="Approvals decided in the window.")
    rejected: int = Field(description="Rejections decided in the window.")
    registrations: int = Field(description="Registration-book entries (Art. 19(4)) made.")


class BasisRow(_Figures):
    """Cases under one provision."""

    basis: str
    article: str
    opened: int = Field(description="Cases opened in the window.")
    orders: int = Field(description="Correction orders issued in the window.")
    decisions: int = Field(description="Penalty decisions made in the window.")
    fines_yuan: int = Field(description="Fines decided in the window (unit + manager), yuan.")


class TicketRow(_Figures):
    overdue_in_month: int = Field(description="Tickets whose repair deadline passed in the window.")
    overdue_at_end: int = Field(description="Overdue tickets not yet verified repaired at the end.")


class ReportFigures(_Figures):
    """One jurisdiction's month."""

    jurisdiction_code: str
    jurisdiction_name: str
    month: str = Field(description="YYYY-MM (China civil month).")
    start: dt.datetime
    end: dt.datetime
    complete: bool = Field(description="False: the current month, to date.")
    generated_at: dt.datetime
    compliance: list[CategoryRow]
    uptime: UptimeRow
    faults: list[FaultRow]
    custody: CustodyRow
    cases: list[BasisRow]
    tickets: TicketRow


class StoredReportRead(_Figures):
    """A report the schedule generated and stored (its files' hashes are on the ledger)."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    id: int
    jurisdiction_code: str
    month: dt.date
    generated_at: dt.datetime
    xlsx_sha256: str
    xlsx_size_bytes: int
    pdf_sha256: str
    pdf_size_bytes: int
