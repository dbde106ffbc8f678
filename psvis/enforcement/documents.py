"""The documents of a case as PDF: the correction order (责令限期改正通知书) and the
penalty decision (行政处罚决定书), filled from :mod:`psvis.enforcement.templates`.

A4 portrait, the issuing bureau and the title at the top, the number under them, the
paragraphs of the template, the bureau and the date (China civil date) at the foot, and
"第 N 页 / 共 M 页". Text is set in a system CJK font (:mod:`psvis.custody.fonts`);
characters that font cannot draw become "□", control and bidi-format characters spaces.
The PDF's bytes are what the service hashes onto the ledger and stores.

    text = correction_order_text(bureau="南昌市公安局东湖分局", number=..., ...)
    pdf = render(text)
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass
from string import Template

from fpdf import FPDF
from fpdf.fonts import TTFFont

from psvis.custody.fonts import FontFace, find_cjk_font
from psvis.enforcement import templates
from psvis.enforcement.enums import DocumentKind, Procedure
from psvis.enforcement.rules import Provision

__all__ = [
    "DocumentText",
    "chinese_date",
    "correction_order_text",
    "penalty_decision_text",
    "render",
]

FONT = "cjk"
MISSING_GLYPH = "□"
_NUMERALS = "一二三四五六七八九十"
_PLACEHOLDER = re.compile(r"\$([a-z_]+)")


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document ready to print: who issues it, its title and number, the paragraphs."""

    kind: DocumentKind
    bureau: str
    number: str
    issued_on: dt.date
    paragraphs: tuple[str, ...]

    @property
    def title(self) -> str:
        return templates.TITLES[self.kind.value]


