"""Turning a sheet's text rows into typed values through the registry's Create schemas.

The schemas are the one definition of each field's shape (lengths, ranges, vocabularies),
so the importer validates with them exactly as the API does: reference columns are set
aside (a file names a unit by its credit code, not its id) and the rest is validated. A
row that fails keeps the fields that did validate, so the later checks can still report
that row's other problems in the same pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Final

from pydantic import BaseModel, TypeAdapter, ValidationError

from psvis.registry.file_columns import SCHEMAS, Column, ignored_columns, import_columns
from psvis.registry.files import PROGRESS_EVERY, Sheet
from psvis.registry.import_report import Issues

#: Stands in for a reference while the schema validates the rest of the row.
PLACEHOLDER_ID: Final = 1
#: Yes/no as the bureau's forms write them, for boolean columns.
YES_NO: Final = {"是": "true", "否": "false"}


@dataclass(slots=True)
class Candidate:
    """One row on its way in: typed values of the fields that validated, the natural
    keys it refers to, and whether the whole row validated."""

    sheet: str
    row: int
    values: dict[str, Any]
    refs: dict[str, str]
    complete: bool


@cache
def _adapter(schema: type[BaseModel], field: str) -> TypeAdapter[Any]:
    info = schema.model_fields[field]
    annotated: Any = Annotated[info.annotation, info]  # the field's type and constraints
    return TypeAdapter(annotated)


@cache
def _bool_fields(schema: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in schema.model_fields.items() if info.annotation is bool)


def check_header(sheet: Sheet, issues: Issues) -> frozenset[str]:
    """Unknown columns, and required columns missing (each reported once per sheet).
    Returns the missing ones so rows do not repeat them."""
    columns = import_columns(sheet.kind)
    known = {c.name for c in columns} | ignored_columns(sheet.kind)
    for name in sheet.columns:
        if name not in known:
            issues.add(
                sheet.name,
                sheet.header_row,
                name,
                f"unknown column; {sheet.kind} columns are " + ", ".join(c.name for c in columns),
            )
    present = set(sheet.columns)
    missing = frozenset(c.name for c in columns if c.required and c.name not in present)
    for column in columns:
        if column.name in missing:
            issues.add(sheet.name, sheet.header_row, column.name, "required column is missing")
    return missing


def parse_sheet(
    sheet: Sheet, issues: Issues, *, on_rows: Callable[[int], object] | None = None
) -> list[Candidate]:
    """Every row of ``sheet`` as a :class:`Candidate`; field problems go to ``issues``."""
    missing = check_header(sheet, issues)
    columns = import_columns(sheet.kind)
    schema = SCHEMAS[sheet.kind]
    booleans = _bool_fields(schema)
    by_field = {c.field: c for c in columns}
    candidates = []
    for row in sheet.rows:
        raw: dict[str, Any] = {}
        refs: dict[str, str] = {}
        for column in columns:
            text = row.cells.get(column.name, "")
            if column.refers_to is not None:
                raw[column.field] = PLACEHOLDER_ID
                if text:
                    refs[column.name] = text
                elif column.name not in missing:
                    issues.add(sheet.name, row.number, column.name, "a value is required")
            elif text:
                raw[column.field] = YES_NO.get(text, text) if column.field in booleans else text
        try:
            values, complete = dict(schema.model_validate(raw)), True
        except ValidationError as exc:
            values = _partial(schema, raw, exc, sheet, row.number, by_field, missing, issues)
            complete = False
        for column in columns:
            if column.refers_to is not None:
                values.pop(column.field, None)
        candidates.append(Candidate(sheet.name, row.number, values, refs, complete))
        if on_rows is not None and len(candidates) % PROGRESS_EVERY == 0:
            on_rows(PROGRESS_EVERY)
    if on_rows is not None:
        on_rows(len(candidates) % PROGRESS_EVERY)
    return candidates


def _partial(
    schema: type[BaseModel],
    raw: dict[str, Any],
    exc: ValidationError,
    sheet: Sheet,
    row: int,
    by_field: dict[str, Column],
    missing: frozenset[str],
    issues: Issues,
) -> dict[str, Any]:
    """Report the row's field errors; keep the fields that are valid."""
    failed = set()
    for error in exc.errors(include_input=False, include_url=False):
        field = str(error["loc"][0]) if error["loc"] else ""
        failed.add(field)
        column = by_field[field].name if field in by_field else field
        if column in missing:
            continue
        message = "a value is required" if error["type"] == "missing" else error["msg"]
        issues.add(sheet.name, row, column, message)
    values: dict[str, Any] = {}
    for field, info in schema.model_fields.items():
        if field in failed:
            continue
        if field in raw:
            values[field] = _adapter(schema, field).validate_python(raw[field])
        elif not info.is_required():
            values[field] = info.get_default(call_default_factory=True)
    return values
