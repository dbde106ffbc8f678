"""Monthly report API (Art. 21) under ``/api/v1/enforcement/reports``: a jurisdiction's
month on demand (figures as JSON, or the XLSX / PDF), and the reports the schedule
stored (their files served only while they match their recorded SHA-256).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response

from psvis.api.deps import CurrentPrincipal, DbSession, ObjectId, State, permission
from psvis.auth.policy import Action, Resource
from psvis.core.errors import InvalidInput
from psvis.core.schemas import ErrorResponse, Page
from psvis.enforcement import report_rules, reports
from psvis.enforcement.report_schemas import ReportFigures, StoredReportRead

router = APIRouter(prefix="/reports", tags=["enforcement"])

Code = Annotated[str, Path(pattern=r"^[0-9]{6}$", description="GB/T 2260 jurisdiction code.")]
Month = Annotated[
    str, Path(pattern=r"^[0-9]{4}-[0-9]{2}$", description="China civil month, YYYY-MM.")
]
Format = Literal["xlsx", "pdf"]
Lang = Literal["zh-CN", "en"]
REFUSALS: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}
FILES: dict[int | str, dict[str, object]] = {
    200: {"content": {t: {} for t in reports.MEDIA_TYPES.values()}},
    **REFUSALS,
}


def _month(text: str) -> dt.date:
    try:
        return report_rules.parse_month(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _file(data: bytes, *, fmt: str, name: str, sha256: str | None = None) -> Response:
    headers = {
        "Content-Disposition": f"attachment; filename={name}; filename*=UTF-8''{quote(name)}"
    }
    if sha256:
        headers["X-Content-SHA256"] = sha256
    return Response(data, media_type=reports.MEDIA_TYPES[fmt], headers=headers)


@router.get(
    "/monthly/{code}/{month}",
    response_model=ReportFigures,
    responses=REFUSALS,
    **permission(Resource.REPORT, Action.READ),
)
def monthly_figures(
    session: DbSession, principal: CurrentPrincipal, code: Code, month: Month
) -> ReportFigures:
    """The month's figures (the current month to now; a future month is refused)."""
    return reports.monthly(session, principal=principal, code=code, month=_month(month))


@router.get(
    "/monthly/{code}/{month}/{fmt}",
    response_class=Response,
    responses=FILES,
    **permission(Resource.REPORT, Action.READ),
)
def monthly_file(
    session: DbSession,
    principal: CurrentPrincipal,
    code: Code,
    month: Month,
    fmt: Format,
    lang: Lang = "zh-CN",
) -> Response:
    """The month's report as XLSX or PDF, generated now (with charts)."""
    first = _month(month)
    figures = reports.monthly(session, principal=principal, code=code, month=first)
    data = (
        reports.render_xlsx(figures, lang=lang)
        if fmt == "xlsx"
        else reports.render_pdf(figures, lang=lang)
    )
    return _file(data, fmt=fmt, name=reports.file_name(code, first, fmt))


@router.get(
    "",
    response_model=Page[StoredReportRead],
    **permission(Resource.REPORT, Action.READ),
)
def list_stored(
    session: DbSession,
    principal: CurrentPrincipal,
    jurisdiction: Annotated[str | None, Query(pattern=r"^[0-9]{6}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[StoredReportRead]:
    """The reports the schedule stored, newest month first."""
    rows, total = reports.list_reports(
        session, principal=principal, jurisdiction_code=jurisdiction, limit=limit, offset=offset
    )
    return Page(
        items=[StoredReportRead.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{report_id}/{fmt}",
    response_class=Response,
    responses=FILES,
    **permission(Resource.REPORT, Action.READ),
)
def stored_file(
    session: DbSession, principal: CurrentPrincipal, state: State, report_id: ObjectId, fmt: Format
) -> Response:
    """A stored report's file, exactly as stored (409 if it no longer matches its hash)."""
    row, data = reports.stored_file(
        session,
        principal=principal,
        report_id=report_id,
        fmt=fmt,
        data_dir=state.settings.data_dir,
    )
    sha = row.xlsx_sha256 if fmt == "xlsx" else row.pdf_sha256
    return _file(
        data, fmt=fmt, name=reports.file_name(row.jurisdiction_code, row.month, fmt), sha256=sha
    )
