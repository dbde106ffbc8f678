"""The registration book PDF, rendered with the system CJK font and read back with pypdf:
0, 1 and 250 rows, page numbers, China time, hostile text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from psvis.core.errors import InvalidInput
from psvis.custody.book_pdf import MAX_ROWS, BookRow, Officer, render_book
from psvis.custody.fonts import FontMissing

TITLE = "公共安全视频图像信息调取登记簿"
SCOPE = "某市公安局某区分局 · 2024年5月"
GENERATED = dt.datetime(2024, 5, 31, 16, 30, tzinfo=dt.UTC)  # 2024-06-01 00:30 in China
HEADINGS = ["序号", "申请编号", "案件编号", "审批文书", "经办人A", "经办人B", "访问次数"]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"


def row(number: int, **changes: object) -> BookRow:
    start = dt.datetime(2024, 4, 30, 16, 30, tzinfo=dt.UTC) + dt.timedelta(hours=number)
    base = BookRow(
        number=number,
        request_number=f"ZQ-2024-{number:04d}",
        case_number=f"A3201-2024-{number:05d}",
        department="刑事侦查大队",
        purpose="调查一起入室盗窃案件，需查看案发时段小区出入口录像",
        unit="某某小区物业服务中心",
        cameras="东门入口 1 号机；西门出口 2 号机",
        range_start=start,
        range_end=start + dt.timedelta(hours=2),
        actions="查看、复制",
        approval_document=f"区公（刑）调字〔2024〕{number}号",
        approved_by="王局长",
        officer_a=Officer(name=f"{SURNAMES[number % 16]}警官", work_id=f"{100000 + number}"),
        officer_b=Officer(name=f"{SURNAMES[(number + 5) % 16]}民警", work_id=f"{200000 + number}"),
        opened_at=start + dt.timedelta(days=3),
        closed_at=start + dt.timedelta(days=3, minutes=45),
        accesses=number * 3,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def pages(pdf: bytes) -> list[str]:
    """Each page's text without whitespace. pypdf reads fpdf2's embedded Identity CMap
    one byte at a time and yields NULs and spaces between CJK characters (ghostscript's
    txtwrite reads the same file cleanly), so both are dropped before comparing."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"[\s\x00]", "", page.extract_text()) for page in reader.pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_an_empty_book(tmp_path: object) -> None:
    pdf = render_book(title=TITLE, rows=[], generated_at=GENERATED, scope=SCOPE)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    (text,) = pages(pdf)
    assert TITLE in text
    assert squeeze(SCOPE) in text
    assert "生成时间：2024-06-0100:30:00（北京时间）" in text
    for heading in HEADINGS:
        assert heading in text
    assert "本范围内没有登记" in text
    assert "第1页/共1页" in text
    assert reader.metadata is not None
    assert reader.metadata.title == TITLE


def test_one_row_carries_every_fact_in_china_time() -> None:
    one = row(1, closed_at=None)
    pdf = render_book(title=TITLE, rows=[one], generated_at=GENERATED, scope=SCOPE)
    (text,) = pages(pdf)
    for value in (
        "ZQ-2024-0001",
        "A3201-2024-00001",
        "刑事侦查大队",
        squeeze(one.purpose),
        "某某小区物业服务中心",
        squeeze(one.cameras),
        "查看、复制",
        "区公（刑）调字〔2024〕1号",
        "王局长",
        "钱警官",
        "警号100001",
        "郑民警",
        "警号200001",
    ):
        assert value in text, value
    # 2024-04-30 17:30 UTC is 2024-05-01 01:30 in China: the date changes.
    assert "2024-05-0101:30:00至2024-05-0103:30:00" in text
    assert "起2024-05-0401:30:00进行中" in text
    assert "第1页/共1页" in text
    assert "本范围内没有登记" not in text


def test_a_closed_session_shows_its_end() -> None:
    pdf = render_book(title=TITLE, rows=[row(2)], generated_at=GENERATED, scope=SCOPE)
    (text,) = pages(pdf)
    assert "起2024-05-0402:30:00止2024-05-0403:15:00" in text
    assert "进行中" not in text


