"""The monthly report as PDF (fpdf2, the system CJK font of :mod:`psvis.custody.fonts`):
a summary, then one table per section with a horizontal bar chart drawn from
rectangles — each bar's length is its value over the section's largest value, and the
value is printed at its end, so the chart reads the same numbers as the table.

Characters the font cannot draw become "□" (the jurisdiction's name is data), as on
the enforcement documents (:mod:`psvis.enforcement.documents`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.fonts import TTFFont

from psvis.core.timeutil import CHINA_TZ
from psvis.custody.fonts import FontFace, find_cjk_font
from psvis.enforcement.documents import FONT, _Clean
from psvis.enforcement.report_schemas import ReportFigures

Words = Callable[[str], str]

#: Series colours (RGB): first, second, third series of a chart.
COLOURS = ((46, 125, 50), (198, 40, 40), (21, 101, 192))
LABEL_W = 62.0
ROW_H = 5.0
PAGE_W = 210.0
MARGIN = 15.0


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    #: Which value columns are charted (indexes into each row's values).
    charted: tuple[int, ...]


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"{self.footer_text}  {self.page_no()}", align="C")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut (with "…") to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _table(pdf: FPDF, section: Section, clean: _Clean) -> None:
    value_w = (PAGE_W - 2 * MARGIN - LABEL_W) / max(1, len(section.header) - 1)
    pdf.set_font(FONT, size=8)
    pdf.set_fill_color(235, 235, 235)
    for index, head in enumerate(section.header):
        width = LABEL_W if index == 0 else value_w
        pdf.cell(width, ROW_H, _fit(pdf, clean(head), width - 1), border=1, fill=True)
    pdf.ln(ROW_H)
    for label, values in section.rows:
        pdf.cell(LABEL_W, ROW_H, _fit(pdf, clean(label), LABEL_W - 1), border=1)
        for value in values:
            pdf.cell(value_w, ROW_H, str(value), border=1, align="R")
        pdf.ln(ROW_H)


def _chart(pdf: FPDF, section: Section, clean: _Clean) -> None:
    """Grouped horizontal bars: per row one bar per charted column."""
    series = section.charted
    largest = max((values[i] for _, values in section.rows for i in series), default=0)
    bar_h = 3.2
    group_h = bar_h * len(series) + 1.6
    span = PAGE_W - 2 * MARGIN - LABEL_W - 14
    pdf.set_font(FONT, size=7)
    # The legend: one swatch per series.
    x = MARGIN + LABEL_W
    for n, column in enumerate(series):
        pdf.set_fill_color(*COLOURS[n % len(COLOURS)])
        pdf.rect(x, pdf.get_y() + 1, 3, 3, style="F")
        name = _fit(pdf, clean(section.header[column + 1]), 40)
        pdf.set_xy(x + 4, pdf.get_y())
        pdf.cell(pdf.get_string_width(name) + 2, ROW_H, name)
        x += pdf.get_string_width(name) + 10
    pdf.ln(ROW_H + 1)
    for label, values in section.rows:
        if pdf.get_y() + group_h > pdf.h - 20:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_xy(MARGIN, top)
        pdf.cell(LABEL_W - 2, group_h - 1.6, _fit(pdf, clean(label), LABEL_W - 3), align="R")
        for n, column in enumerate(series):
            value = values[column]
            length = 0.0 if largest == 0 else span * value / largest
            y = top + n * bar_h
            if length > 0:
                pdf.set_fill_color(*COLOURS[n % len(COLOURS)])
                pdf.rect(MARGIN + LABEL_W, y, length, bar_h - 0.4, style="F")
            pdf.set_xy(MARGIN + LABEL_W + length + 1, y - 0.6)
            pdf.cell(12, bar_h, str(value))
        pdf.set_y(top + group_h)
    pdf.ln(2)


def sections(figures: ReportFigures, words: Words) -> list[Section]:
    return [
        Section(
            title=words("report.chart.compliance"),
            header=(
                words("report.category"),
                words("report.sites"),
                words("report.covered"),
                words("report.uncovered"),
            ),
            rows=tuple(
                (words(f"category.{r.category}"), (r.sites, r.covered, r.uncovered))
                for r in figures.compliance
            ),
            charted=(1, 2),
        ),
        Section(
            title=words("report.chart.faults"),
            header=(
                words("report.cause"),
                words("report.tickets_opened"),
                words("report.cameras_diagnosed"),
            ),
            rows=tuple(
                (words(f"cause.{r.cause}"), (r.tickets_opened, r.cameras_diagnosed))
                for r in figures.faults
            ),
            charted=(0, 1),
        ),
        Section(
            title=words("report.chart.cases"),
            header=(
                words("report.basis"),
                words("report.opened"),
                words("report.orders"),
                words("report.decisions"),
                words("report.fines_yuan"),
            ),
            rows=tuple(
                (
                    words(f"enforcement.basis.{r.basis}"),
                    (r.opened, r.orders, r.decisions, r.fines_yuan),
                )
                for r in figures.cases
            ),
            charted=(0, 1, 2),
        ),
    ]


def summary_lines(figures: ReportFigures, words: Words) -> list[tuple[str, str]]:
    up = figures.uptime
    local = figures.end.astimezone(CHINA_TZ)
    return [
        (words("report.month"), figures.month),
        (
            words("report.window_end"),
            local.strftime("%Y-%m-%d %H:%M")
            + ("" if figures.complete else f" ({words('report.to_date')})"),
        ),
        (
            words("report.uptime"),
            words("report.not_available")
            if up.percent is None
            else f"{up.percent:.2f}% ({up.cameras} {words('report.cameras')})",
        ),
        (words("report.requests"), str(figures.custody.requests)),
        (words("report.approved"), str(figures.custody.approved)),
        (words("report.rejected"), str(figures.custody.rejected)),
        (words("report.registrations"), str(figures.custody.registrations)),
        (words("report.overdue_in_month"), str(figures.tickets.overdue_in_month)),
        (words("report.overdue_at_end"), str(figures.tickets.overdue_at_end)),
    ]


def render(
    figures: ReportFigures, *, words: Words, fonts: Sequence[FontFace] | None = None
) -> bytes:
    """The report's PDF bytes (its creation date is the figures' ``generated_at``)."""
    face = find_cjk_font(fonts)
    pdf = _Report(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(face.path), collection_font_number=face.index)
    loaded = pdf.fonts[FONT]
    assert isinstance(loaded, TTFFont)  # add_font always loads a TrueType/OpenType font
    clean = _Clean(loaded.cmap)
    title = clean(f"{figures.jurisdiction_name} {words('report.title')} {figures.month}")
    pdf.footer_text = title
    pdf.set_lang("zh-CN")
    pdf.set_title(title)
    pdf.set_creator("psvis")
    pdf.set_creation_date(figures.generated_at.astimezone(dt.UTC))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(0, 9, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=10)
    for name, value in summary_lines(figures, words):
        pdf.cell(LABEL_W, 6, clean(name))
        pdf.cell(0, 6, clean(value), new_x="LMARGIN", new_y="NEXT")
    for section in sections(figures, words):
        pdf.ln(4)
        if pdf.get_y() > pdf.h - 80:
            pdf.add_page()
        pdf.set_font(FONT, size=12)
        pdf.cell(0, 8, clean(section.title), new_x="LMARGIN", new_y="NEXT")
        _table(pdf, section, clean)
        pdf.ln(3)
        _chart(pdf, section, clean)
    return bytes(pdf.output())
