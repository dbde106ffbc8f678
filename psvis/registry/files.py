"""Reading registry files (CSV or XLSX) into plain rows of text.

Reading is kept apart from checking: this module only turns bytes into sheets of
``{column: text}`` rows, numbered as a spreadsheet shows them (the header is row 1), so
every later error can say where it is. Limits protect the server from oversized or
hostile files; a damaged file is a :class:`FileProblem` with a clear message, never a
traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Final

import openpyxl

from psvis.core.errors import InvalidInput
from psvis.registry.file_columns import KINDS, Kind

#: Sheet (or CSV file) names per kind; the bureau's forms use the Chinese ones.
SHEET_NAMES: Final[dict[str, Kind]] = {
    "units": "units",
    "单位": "units",
    "sites": "sites",
    "场所": "sites",
    "systems": "systems",
    "系统": "systems",
    "cameras": "cameras",
    "前端设备": "cameras",
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads UTF-8 without a BOM
PROGRESS_EVERY = 1000
#: Beyond 2**53 a spreadsheet number has lost digits: the ID it held is gone.
EXACT_FLOAT_LIMIT = float(2**53)


@dataclass(frozen=True, slots=True)
class Limits:
    """What a file may hold; beyond these it is refused before it costs much."""

    max_bytes: int = 100 * 1024 * 1024
    max_rows: int = 1_000_000
    max_cell_chars: int = 1000


class FileProblem(InvalidInput):
    """The file cannot be read as a registry file; says where when it can."""

    def __init__(self, message: str, *, sheet: str = "", row: int = 0, column: str = "") -> None:
        super().__init__(message, details={"sheet": sheet, "row": row, "column": column})
        self.sheet, self.row, self.column = sheet, row, column


@dataclass(slots=True)
class Row:
    number: int
    cells: dict[str, str]


@dataclass(slots=True)
class Sheet:
    """One kind of rows: a workbook sheet or a whole CSV file."""

    kind: Kind
    name: str
    columns: tuple[str, ...]
    header_row: int
    rows: list[Row] = field(default_factory=list)


OnRows = Callable[[int], object]


def kind_for_name(name: str) -> Kind | None:
    """The kind a sheet or file stem names (``cameras``, ``前端设备``, ``units_2024`` …)."""
    text = name.strip().lower()
    if text in SHEET_NAMES:
        return SHEET_NAMES[text]
    for alias, kind in SHEET_NAMES.items():
        if text.startswith(alias) and not text[len(alias)].isalnum():
            return kind
    return None


def base_name(filename: str) -> str:
    """The file's own name from an upload's, which browsers may send with a path."""
    return PureWindowsPath(filename).name  # splits on both "/" and "\\"


def read_table(
    source: Path | bytes,
    *,
    filename: str | None = None,
    kind: Kind | None = None,
    limits: Limits | None = None,
    on_rows: OnRows | None = None,
) -> list[Sheet]:
    """Read a CSV or XLSX registry file into sheets, in dependency order.

    The format is told by content (an XLSX is a zip archive), not trusted from the name.
    ``kind`` names what a CSV holds (default: from its file name)."""
    limits = limits or Limits()
    name = base_name(filename) if filename else (source.name if isinstance(source, Path) else "")
    data = _load(source, limits)
    suffix = Path(name).suffix.lower()
    counter = _Counter(limits, on_rows)
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise FileProblem("legacy Excel .xls files are not supported; save the file as .xlsx")
    if data.startswith(ZIP_MAGIC):
        sheets = _read_xlsx(data, kind=kind, counter=counter)
    elif suffix in (".xlsx", ".xlsm"):
        raise FileProblem(f"{name} is not a valid XLSX workbook (not a zip archive)")
    else:
        sheets = [_read_csv(data, name=name, kind=kind, counter=counter)]
    counter.flush()
    return sorted(sheets, key=lambda s: KINDS.index(s.kind))


def _load(source: Path | bytes, limits: Limits) -> bytes:
    if isinstance(source, bytes):
        size = len(source)
    else:
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise FileProblem(f"cannot read {source}: {exc.strerror}") from exc
    if size > limits.max_bytes:
        raise FileProblem(
            f"file is {size:,} bytes; at most {limits.max_bytes:,} bytes may be imported"
        )
    if size == 0:
        raise FileProblem("file is empty")
    return source if isinstance(source, bytes) else source.read_bytes()


class _Counter:
    """Counts rows over the whole file (the row limit) and reports progress in steps."""

    def __init__(self, limits: Limits, on_rows: OnRows | None) -> None:
        self.limits, self.on_rows = limits, on_rows
        self.total = self.pending = 0

    def add(self) -> None:
        self.total += 1
        if self.total > self.limits.max_rows:
            raise FileProblem(f"file has more than {self.limits.max_rows:,} rows")
        self.pending += 1
        if self.pending >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.on_rows is not None and self.pending:
            self.on_rows(self.pending)
        self.pending = 0


# --- CSV ----------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    errors = []
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(f"{encoding.removesuffix('-sig')} fails at byte {exc.start}")
            continue
        if "\x00" in text:
            raise FileProblem(f"{name or 'file'} holds binary data (NUL bytes), not CSV text")
        return text
    raise FileProblem(
        f"{name or 'file'} is neither UTF-8 nor GB18030/GBK text ({'; '.join(errors)}); "
        "save it as CSV UTF-8"
    )


def _read_csv(data: bytes, *, name: str, kind: Kind | None, counter: _Counter) -> Sheet:
    if kind is None:
        kind = kind_for_name(Path(name).stem) if name else None
        if kind is None:
            raise FileProblem(
                f"cannot tell which rows {name or 'the file'} holds: name it units.csv, "
                "sites.csv, systems.csv or cameras.csv, or give the kind"
            )
    text = _decode(data, name)
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _collect(kind, Path(name).name or kind, records, counter)
    except csv.Error as exc:
        raise FileProblem(f"malformed CSV near record {records.line_num}: {exc}") from exc


# --- XLSX ---------------------------------------------------------------------------------


def _read_xlsx(data: bytes, *, kind: Kind | None, counter: _Counter) -> list[Sheet]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileProblem(f"not a readable XLSX workbook ({_brief(exc)})") from exc
    try:
        chosen = _choose_sheets([ws.title for ws in book.worksheets], kind)
        sheets = []
        for title, sheet_kind in chosen:
            rows = book[title].iter_rows(values_only=True)
            try:
                sheets.append(_collect(sheet_kind, title, rows, counter))
            except FileProblem:
                raise
            except Exception as exc:  # a damaged part inside a valid zip
                raise FileProblem(f"damaged XLSX content ({_brief(exc)})", sheet=title) from exc
        return sheets
    finally:
        book.close()


def _choose_sheets(titles: list[str], kind: Kind | None) -> list[tuple[str, Kind]]:
    """Which sheets hold which kind; an unknown or repeated sheet is an error, since a
    misnamed sheet silently skipped would be data lost."""
    if kind is not None and len(titles) == 1 and kind_for_name(titles[0]) in (None, kind):
        return [(titles[0], kind)]
    found: dict[Kind, str] = {}
    unknown = []
    for title in titles:
        sheet_kind = SHEET_NAMES.get(title.strip().lower())
        if sheet_kind is None:
            unknown.append(title)
        elif sheet_kind in found:
            raise FileProblem(f"sheets {found[sheet_kind]!r} and {title!r} both hold {sheet_kind}")
        else:
            found[sheet_kind] = title
    if unknown:
        raise FileProblem(
            f"unknown sheet(s) {', '.join(map(repr, unknown))}; sheets must be named "
            + ", ".join(SHEET_NAMES)
        )
    if kind is not None:
        if kind not in found:
            raise FileProblem(f"the workbook has no {kind} sheet")
        return [(found[kind], kind)]
    if not found:
        raise FileProblem("the workbook has no sheets")
    return [(title, k) for k, title in found.items()]


def _brief(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:200]


# --- shared -------------------------------------------------------------------------------


class _Imprecise(ValueError):
    """A spreadsheet number too long to be exact (a GB/T 28181 ID typed as a number)."""


def _too_long(value: float) -> bool:
    return abs(value) >= EXACT_FLOAT_LIMIT


def _text(value: object) -> str:
    """A cell as text: Excel numbers, booleans and dates as an importer expects them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if _too_long(value):
            raise _Imprecise(f"{value:.15g}")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _collect(
    kind: Kind, name: str, records: Iterable[Sequence[object]], counter: _Counter
) -> Sheet:
    """Header, then rows as ``{column: text}``; blank rows are skipped, numbering kept."""
    limit = counter.limits.max_cell_chars
    sheet: Sheet | None = None
    named: dict[int, str] = {}
    for number, record in enumerate(records, start=1):
        try:
            texts = [_text(v) for v in record]
        except _Imprecise as exc:
            i = next(i for i, v in enumerate(record) if isinstance(v, float) and _too_long(v))
            raise FileProblem(
                f"cell {_column_letter(i)}{number} holds the number {exc}, too long for a "
                "spreadsheet to keep exactly; format the column as text and enter it again",
                sheet=name,
                row=number,
                column=named.get(i, ""),
            ) from exc
        if not any(texts):
            continue
        for i, text in enumerate(texts):
            if len(text) > limit:
                raise FileProblem(
                    f"cell {_column_letter(i)}{number} has {len(text):,} characters; "
                    f"at most {limit:,} are allowed",
                    sheet=name,
                    row=number,
                    column=named.get(i, ""),
                )
            if sheet is not None and text and i not in named:
                raise FileProblem(
                    f"cell {_column_letter(i)}{number} has a value but its column has no header",
                    sheet=name,
                    row=number,
                )
        if sheet is None:
            named = {i: t for i, t in enumerate(texts) if t}
            columns = list(named.values())
            repeated = sorted({c for c in columns if columns.count(c) > 1})
            if repeated:
                raise FileProblem(
                    f"column(s) {', '.join(repeated)} appear more than once in the header",
                    sheet=name,
                    row=number,
                )
            sheet = Sheet(kind=kind, name=name, columns=tuple(columns), header_row=number)
            continue
        counter.add()
        width = len(texts)
        sheet.rows.append(Row(number, {c: texts[i] if i < width else "" for i, c in named.items()}))
    if sheet is None:
        raise FileProblem("no header row: the sheet is empty", sheet=name)
    return sheet