def chinese_date(day: dt.date | None) -> str:
    """2026年3月1日 ("" for none)."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _fill(lines: Sequence[str], values: dict[str, str]) -> list[str]:
    """Each line with its placeholders filled; a line with an empty one is left out."""
    out = []
    for line in lines:
        names = _PLACEHOLDER.findall(line)
        if any(not values.get(name, "").strip() for name in names):
            continue
        out.append(Template(line).substitute(values))
    return out


def _common(
    *, provision: Provision, other_law: str, violated_zh: str, facts: str, case_number: str
) -> dict[str, str]:
    own = provision.procedure is not Procedure.OTHER_LAW
    return {
        "regulation": templates.REGULATION,
        "article_zh": provision.article_zh if own else "",
        "act": provision.act_zh if own else "",
        "violated": violated_zh if own else "",
        "other_law": f"《{other_law.strip('《》 ')}》" if other_law.strip() else "",
        "facts": facts.strip().rstrip("。") + "。",
        "case_number": case_number,
    }


def correction_order_text(
    *,
    bureau: str,
    number: str,
    issued_on: dt.date,
    party: str,
    facts: str,
    violated_zh: str,
    provision: Provision,
    other_law: str,
    deadline: dt.date | None,
    requirement: str,
    case_number: str,
) -> DocumentText:
    """责令限期改正通知书 (Art. 24, 25; Art. 23 under the other law)."""
    values = _common(
        provision=provision,
        other_law=other_law,
        violated_zh=violated_zh,
        facts=facts,
        case_number=case_number,
    )
    consequence = (
        templates.CONSEQUENCE_ART24
        if provision.manager_cap_yuan is not None
        else templates.CONSEQUENCE_ART25
    )
    values |= {
        "party": party,
        "deadline": chinese_date(deadline),
        "requirement": requirement,
        "consequence": consequence,
    }
    return DocumentText(
        kind=DocumentKind.CORRECTION_ORDER,
        bureau=bureau,
        number=number,
        issued_on=issued_on,
        paragraphs=tuple(_fill(templates.CORRECTION_ORDER, values)),
    )


def penalty_decision_text(
    *,
    bureau: str,
    number: str,
    issued_on: dt.date,
    party: str,
    manager: str,
    facts: str,
    violated_zh: str,
    provision: Provision,
    other_law: str,
    case_number: str,
    ordered_on: dt.date | None,
    order_number: str,
    deadline: dt.date | None,
    rechecked_on: dt.date | None,
    fine_yuan: int,
    manager_fine_yuan: int,
    refer_public_order: bool,
    refer_criminal: bool,
    reasons: str,
) -> DocumentText:
    """行政处罚决定书: the facts, the procedure followed (the order and the failed
    re-check, or Art. 26's order at once), the provision and the amounts."""
    values = _common(
        provision=provision,
        other_law=other_law,
        violated_zh=violated_zh,
        facts=facts,
        case_number=case_number,
    )
    values |= {
        "party": party,
        "manager": manager if manager_fine_yuan > 0 else "",
        "ordered_on": chinese_date(ordered_on),
        "order_number": order_number,
        "deadline": chinese_date(deadline),
        "rechecked_on": chinese_date(rechecked_on),
        "order_at_once": templates.ORDER_AT_ONCE
        if provision.procedure is Procedure.ORDER_AND_FINE
        else "",
        "fine_yuan": str(fine_yuan) if fine_yuan > 0 else "",
        "manager_fine_yuan": str(manager_fine_yuan) if manager_fine_yuan > 0 else "",
        "refer_public_order": templates.REFER_PUBLIC_ORDER if refer_public_order else "",
        "refer_criminal": templates.REFER_CRIMINAL if refer_criminal else "",
        "reasons": reasons,
    }
    items = _fill(templates.PENALTY_DECISION_ITEMS, values)
    numbered = [f"{_NUMERALS[i]}、{line}" for i, line in enumerate(items)]
    paragraphs = [
        *_fill(templates.PENALTY_DECISION_HEAD, values),
        *numbered,
        *_fill(templates.PENALTY_DECISION_TAIL, values),
    ]
    return DocumentText(
        kind=DocumentKind.PENALTY_DECISION,
        bureau=bureau,
        number=number,
        issued_on=issued_on,
        paragraphs=tuple(paragraphs),
    )


# --- printing -----------------------------------------------------------------------------------


class _Clean:
    """User text made printable: control/format characters → space, glyphs the font
    lacks → □."""

    def __init__(self, cmap: Container[int]) -> None:
        self.cmap = cmap

    def __call__(self, value: str) -> str:
        out = []
        for ch in value:
            if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs"}:
                out.append(" ")
            elif ord(ch) in self.cmap or ch == " ":
                out.append(ch)
            else:
                out.append(MISSING_GLYPH)
        return re.sub(r" {2,}", " ", "".join(out)).strip()


class _Document(FPDF):
    footer_text = ""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        # A random alias, so "{nb}" typed into a field stays text.
        self.alias_nb_pages(f"{{nb-{secrets.token_hex(8)}}}")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=8)
        self.cell(
            0,
            5,
            f"{self.footer_text}　第 {self.page_no()} 页 / 共 {self.str_alias_nb_pages} 页",
            align="C",
        )


def render(
    text: DocumentText, *, fonts: Sequence[FontFace] | None = None, generated_at: dt.datetime
) -> bytes:
    """The document as PDF bytes. ``fonts`` restricts the font search
    (:func:`psvis.custody.fonts.find_cjk_font`); ``generated_at`` is the PDF's creation
    date (the document's issue instant)."""
    face = find_cjk_font(fonts)
    pdf = _Document()
    pdf.add_font(FONT, "", str(face.path), collection_font_number=face.index)
    loaded = pdf.fonts[FONT]
    assert isinstance(loaded, TTFFont)  # add_font always loads a TrueType/OpenType font
    clean = _Clean(loaded.cmap)
    title, number = clean(text.title), clean(text.number)
    pdf.footer_text = number
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{title} {number}")
    pdf.set_creator("psvis")
    pdf.set_creation_date(generated_at)
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 9, clean(text.bureau), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=20)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 7, number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, size=12)
    for index, paragraph in enumerate(text.paragraphs):
        # The addressee line of an order stands flush left; the rest is indented by two
        # full-width spaces, as printed forms are.
        lead = "" if index == 0 and paragraph.endswith("：") else "　　"
        pdf.multi_cell(0, 7, lead + clean(paragraph), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.ln(12)
    pdf.cell(0, 7, clean(text.bureau), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, chinese_date(text.issued_on), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 7, "（公安机关印章）", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
