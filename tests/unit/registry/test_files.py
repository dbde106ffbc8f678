"""Reading registry files: encodings, workbook sheets, typed cells, limits, damage."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from psvis.registry.file_columns import export_columns, import_columns
from psvis.registry.files import FileProblem, Limits, base_name, kind_for_name, read_table

HEADER = "name,credit_code,kind,jurisdiction_code\n"
ROW = "南昌银行,91360102MA35XXXXXX,non_government,360102\n"


def workbook(**sheets: list[list[object]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding: str) -> None:
    (sheet,) = read_table((HEADER + ROW).encode(encoding), filename="units.csv")
    assert sheet.kind == "units"
    assert sheet.columns == ("name", "credit_code", "kind", "jurisdiction_code")
    assert sheet.rows[0].number == 2
    assert sheet.rows[0].cells["name"] == "南昌银行"


def test_random_bytes_name_both_encodings() -> None:
    noise = random.Random(1).randbytes(2048)
    with pytest.raises(FileProblem, match=r"neither UTF-8 nor GB18030/GBK .*utf-8 fails at byte"):
        read_table(noise, filename="units.csv")


def test_nul_bytes_are_binary_not_text() -> None:
    with pytest.raises(FileProblem, match="binary data"):
        read_table(b"name\x00,kind\n", filename="units.csv")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("cameras", "cameras"),
        ("前端设备", "cameras"),
        ("Units", "units"),
        ("units_2024-06", "units"),
        ("场所", "sites"),
        ("系统", "systems"),
        ("survey", None),
        ("unitsx", None),
    ],
)
def test_kind_from_names(name: str, kind: str | None) -> None:
    assert kind_for_name(name) == kind


def test_csv_kind_from_option_or_refused() -> None:
    (sheet,) = read_table((HEADER + ROW).encode(), filename="export.csv", kind="units")
    assert sheet.kind == "units"
    with pytest.raises(FileProblem, match=r"cannot tell which rows export\.csv holds"):
        read_table((HEADER + ROW).encode(), filename="export.csv")


def test_blank_rows_skipped_numbering_kept_and_quoted_newlines() -> None:
    text = HEADER + "\n,,,\n" + '"多行\n名称",X,non_government,360102\n'
    (sheet,) = read_table(text.encode(), filename="units.csv")
    assert [r.number for r in sheet.rows] == [4]
    assert sheet.rows[0].cells["name"] == "多行\n名称"


def test_short_rows_are_padded_and_stray_cells_refused() -> None:
    (sheet,) = read_table(b"name,kind\nA\n", filename="units.csv")
    assert sheet.rows[0].cells == {"name": "A", "kind": ""}
    with pytest.raises(FileProblem, match="cell C2 has a value but its column has no header") as e:
        read_table(b"name,kind\nA,B,C\n", filename="units.csv")
    assert e.value.row == 2


def test_repeated_header_refused() -> None:
    with pytest.raises(FileProblem, match="name appear more than once"):
        read_table(b"name,kind,name\n", filename="units.csv")


def test_empty_inputs() -> None:
    with pytest.raises(FileProblem, match="file is empty"):
        read_table(b"", filename="units.csv")
    with pytest.raises(FileProblem, match="no header row"):
        read_table(b"\n,,\n", filename="units.csv")


def test_workbook_sheets_in_dependency_order_with_typed_cells() -> None:
    data = workbook(
        前端设备=[
            ["gb_id", "lat", "enabled", "fov_deg"],
            ["36010200001320000001", 28.5, True, 90.0],
        ],
        systems=[["name", "commissioned_on"], ["S", dt.datetime(2024, 5, 2)]],
        单位=[["name"], ["U"]],
    )
    units, systems, cameras = read_table(data, filename="registry.xlsx")
    assert (units.kind, units.name) == ("units", "单位")
    assert systems.rows[0].cells["commissioned_on"] == "2024-05-02"
    assert cameras.rows[0].cells == {
        "gb_id": "36010200001320000001",
        "lat": "28.5",
        "enabled": "true",
        "fov_deg": "90",
    }


def test_long_numbers_that_lost_digits_are_refused() -> None:
    """Excel keeps 15 digits: a GB/T 28181 ID typed as a number is already wrong."""
    data = workbook(cameras=[["name", "gb_id"], ["东门", 3.6010200001320002e19]])
    with pytest.raises(
        FileProblem, match=r"cell B2 holds the number 3\.601020000132e\+19, too long"
    ) as e:
        read_table(data)
    assert (e.value.sheet, e.value.row, e.value.column) == ("cameras", 2, "gb_id")


def test_workbook_from_path_and_kind_filter(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook(units=[["name"], ["U"]], sites=[["name"], ["S"]]))
    assert [s.kind for s in read_table(path)] == ["units", "sites"]
    assert [s.kind for s in read_table(path, kind="sites")] == ["sites"]
    single = workbook(Sheet1=[["name"], ["U"]])
    assert read_table(single, kind="units")[0].name == "Sheet1"


def test_workbook_sheet_names_checked() -> None:
    with pytest.raises(FileProblem, match="unknown sheet\\(s\\) 'Sheet1'"):
        read_table(workbook(units=[["name"]], Sheet1=[["x"]]))
    with pytest.raises(FileProblem, match="both hold units"):
        read_table(workbook(units=[["name"]], 单位=[["name"]]))
    with pytest.raises(FileProblem, match="no cameras sheet"):
        read_table(workbook(units=[["name"]], sites=[["name"]]), kind="cameras")


def test_damaged_workbooks() -> None:
    good = workbook(units=[["name"], ["U"]])
    with pytest.raises(FileProblem, match="not a readable XLSX workbook"):
        read_table(good[:300], filename="a.xlsx")
    with pytest.raises(FileProblem, match="not a valid XLSX workbook \\(not a zip archive\\)"):
        read_table(b"hello", filename="a.xlsx")
    with pytest.raises(FileProblem, match=r"legacy Excel \.xls"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), filename="a.xls")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(item, b"<not xml" if "worksheets/" in item.filename else body)
    with pytest.raises(FileProblem, match="XLSX"):
        read_table(out.getvalue(), filename="a.xlsx")


def test_limits() -> None:
    text = (HEADER + ROW * 3).encode()
    with pytest.raises(FileProblem, match=r"at most 100 bytes"):
        read_table(text, filename="units.csv", limits=Limits(max_bytes=100))
    with pytest.raises(FileProblem, match="more than 2 rows"):
        read_table(text, filename="units.csv", limits=Limits(max_rows=2))
    long = HEADER + "x" * 1001 + ",a,b,c\n"
    with pytest.raises(FileProblem, match="cell A2 has 1,001 characters; at most 1,000") as e:
        read_table(long.encode(), filename="units.csv")
    assert (e.value.row, e.value.column) == (2, "name")


def test_progress_counts_rows() -> None:
    seen: list[int] = []
    read_table((HEADER + ROW * 2500).encode(), filename="units.csv", on_rows=seen.append)
    assert seen == [1000, 1000, 500]


def test_columns_follow_the_schemas() -> None:
    names = [c.name for c in import_columns("systems")]
    assert names[:3] == ["ref", "name", "site_ref"]
    assert "maintainer_unit_credit_code" in names
    required = {c.name for c in import_columns("cameras") if c.required}
    assert required == {"gb_id", "name", "system_ref", "lat", "lon", "role"}
    assert "password" not in export_columns("cameras")
    assert "has_password" in export_columns("cameras")


def test_upload_names_lose_their_paths() -> None:
    assert base_name("C:\\fakepath\\units.csv") == "units.csv"
    (sheet,) = read_table((HEADER + ROW).encode(), filename="../../tmp/units.csv")
    assert sheet.name == "units.csv"