def test_naive_times_are_read_as_utc() -> None:
    naive = row(
        3,
        range_start=dt.datetime(2024, 5, 1, 0, 0),
        range_end=dt.datetime(2024, 5, 1, 1, 0),
    )
    (text,) = pages(render_book(title=TITLE, rows=[naive], generated_at=GENERATED, scope=SCOPE))
    assert "2024-05-0108:00:00至2024-05-0109:00:00" in text


def test_250_rows_span_pages_with_headings_and_numbers_on_each() -> None:
    rows = [row(n) for n in range(1, 251)]
    pdf = render_book(title=TITLE, rows=rows, generated_at=GENERATED, scope=SCOPE)
    texts = pages(pdf)
    total = len(texts)
    assert total > 5
    for number, text in enumerate(texts, start=1):
        assert TITLE in text
        assert f"第{number}页/共{total}页" in text
        for heading in HEADINGS:
            assert heading in text, (number, heading)
    everything = "".join(texts)
    for n in range(1, 251):
        assert f"ZQ-2024-{n:04d}" in everything
        assert f"警号{100000 + n}" in everything
        assert f"警号{200000 + n}" in everything
    # In the given order.
    positions = [everything.index(f"ZQ-2024-{n:04d}") for n in range(1, 251)]
    assert positions == sorted(positions)


def test_hostile_strings_do_not_break_the_book() -> None:
    long_word = "X" * 5000
    hostile = row(
        7,
        request_number="ZQ-{nb}-\u202e1000",
        case_number="(\\) Tj ET BT /F1 99 Tf (x) Tj %%EOF",
        purpose="调" * 10_000,
        department="\x00\x07\x1b[31m红\r\n\t部门\u2028\u2029",
        unit="\u200f\u200e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069单位\ufeff",
        cameras=long_word,
        actions="😀 \ud800 مرحبا שלום",
        approval_document="%{pts} ' \" : \\ 〔2024〕",
        approved_by="",
        officer_a=Officer(name="张三\n李四", work_id="01\x002345"),
        officer_b=Officer(name="王" * 300, work_id="９９９"),
    )
    pdf = render_book(
        title="登记簿\x00\u202e" + "长" * 500,
        rows=[row(6), hostile, row(8)],
        generated_at=GENERATED,
        scope="\x07" * 50 + "范围",
    )
    texts = pages(pdf)
    everything = "".join(texts)
    # The rows around the hostile one are intact.
    assert "ZQ-2024-0006" in everything
    assert "ZQ-2024-0008" in everything
    # "{nb}" in a field is text, not the page-count alias; bidi controls are gone.
    assert "ZQ-{nb}-1000" in everything
    assert "\u202e" not in everything
    assert "(\\)TjETBT/F199Tf(x)Tj%%EOF" in everything
    assert "%{pts}'\":\\〔2024〕" in everything
    assert "红部门" in everything
    assert "张三李四" in everything
    assert "警号012345" in everything
    assert "警号９９９" in everything
    # Over-long cells are cut, so every row fits a page; glyphs the font lacks are □.
    assert "…" in everything
    assert everything.count("调") < 1000
    assert "□" in everything
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页/共{len(texts)}页" in text


def test_no_cjk_font_is_a_clear_error() -> None:
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        render_book(title=TITLE, rows=[row(1)], generated_at=GENERATED, scope=SCOPE, fonts=())


@pytest.mark.parametrize("rows", ["ZQ-2024-0001", b"rows", [object()], [row(1), "x"], {1, 2}])
def test_rows_must_be_book_rows(rows: object) -> None:
    with pytest.raises(InvalidInput, match="BookRow"):
        render_book(title=TITLE, rows=rows, generated_at=GENERATED, scope=SCOPE)  # type: ignore[arg-type]


def test_too_many_rows_are_refused() -> None:
    one = row(1)
    with pytest.raises(InvalidInput, match="narrow the filter"):
        render_book(title=TITLE, rows=[one] * (MAX_ROWS + 1), generated_at=GENERATED, scope=SCOPE)
