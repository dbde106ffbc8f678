"""The monthly report as an XLSX workbook (openpyxl): one sheet per section, the
numbers as numbers (so a reader can sum them again), a bar chart beside each table
that has one (compliance by Art. 8 category, faults by cause, cases by provision).

Text from the database (the jurisdiction's name) goes into cells as values, never as
formulas: openpyxl takes a string that begins with "=" for a formula, so every cell it
typed as a formula is set back to a string (the report writes no formulas of its own).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from psvis.enforcement.report_schemas import ReportFigures

#: ``words(key)`` → the label in the report's language (the console catalog).
Words = Callable[[str], str]


def _append(ws: Worksheet, row: Sequence[object]) -> None:
    ws.append(list(row))
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":  # text that merely starts with "=": keep it text
            cell.data_type = "s"


def _table(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    _append(ws, header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(ws, row)
    for index, _ in enumerate(header):
        ws.column_dimensions[chr(ord("A") + index)].width = 16 if index else 34


def _chart(
    ws: Worksheet, *, title: str, first_row: int, rows: int, columns: Sequence[int], at: str
) -> None:
    """A clustered bar chart of ``columns`` (1-based) over ``rows`` data rows whose
    header is ``first_row``; categories from column A."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.height = max(7.5, 0.55 * rows + 3)
    chart.width = 18
    for column in columns:
        data = Reference(ws, min_col=column, min_row=first_row, max_row=first_row + rows)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row + 1, max_row=first_row + rows))
    ws.add_chart(chart, at)


def render(figures: ReportFigures, *, words: Words) -> bytes:
    """The workbook's bytes."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None  # a new workbook has its first sheet
    summary.title = words("report.sheet.summary")
    up = figures.uptime
    _table(
        summary,
        [words("report.item"), words("report.value")],
        [
            [
                words("report.jurisdiction"),
                f"{figures.jurisdiction_name} ({figures.jurisdiction_code})",
            ],
            [words("report.month"), figures.month],
            [words("report.window_start"), figures.start.isoformat()],
            [words("report.window_end"), figures.end.isoformat()],
            [words("report.complete"), words("report.yes" if figures.complete else "report.no")],
            [words("report.generated_at"), figures.generated_at.isoformat()],
            [
                words("report.uptime"),
                words("report.not_available") if up.percent is None else round(up.percent, 2),
            ],
            [words("report.uptime_cameras"), up.cameras],
            [words("report.requests"), figures.custody.requests],
            [words("report.approved"), figures.custody.approved],
            [words("report.rejected"), figures.custody.rejected],
            [words("report.registrations"), figures.custody.registrations],
            [words("report.overdue_in_month"), figures.tickets.overdue_in_month],
            [words("report.overdue_at_end"), figures.tickets.overdue_at_end],
        ],
    )

    ws = wb.create_sheet(words("report.sheet.compliance"))
    _table(
        ws,
        [
            words("report.category"),
            words("report.sites"),
            words("report.covered"),
            words("report.uncovered"),
        ],
        [
            [words(f"category.{r.category}"), r.sites, r.covered, r.uncovered]
            for r in figures.compliance
        ],
    )
    _chart(
        ws,
        title=words("report.chart.compliance"),
        first_row=1,
        rows=len(figures.compliance),
        columns=(3, 4),
        at="F2",
    )

    ws = wb.create_sheet(words("report.sheet.faults"))
    _table(
        ws,
        [words("report.cause"), words("report.tickets_opened"), words("report.cameras_diagnosed")],
        [
            [words(f"cause.{r.cause}"), r.tickets_opened, r.cameras_diagnosed]
            for r in figures.faults
        ],
    )
    _chart(
        ws,
        title=words("report.chart.faults"),
        first_row=1,
        rows=len(figures.faults),
        columns=(2, 3),
        at="E2",
    )

    ws = wb.create_sheet(words("report.sheet.cases"))
    _table(
        ws,
        [
            words("report.basis"),
            words("report.opened"),
            words("report.orders"),
            words("report.decisions"),
            words("report.fines_yuan"),
        ],
        [
            [words(f"enforcement.basis.{r.basis}"), r.opened, r.orders, r.decisions, r.fines_yuan]
            for r in figures.cases
        ],
    )
    _chart(
        ws,
        title=words("report.chart.cases"),
        first_row=1,
        rows=len(figures.cases),
        columns=(2, 3, 4),
        at="G2",
    )

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
