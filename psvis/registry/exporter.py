"""Exporting the registry the principal may read: XLSX that re-imports, and GeoJSON.

The XLSX has the importer's four sheets and columns (:mod:`~psvis.registry.file_columns`),
so an export is also a template and a backup that imports into a fresh installation.
Camera passwords never leave: the sheet says ``has_password`` instead. Every query goes
through :func:`psvis.auth.scope.where` with ``READ``, so an export shows exactly what the
same person sees in the console.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from psvis.auth import scope
from psvis.auth.policy import Action, Resource
from psvis.auth.principal import Principal
from psvis.registry.file_columns import KINDS, Kind, export_columns
from psvis.registry.models import Camera, Site, System, Unit

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MEDIA_TYPE: Final = "application/geo+json"
BATCH: Final = 5000
REPLACEMENT_CHARACTER: Final = "\ufffd"


def synthetic_ref(kind: str, row_id: int) -> str:
    """A ref for a site or system registered without one, so systems and cameras of the
    export can still name it (the file has no ids)."""
    return f"psvis-{kind}-{row_id}"


def _may_export(principal: Principal) -> None:
    principal.reach(Resource.REGISTRY_FILE, Action.EXPORT)  # Forbidden when not allowed


def _unit_rows(session: Session, principal: Principal) -> Iterator[Sequence[Any]]:
    visible = scope.where(principal, Resource.UNIT, Action.READ)
    columns = [getattr(Unit, c) for c in export_columns("units")]
    yield from _stream(session, select(*columns).where(visible).order_by(Unit.id))


def _site_rows(session: Session, principal: Principal) -> Iterator[Sequence[Any]]:
    visible = scope.where(principal, Resource.SITE, Action.READ)
    stmt = (
        select(Site, Unit.credit_code)
        .join(Unit, Site.responsible_unit_id == Unit.id)
        .where(visible)
        .order_by(Site.id)
    )
    for site, credit_code in _stream(session, stmt):
        row = {c: getattr(site, c, None) for c in export_columns("sites")}
        row["ref"] = site.ref or synthetic_ref("site", site.id)
        row["responsible_unit_credit_code"] = credit_code
        yield list(row.values())


def _system_rows(session: Session, principal: Principal) -> Iterator[Sequence[Any]]:
    visible = scope.where(principal, Resource.SYSTEM, Action.READ)
    builder, user, maintainer = aliased(Unit), aliased(Unit), aliased(Unit)
    stmt = (
        select(System, Site.ref, builder.credit_code, user.credit_code, maintainer.credit_code)
        .join(Site, System.site_id == Site.id)
        .join(builder, System.builder_unit_id == builder.id)
        .join(user, System.user_unit_id == user.id)
        .join(maintainer, System.maintainer_unit_id == maintainer.id)
        .where(visible)
        .order_by(System.id)
    )
    for system, site_ref, builder_code, user_code, maintainer_code in _stream(session, stmt):
        row = {c: getattr(system, c, None) for c in export_columns("systems")}
        row["ref"] = system.ref or synthetic_ref("system", system.id)
        row["site_ref"] = site_ref or synthetic_ref("site", system.site_id)
        row["builder_unit_credit_code"] = builder_code
        row["user_unit_credit_code"] = user_code
        row["maintainer_unit_credit_code"] = maintainer_code
        yield list(row.values())


def _camera_rows(session: Session, principal: Principal) -> Iterator[Sequence[Any]]:
    visible = scope.where(principal, Resource.CAMERA, Action.READ)
    names = export_columns("cameras")
    plain = [n for n in names if n not in ("system_ref", "has_password")]
    stmt = (
        select(
            *(getattr(Camera, n) for n in plain), System.ref, System.id, Camera.password_encrypted
        )
        .join(System, Camera.system_id == System.id)
        .where(visible)
        .order_by(Camera.id)
    )
    for record in _stream(session, stmt):
        row = dict(zip(plain, record, strict=False))
        system_ref, system_id, password_encrypted = record[len(plain) :]
        row["system_ref"] = system_ref or synthetic_ref("system", system_id)
        row["has_password"] = bool(password_encrypted)  # the password itself never leaves
        yield [row[n] for n in names]


def _stream(session: Session, stmt: Select[*tuple[Any, ...]]) -> Iterator[Any]:
    yield from session.execute(stmt.execution_options(yield_per=BATCH))


ROWS: Final = {
    "units": _unit_rows,
    "sites": _site_rows,
    "systems": _system_rows,
    "cameras": _camera_rows,
}


def _cell(sheet: Any, value: Any) -> Any:
    """A value as Excel should hold it. Text starting with ``=`` stays text: a unit
    named like a formula must not run as one on the reader's machine. C0 control
    characters (other than tab and newlines) cannot be written into the sheet's XML at
    all — openpyxl refuses the whole book — so each becomes U+FFFD, showing the reader
    that something stood there."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT_CHARACTER, value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def export_xlsx(
    session: Session, *, principal: Principal, out: Path | IO[bytes]
) -> dict[Kind, int]:
    """Write the four sheets the principal may read to ``out``; returns rows per kind."""
    _may_export(principal)
    book = Workbook(write_only=True)
    counts: dict[Kind, int] = {}
    for kind in KINDS:
        sheet = book.create_sheet(kind)
        sheet.append(list(export_columns(kind)))
        count = 0
        for row in ROWS[kind](session, principal):
            sheet.append([_cell(sheet, v) for v in row])
            count += 1
        counts[kind] = count
    book.save(out)
    return counts


def export_geojson(
    session: Session, *, principal: Principal, include_sites: bool = False
) -> dict[str, Any]:
    """Cameras (and optionally sites) the principal may read, as a GeoJSON
    FeatureCollection of Points with coordinates ``[lon, lat]`` (RFC 7946 order)."""
    _may_export(principal)
    stmt = (
        select(
            Camera.gb_id,
            Camera.name,
            Camera.role,
            Camera.lon,
            Camera.lat,
            Camera.azimuth_deg,
            Camera.fov_deg,
            Camera.range_m,
            Camera.system_id,
            Camera.jurisdiction_code,
            Site.name,
            Site.category,
        )
        .join(System, Camera.system_id == System.id)
        .join(Site, System.site_id == Site.id)
        .where(scope.where(principal, Resource.CAMERA, Action.READ))
        .order_by(Camera.id)
    )
    features: list[dict[str, Any]] = []
    for gb_id, name, role, lon, lat, azimuth, fov, range_m, system_id, code, site, cat in _stream(
        session, stmt
    ):
        features.append(
            _point(
                lon,
                lat,
                feature_id=gb_id,
                kind="camera",
                gb_id=gb_id,
                name=name,
                role=role.value,
                azimuth_deg=azimuth,
                fov_deg=fov,
                range_m=range_m,
                system_id=system_id,
                site_name=site,
                site_category=cat.value,
                jurisdiction_code=code,
            )
        )
    if include_sites:
        sites = (
            select(
                Site.id,
                Site.ref,
                Site.name,
                Site.category,
                Site.lon,
                Site.lat,
                Site.jurisdiction_code,
            )
            .where(scope.where(principal, Resource.SITE, Action.READ))
            .order_by(Site.id)
        )
        for site_id, ref, name, category, lon, lat, code in _stream(session, sites):
            features.append(
                _point(
                    lon,
                    lat,
                    feature_id=f"site-{site_id}",
                    kind="site",
                    site_id=site_id,
                    ref=ref,
                    name=name,
                    category=category.value,
                    jurisdiction_code=code,
                )
            )
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, *, feature_id: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }
