"""Importing good registry files and exporting them, against a real database (SQLite and
PostgreSQL): every field arrives, exports re-import unchanged, never carry a password, and
show only what the reader may see.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.cli.context import operator_principal
from psvis.core.secrets import SecretBox
from psvis.registry.exporter import export_geojson, export_xlsx, synthetic_ref
from psvis.registry.importer import import_file
from psvis.registry.models import Camera, Site, System, Unit
from tests.integration.registry import sheets
from tests.integration.registry.sheets import (
    EMPTY,
    Importer,
    counts,
    csv_bytes,
    dataset,
    district_admin,
    gb,
    xlsx,
)
from tests.support.factories import Registry

# --- good files -------------------------------------------------------------------------


def test_good_xlsx_imports_every_field(db: Session, run_import: Importer, box: SecretBox) -> None:
    data = dataset()
    report = run_import(xlsx(data))
    assert report.ok
    assert report.imported
    assert report.errors == []
    assert report.counts == {"units": 2, "sites": 2, "systems": 1, "cameras": 2}
    assert counts(db) == {"unit": 2, "site": 2, "system": 1, "camera": 2}
    site = db.scalars(select(Site).where(Site.ref == "A-S1")).one()
    unit = db.get(Unit, site.responsible_unit_id)
    assert unit is not None
    assert unit.credit_code == data["units"][0]["credit_code"]
    system = db.scalars(select(System).where(System.ref == "A-SYS1")).one()
    assert (system.site_id, system.jurisdiction_code, system.retention_days) == (
        site.id,
        "360102",
        90,
    )
    assert system.acceptance_police_participant == "张警官"
    assert system.signage_present is True
    first, second = db.scalars(select(Camera).order_by(Camera.gb_id)).all()
    assert (first.azimuth_deg, first.fov_deg, first.range_m, first.retention_days) == (
        135.5,
        80.0,
        25.0,
        60,
    )
    assert box.decrypt(first.password_encrypted) == sheets.CAMERA_PASSWORD
    # Credentials in the URL are taken out of it and stored encrypted.
    assert second.stream_url == "rtsp://10.1.2.4:554/ch1"
    assert second.username == "viewer"
    assert box.decrypt(second.password_encrypted) == sheets.URL_PASSWORD
    assert {c.origin for c in (first, second)} == {"registry"}
    assert (second.enabled, second.system_id, second.jurisdiction_code) == (
        False,
        system.id,
        "360102",
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_good_csv_in_each_encoding(db: Session, run_import: Importer, encoding: str) -> None:
    data = dataset()
    for kind in ("units", "sites", "systems", "cameras"):
        report = run_import(csv_bytes(data[kind], encoding=encoding), filename=f"{kind}.csv")
        assert report.ok, [e.line() for e in report.errors]
    names = set(db.scalars(select(Unit.name)))
    assert names == {"南昌银行东湖支行", "安防维保公司"}
    assert counts(db) == {"unit": 2, "site": 2, "system": 1, "camera": 2}


def test_chinese_sheet_names_and_references_to_rows_in_the_database(
    db: Session, run_import: Importer, registry: Registry
) -> None:
    unit = registry.unit()
    site = registry.site(unit=unit)
    site.ref = "DB-SITE"
    system = registry.system(site=site, unit=unit, ref="DB-SYS")
    db.commit()
    data = dataset()
    data["systems"][0] |= {"site_ref": "DB-SITE", "maintainer_unit_credit_code": unit.credit_code}
    data["cameras"][1]["system_ref"] = "DB-SYS"
    report = run_import(
        xlsx({"系统": data["systems"], "前端设备": data["cameras"], "单位": data["units"]})
    )
    assert report.ok, [e.line() for e in report.errors]
    on_db_system = db.scalars(select(Camera).where(Camera.system_id == system.id)).one()
    assert on_db_system.gb_id == data["cameras"][1]["gb_id"]


def test_dry_run_checks_and_writes_nothing(db: Session, run_import: Importer) -> None:
    report = run_import(xlsx(dataset()), dry_run=True)
    assert report.ok
    assert report.dry_run
    assert not report.imported
    assert report.counts["cameras"] == 2
    assert counts(db) == EMPTY


# --- export ------------------------------------------------------------------------------


def snapshot(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
    """Every registry row by natural key, references by natural key, without ids,
    timestamps and secrets (passwords are never exported)."""
    skip = {"id", "created_at", "updated_at", "password_encrypted"}

    def fields(row: Any) -> dict[str, Any]:
        return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in skip}

    units = {u.id: u.credit_code for u in session.scalars(select(Unit))}
    site_refs = {s.id: s.ref or synthetic_ref("site", s.id) for s in session.scalars(select(Site))}
    system_refs = {
        s.id: s.ref or synthetic_ref("system", s.id) for s in session.scalars(select(System))
    }
    out: dict[str, dict[str, dict[str, Any]]] = {
        "units": {},
        "sites": {},
        "systems": {},
        "cameras": {},
    }
    for unit in session.scalars(select(Unit)):
        out["units"][unit.credit_code] = fields(unit)
    for site in session.scalars(select(Site)):
        row = fields(site) | {"ref": site_refs[site.id]}
        row["responsible_unit_id"] = units[site.responsible_unit_id]
        out["sites"][site_refs[site.id]] = row
    for system in session.scalars(select(System)):
        row = fields(system) | {"ref": system_refs[system.id], "site_id": site_refs[system.site_id]}
        for key in ("builder_unit_id", "user_unit_id", "maintainer_unit_id"):
            row[key] = units[row[key]]
        out["systems"][system_refs[system.id]] = row
    for camera in session.scalars(select(Camera)):
        row = fields(camera) | {"system_id": system_refs[camera.system_id]}
        out["cameras"][camera.gb_id] = row
    return out


def test_export_reimports_into_a_fresh_database_unchanged(
    db: Session,
    run_import: Importer,
    registry: Registry,
    fresh_db: Session,
    box: SecretBox,
) -> None:
    assert run_import(xlsx(dataset())).ok
    registry.covered_site(jurisdiction="360111")  # a site and system without refs
    registry.unit(name='=HYPERLINK("http://x")')  # text that looks like a formula
    db.commit()
    buffer = io.BytesIO()
    exported = export_xlsx(db, principal=registry.operator, out=buffer)
    assert exported == {"units": 4, "sites": 3, "systems": 2, "cameras": 3}
    report = import_file(
        fresh_db,
        principal=operator_principal(fresh_db),
        path_or_bytes=buffer.getvalue(),
        filename="export.xlsx",
        box=box,
        camera_type_codes=("131", "132"),
    )
    assert report.ok, [e.line() for e in report.errors]
    fresh_db.commit()
    assert snapshot(fresh_db) == snapshot(db)


def xlsx_text(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return b"".join(book.read(name) for name in book.namelist())


def test_exports_never_contain_a_camera_password(
    db: Session, run_import: Importer, registry: Registry
) -> None:
    assert run_import(xlsx(dataset())).ok
    tokens = [t for t in db.scalars(select(Camera.password_encrypted)) if t]
    assert len(tokens) == 2
    buffer = io.BytesIO()
    export_xlsx(db, principal=registry.operator, out=buffer)
    geojson = json.dumps(export_geojson(db, principal=registry.operator, include_sites=True))
    for blob in (buffer.getvalue(), xlsx_text(buffer.getvalue()), geojson.encode()):
        for secret in (sheets.CAMERA_PASSWORD, sheets.URL_PASSWORD, *tokens):
            assert secret.encode() not in blob
    assert b"has_password" in xlsx_text(buffer.getvalue())


def test_geojson_is_scoped_to_the_readers_district(
    db: Session, run_import: Importer, registry: Registry
) -> None:
    assert run_import(xlsx(dataset())).ok
    _unit, other_site, _system, other_camera = registry.covered_site(jurisdiction="360103")
    db.commit()
    everything = export_geojson(db, principal=registry.operator)
    assert len(everything["features"]) == 3
    mine = export_geojson(db, principal=district_admin(registry, "360102"), include_sites=True)
    assert mine["type"] == "FeatureCollection"
    cameras = [f for f in mine["features"] if f["properties"]["kind"] == "camera"]
    sites = [f for f in mine["features"] if f["properties"]["kind"] == "site"]
    assert len(cameras) == 2
    assert len(sites) == 2
    assert other_camera.gb_id not in {f["properties"]["gb_id"] for f in cameras}
    assert other_site.name not in {f["properties"]["name"] for f in sites}
    entrance = next(f for f in cameras if f["properties"]["role"] == "entrance")
    assert entrance["type"] == "Feature"
    assert entrance["geometry"] == {"type": "Point", "coordinates": [115.90211, 28.68121]}
    assert entrance["properties"] | {"system_id": 0} == {
        "kind": "camera",
        "gb_id": gb(1001),
        "name": "营业厅入口",
        "role": "entrance",
        "azimuth_deg": 135.5,
        "fov_deg": 80.0,
        "range_m": 25.0,
        "system_id": 0,
        "site_name": "东湖支行营业厅",
        "site_category": "art8_4",
        "jurisdiction_code": "360102",
    }
    json.dumps(mine)  # serialisable as it stands


def test_xlsx_export_survives_control_characters(db: Session, registry: Registry) -> None:
    """Found by the OpenAPI fuzz: a unit named with a C0 control character (accepted from
    the API or a CSV) made openpyxl refuse the whole book, a 500 for every export. The
    character the sheet cannot hold becomes U+FFFD; tabs and newlines stay."""
    registry.unit(name="东湖\x01单位", jurisdiction="360102")
    registry.unit(name="=1+\x1f1", jurisdiction="360102")
    registry.unit(name="多行\n单位\t甲", jurisdiction="360102")
    db.commit()
    buffer = io.BytesIO()
    assert export_xlsx(db, principal=registry.operator, out=buffer)["units"] == 3
    book = load_workbook(buffer, read_only=True)
    rows = list(book["units"].iter_rows(values_only=True))
    column = rows[0].index("name")
    names = sorted(str(row[column]) for row in rows[1:])
    assert names == sorted(["东湖\ufffd单位", "=1+\ufffd1", "多行\n单位\t甲"])
    book.close()
