"""Columns of the registry's import/export files, derived from the Create schemas.

A file cannot carry database ids, so each id field of a schema becomes a column holding a
natural key instead: units are named by their unified social credit code, sites and
systems by their ``ref``. Deriving the columns from the schemas keeps the file format,
the API and the importer's checks in step when a field is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from pydantic import BaseModel

from psvis.registry.schemas import CameraCreate, SiteCreate, SystemCreate, UnitCreate

Kind = Literal["units", "sites", "systems", "cameras"]
#: Dependency order: a row may only refer to kinds before it.
KINDS: Final[tuple[Kind, ...]] = ("units", "sites", "systems", "cameras")

SCHEMAS: Final[dict[Kind, type[BaseModel]]] = {
    "units": UnitCreate,
    "sites": SiteCreate,
    "systems": SystemCreate,
    "cameras": CameraCreate,
}

#: Schema id field → (file column, kind it refers to).
REFERENCES: Final[dict[Kind, dict[str, tuple[str, Kind]]]] = {
    "units": {},
    "sites": {"responsible_unit_id": ("responsible_unit_credit_code", "units")},
    "systems": {
        "site_id": ("site_ref", "sites"),
        "builder_unit_id": ("builder_unit_credit_code", "units"),
        "user_unit_id": ("user_unit_credit_code", "units"),
        "maintainer_unit_id": ("maintainer_unit_credit_code", "units"),
    },
    "cameras": {"system_id": ("system_ref", "systems")},
}

#: The column naming a row for others to refer to (unique in the file and the database).
KEY_COLUMNS: Final[dict[Kind, str]] = {
    "units": "credit_code",
    "sites": "ref",
    "systems": "ref",
    "cameras": "gb_id",
}

#: Written by the exporter in place of secrets, accepted and ignored by the importer.
EXPORT_ONLY: Final[dict[Kind, dict[str, str]]] = {"cameras": {"password": "has_password"}}


@dataclass(frozen=True, slots=True)
class Column:
    """One file column: the schema field it fills, and whether it names another row."""

    name: str
    field: str
    required: bool
    refers_to: Kind | None = None


def import_columns(kind: Kind) -> tuple[Column, ...]:
    """The columns a file of ``kind`` may carry, in schema order."""
    refs = REFERENCES[kind]
    columns = []
    for field, info in SCHEMAS[kind].model_fields.items():
        if field in refs:
            name, target = refs[field]
            columns.append(Column(name, field, required=True, refers_to=target))
        else:
            columns.append(Column(field, field, required=info.is_required()))
    return tuple(columns)


def ignored_columns(kind: Kind) -> frozenset[str]:
    """Columns an export writes that carry nothing to import (e.g. ``has_password``)."""
    return frozenset(EXPORT_ONLY.get(kind, {}).values())


def export_columns(kind: Kind) -> tuple[str, ...]:
    """The import columns with secrets replaced by their export-only stand-ins."""
    swap = EXPORT_ONLY.get(kind, {})
    return tuple(swap.get(c.name, c.name) for c in import_columns(kind))
