"""The registration book (登记簿, Art. 19(4)) in the console: filterable and paged, and
the same filter as a PDF for the paper file (:func:`psvis.custody.book_pdf.render_book`).

Whose book a viewer reads is the service's decision (``list_registrations``): a
bureau's — registrations of units in its jurisdiction or made on its requests — or a
unit administrator's own units'. Dates are China-time civil days, both inclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from psvis.auth.policy import Resource
from psvis.console.context import ConsoleCtx, Ctx
from psvis.console.custody_common import (
    BOOK,
    PREFIX,
    actions_text,
    china,
    day_start,
    parse_day,
    render,
)
from psvis.console.params import DEFAULT_LIMIT, Choice, Limit, Offset, Pager, code_or_none
from psvis.console.route import ConsoleRoute
from psvis.core.errors import InvalidInput
from psvis.core.timeutil import utcnow
from psvis.custody import book_pdf, service
from psvis.custody.book_pdf import BookRow, Officer
from psvis.custody.enums import DepartmentKind
from psvis.custody.models import Registration

router = APIRouter(route_class=ConsoleRoute)

#: Rows fetched per query while collecting the PDF's rows.
PDF_BATCH = 500
TITLE = "公共安全视频图像信息调取登记簿"


@dataclass(frozen=True, slots=True)
class BookFilter:
    unit_id: int | None
    jurisdiction: str | None
    day_from: dt.date | None
    day_to: dt.date | None
    number: str

    @property
    def opened_from(self) -> dt.datetime | None:
        return day_start(self.day_from) if self.day_from else None

    @property
    def opened_until(self) -> dt.datetime | None:
        return day_start(self.day_to + dt.timedelta(days=1)) if self.day_to else None


def book_filter(
    unit: str, jurisdiction: str, day_from: str, day_to: str, number: str
) -> BookFilter:
    unit_id = None
    if unit.strip():
        text = unit.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) < 2**31):
            raise InvalidInput(f"unit {text[:20]!r} is not a unit id")
        unit_id = int(text)
    first = parse_day(day_from, field="from")
    last = parse_day(day_to, field="to")
    if first and last and last < first:
        raise InvalidInput("the last day is before the first day")
    return BookFilter(
        unit_id=unit_id,
        jurisdiction=code_or_none(jurisdiction),
        day_from=first,
        day_to=last,
        number=number.strip()[:32],
    )


def _rows(ctx: Ctx, f: BookFilter, *, limit: int, offset: int) -> tuple[list[Registration], int]:
    return service.list_registrations(
        ctx.session,
        principal=ctx.principal,
        unit_id=f.unit_id,
        jurisdiction_code=f.jurisdiction,
        opened_from=f.opened_from,
        opened_until=f.opened_until,
        request_number=f.number or None,
        limit=limit,
        offset=offset,
    )


def _department(row: Registration, lang: str) -> str:
    if row.department_kind is DepartmentKind.OTHER and row.legal_basis:
        basis = "依据" if lang == "zh-CN" else "under"
        return f"{row.department_name}（{basis}：{row.legal_basis}）"
    return row.department_name


def _cameras(row: Registration) -> str:
    return "、".join(f"{s.get('name', '')}（{s.get('gb_id', '')}）" for s in row.scopes)


def view_row(ctx: Ctx, row: Registration) -> dict[str, Any]:
    return {
        "id": row.id,
        "request_id": row.request_id,
        "session_id": row.session_id,
        "request_number": row.request_number,
        "case_number": row.case_number,
        "department": _department(row, ctx.lang),
        "purpose": row.purpose,
        "unit": row.unit_name,
        "unit_id": row.unit_id,
        "jurisdiction": ctx.jname(row.jurisdiction_code),
        "cameras": _cameras(row),
        "range": f"{china(row.range_start)} – {china(row.range_end)}",
        "actions": actions_text(row.actions, ctx.lang),
        "document": row.document_number,
        "approver": row.approver_name,
        "officer_a": f"{row.officer_a_name}（{row.officer_a_work_id}）",
        "officer_b": f"{row.officer_b_name}（{row.officer_b_work_id}）",
        "opened": china(row.opened_at),
        "closed": china(row.closed_at) if row.closed_at else "",
        "accessed": row.accessed_segments,
    }


@router.get(BOOK)
def book(
    ctx: ConsoleCtx,
    unit: Choice = "",
    jurisdiction: Choice = "",
    day_from: Choice = "",
    day_to: Choice = "",
    number: Choice = "",
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> HTMLResponse:
    ctx.require(Resource.CUSTODY_REGISTRATION)
    f = book_filter(unit, jurisdiction, day_from, day_to, number)
    rows, total = _rows(ctx, f, limit=limit, offset=offset)
    params = {
        "unit": unit,
        "jurisdiction": jurisdiction,
        "day_from": day_from,
        "day_to": day_to,
        "number": number,
    }
    return render(
        ctx,
        "custody/book.html",
        tab="book",
        rows=[view_row(ctx, r) for r in rows],
        pager=Pager(limit, offset, total),
        f=params,
        pdf_params={k: v for k, v in params.items() if v},
        requests_readable=ctx.viewer.may_read(Resource.CUSTODY_REQUEST),
        prefix=PREFIX,
    )


def book_row(index: int, row: Registration) -> BookRow:
    """One registration as a line of the paper book (zh-CN: the book is Chinese)."""
    return BookRow(
        number=index,
        request_number=row.request_number,
        case_number=row.case_number,
        department=_department(row, "zh-CN"),
        purpose=row.purpose,
        unit=row.unit_name,
        cameras=_cameras(row),
        range_start=row.range_start,
        range_end=row.range_end,
        actions=actions_text(row.actions, "zh-CN"),
        approval_document=row.document_number,
        approved_by=row.approver_name,
        officer_a=Officer(name=row.officer_a_name, work_id=row.officer_a_work_id),
        officer_b=Officer(name=row.officer_b_name, work_id=row.officer_b_work_id),
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        accesses=row.accessed_segments,
    )


def _scope_text(ctx: Ctx, f: BookFilter) -> str:
    parts = []
    code = f.jurisdiction or ctx.principal.jurisdiction_code
    parts.append(ctx.jname(code) if code else "本单位")
    if f.unit_id:
        parts.append(f"单位 #{f.unit_id}")
    if f.day_from or f.day_to:
        first = f.day_from.isoformat() if f.day_from else "…"
        last = f.day_to.isoformat() if f.day_to else "…"
        parts.append(f"{first} 至 {last}")
    if f.number:
        parts.append(f"申请编号 {f.number}")
    return " · ".join(parts)


@router.get(f"{BOOK}.pdf")
def book_pdf_download(
    ctx: ConsoleCtx,
    unit: Choice = "",
    jurisdiction: Choice = "",
    day_from: Choice = "",
    day_to: Choice = "",
    number: Choice = "",
) -> Response:
    ctx.require(Resource.CUSTODY_REGISTRATION)
    f = book_filter(unit, jurisdiction, day_from, day_to, number)

    def collect() -> list[Registration]:  # every page of the filter
        found: list[Registration] = []
        while True:
            batch, total = _rows(ctx, f, limit=PDF_BATCH, offset=len(found))
            if total > book_pdf.MAX_ROWS:
                raise InvalidInput(
                    f"{total} registrations: more than {book_pdf.MAX_ROWS}; narrow the filter"
                )
            found += batch
            if not batch or len(found) >= total:
                return found

    rows = collect()
    now = utcnow()
    # Oldest first, numbered as a paper book is (the console lists newest first).
    pdf = book_pdf.render_book(
        title=TITLE,
        rows=[book_row(i, r) for i, r in enumerate(reversed(rows), start=1)],
        generated_at=now,
        scope=_scope_text(ctx, f),
    )
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="registrations-{stamp}.pdf"',
            "Cache-Control": "no-store",
        },
    )
