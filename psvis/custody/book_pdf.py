"""The registration book (登记簿) as a PDF: one row per registration of an execution
session, for a unit or a bureau.

Art. 19 requires a registration (登记) whenever footage is viewed, copied or retrieved:
who (two officers and their work IDs), under which approval, what and when. The console
shows the same rows filtered; this file prints them for the paper file.

Layout: A4 landscape, the column headings repeated at the top of every page, long
texts wrapped inside their column, "第 N 页 / 共 M 页" at the bottom, all times in
China time (UTC+8, ``CHINA_TZ``; Asia/Shanghai has kept UTC+8 without DST since 1991).
The text is set in a system CJK font (:mod:`psvis.custody.fonts`). Characters that font
cannot draw become "□"; control and bidi-format characters become spaces; a cell longer
than :data:`MAX_CELL_LINES` lines is cut with "…" so one row always fits on a page (the
full text stays in the console and the ledger).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace as CellStyle
from fpdf.fonts import TTFFont

from psvis.core.errors import InvalidInput
from psvis.core.timeutil import CHINA_TZ, as_utc
from psvis.custody.fonts import FontFace, find_cjk_font

__all__ = ["MAX_ROWS", "BookRow", "Officer", "render_book"]

#: A book larger than this is refused: narrow the filter (about 3,000 pages).
MAX_ROWS = 20_000
#: Lines one cell may take before it is cut (keeps every row shorter than a page).
MAX_CELL_LINES = 20
#: Characters of the title and of the scope line (one line each on every page).
MAX_TITLE_CHARS = 80
FONT = "cjk"
TABLE_PT = 7.5
LINE_MM = 3.6
MISSING_GLYPH = "□"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

#: (heading, width in mm); the widths fill A4 landscape (297 mm) less 10 mm margins.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 8),
    ("申请编号", 20),
    ("案件编号", 22),
    ("申请部门", 18),
    ("事由", 26),
    ("单位", 20),
    ("摄像机", 22),
    ("调取时段", 22),
    ("操作", 14),
    ("审批文书", 20),
    ("审批人", 16),
    ("经办人 A", 18),
    ("经办人 B", 18),
    ("会话", 21),
    ("访问次数", 12),
)


@dataclass(frozen=True, slots=True)
class Officer:
    """An officer as registered: name and police work-ID number (Art. 19 工作证件)."""

    name: str
    work_id: str


@dataclass(frozen=True, slots=True)
class BookRow:
    """One registration. Times are aware (naive ones are read as UTC, as SQLite returns
    them); ``closed_at`` is None while the session is open."""

    number: int
    request_number: str
    case_number: str
    department: str
    purpose: str
    unit: str
    cameras: str
    range_start: dt.datetime
    range_end: dt.datetime
    actions: str
    approval_document: str
    approved_by: str
    officer_a: Officer
    officer_b: Officer
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    accesses: int


def _china(value: dt.datetime) -> str:
    return as_utc(value).astimezone(CHINA_TZ).strftime(TIME_FORMAT)


class _Book(FPDF):
    book_title = ""
    book_scope = ""
    generated = ""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        # The page count is written where this alias stands, anywhere in the document: a
        # random one, so "{nb}" typed into a field stays text.
        self.alias_nb_pages(f"{{nb-{secrets.token_hex(8)}}}")

    def header(self) -> None:
        self.set_font(FONT, size=13)
        self.cell(0, 7, self.book_title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"范围：{self.book_scope}", new_x="LMARGIN")
        self.cell(0, 5, f"生成时间：{self.generated}（北京时间）", align="R")
        self.ln(7)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {self.str_alias_nb_pages} 页", align="C")


class _Text:
    """Cleans user text for the font: control/format characters → space, glyphs the font
    lacks → □, cells cut at their line budget."""

    def __init__(self, cmap: Container[int]) -> None:
        self.cmap = cmap

    def clean(self, value: object) -> str:
        text = "" if value is None else str(value)
        out = []
        for ch in text:
            if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs"}:
                out.append(" ")
            elif ord(ch) in self.cmap or ch == " ":
                out.append(ch)
            else:
                out.append(MISSING_GLYPH)
        return re.sub(r" {2,}", " ", "".join(out)).strip()

    def cell(self, *parts: object, width_mm: float) -> str:
        """Clean each part and put each on its own line within the cell's budget; every
        part gets an equal share, so a huge name cannot push its work ID out."""
        em_mm = TABLE_PT * 25.4 / 72
        per_line = max(1, math.floor((width_mm - 2) / em_mm))  # wide glyphs, the worst case
        share = max(2, per_line * MAX_CELL_LINES // len(parts))
        lines = [self.clean(part) for part in parts]
        return "\n".join(line if len(line) <= share else line[: share - 1] + "…" for line in lines)


def render_book(
    *,
    title: str,
    rows: Sequence[BookRow],
    generated_at: dt.datetime,
    scope: str,
    fonts: Sequence[FontFace] | None = None,
) -> bytes:
    """The registration book of ``rows`` (in the given order) as PDF bytes.

    ``scope`` says whose book it is and how it was filtered (e.g. "某区分局 · 2024-05"),
    printed under the title of every page. ``fonts`` restricts the font search
    (:func:`psvis.custody.fonts.find_cjk_font`).
    """
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise InvalidInput("rows must be a sequence of BookRow")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"more than {MAX_ROWS} registrations: narrow the filter")
    for row in rows:
        if not isinstance(row, BookRow):
            raise InvalidInput("rows must be a sequence of BookRow")
    face = find_cjk_font(fonts)
    pdf = _Book()
    pdf.add_font(FONT, "", str(face.path), collection_font_number=face.index)
    loaded = pdf.fonts[FONT]
    assert isinstance(loaded, TTFFont)  # add_font always loads a TrueType/OpenType font
    text = _Text(loaded.cmap)
    pdf.book_title = text.clean(title)[:MAX_TITLE_CHARS] or "登记簿"
    pdf.book_scope = text.clean(scope)[:MAX_TITLE_CHARS]
    pdf.generated = _china(generated_at)
    pdf.set_lang("zh-CN")
    pdf.set_title(pdf.book_title)
    pdf.set_creator("psvis")
    pdf.set_creation_date(as_utc(generated_at))
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font(FONT, size=TABLE_PT)
    widths = [width for _, width in COLUMNS]
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        line_height=LINE_MM,
        text_align="LEFT",
        wrapmode=WrapMode.WORD,  # CJK runs and over-long words still break per character
        headings_style=CellStyle(fill_color=(225, 225, 225)),
        first_row_as_headings=True,
    ) as table:
        heading = table.row()
        for name, _ in COLUMNS:
            heading.cell(name)
        for row in rows:
            cells = _cells(row, text)
            line = table.row()
            for value, (_, width) in zip(cells, COLUMNS, strict=True):
                line.cell(text.cell(*value, width_mm=width))
    if not rows:
        pdf.ln(4)
        pdf.cell(0, 6, "本范围内没有登记。", align="C")
    return bytes(pdf.output())


def _cells(row: BookRow, text: _Text) -> list[tuple[object, ...]]:
    """Each column's parts, one line each (joined with line breaks in the cell)."""

    def officer(person: Officer) -> tuple[object, ...]:
        return (person.name, f"警号 {text.clean(person.work_id)}")

    session_end = f"止 {_china(row.closed_at)}" if row.closed_at is not None else "进行中"
    return [
        (row.number,),
        (row.request_number,),
        (row.case_number,),
        (row.department,),
        (row.purpose,),
        (row.unit,),
        (row.cameras,),
        (_china(row.range_start), f"至 {_china(row.range_end)}"),
        (row.actions,),
        (row.approval_document,),
        (row.approved_by,),
        officer(row.officer_a),
        officer(row.officer_b),
        (f"起 {_china(row.opened_at)}", session_end),
        (row.accesses,),
    ]
