"""Broken registry files: every problem reported precisely, nothing imported.

Each test checks the exact problem (sheet, row, column, article) and that the row counts
did not move, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.secrets import SecretBox
from psvis.registry.enums import SiteCategory
from psvis.registry.importer import import_file
from psvis.registry.models import Camera, Site, System
from tests.integration.registry import sheets
from tests.integration.registry.sheets import (
    EMPTY,
    Importer,
    counts,
    dataset,
    district_admin,
    gb,
    only_error,
    xlsx,
)
from tests.support.factories import Registry

# --- broken files: precise errors, nothing imported ---------------------------------------


def test_missing_and_unknown_columns_reported_once_per_sheet(
    db: Session, run_import: Importer
) -> None:
    data = dataset()
    for row in data["cameras"]:
        del row["role"], row["lat"]
        row["colour"] = "white"
    report = run_import(xlsx(data))
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("cameras", 1, "colour"),
        ("cameras", 1, "lat"),
        ("cameras", 1, "role"),
    ]
    assert "required column is missing" in report.errors[1].message
    assert "unknown column" in report.errors[0].message
    assert counts(db) == EMPTY


def test_every_error_of_every_sheet_is_reported(db: Session, run_import: Importer) -> None:
    data = dataset()
    data["units"][1]["kind"] = "company"
    data["sites"][0]["lat"] = "north"
    data["cameras"][0] |= {"fov_deg": 0, "retention_days": 29, "gb_id": gb(1, type_code="111")}
    report = run_import(xlsx(data))
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("units", 3, "kind"),
        ("sites", 2, "lat"),
        ("cameras", 2, "gb_id"),
        ("cameras", 2, "fov_deg"),
        ("cameras", 2, "retention_days"),
    ]
    assert report.error_count == 5
    assert counts(db) == EMPTY


def test_random_bytes_are_an_encoding_error(db: Session, run_import: Importer) -> None:
    noise = random.Random(157).randbytes(4096)
    sheet, row, _column, message = only_error(run_import(noise, filename="units.csv"))
    assert (sheet, row) == ("units.csv", 0)
    assert "neither UTF-8 nor GB18030/GBK" in message
    assert counts(db) == EMPTY


@pytest.mark.parametrize("damage", ["truncated", "garbled_sheet", "not_a_zip"])
def test_damaged_xlsx_is_a_clear_error(db: Session, run_import: Importer, damage: str) -> None:
    good = xlsx(dataset())
    if damage == "truncated":
        broken = good[: len(good) // 2]
    elif damage == "garbled_sheet":
        source, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                body = source.read(item)
                target.writestr(
                    item, b"<worksheet><oops" if "worksheets/" in item.filename else body
                )
        broken = out.getvalue()
    else:
        broken = b"this is not a workbook at all"
    _sheet, _row, _column, message = only_error(run_import(broken, filename="registry.xlsx"))
    assert "XLSX" in message
    assert counts(db) == EMPTY


def test_duplicate_gb_ids_in_the_file_and_against_the_registry(
    db: Session, run_import: Importer, registry: Registry
) -> None:
    _unit, _site, _system, existing = registry.covered_site()
    db.commit()
    before = counts(db)
    data = dataset()
    data["cameras"][1]["gb_id"] = data["cameras"][0]["gb_id"]
    data["cameras"].append(dict(data["cameras"][0], gb_id=existing.gb_id))
    report = run_import(xlsx(data))
    assert [(e.row, e.column) for e in report.errors] == [(3, "gb_id"), (4, "gb_id")]
    assert "repeated (first on row 2)" in report.errors[0].message
    assert "already exists" in report.errors[1].message
    assert counts(db) == before


def test_invalid_credit_code_check_character(db: Session, run_import: Importer) -> None:
    data = dataset()
    code = data["units"][0]["credit_code"]
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    data["units"][0]["credit_code"] = wrong
    for site in data["sites"]:
        site["responsible_unit_credit_code"] = wrong
    for key in ("builder_unit_credit_code", "user_unit_credit_code"):
        data["systems"][0][key] = wrong
    sheet, row, column, message = only_error(run_import(xlsx(data)))
    assert (sheet, row, column) == ("units", 2, "credit_code")
    assert f"check character is {wrong[17]!r}, expected {code[17]!r}" in message
    assert counts(db) == EMPTY


@pytest.mark.parametrize(
    ("gb_id", "expected"),
    [
        ("3601020000132", "String should have at least 20 characters"),
        (gb(5, division="360202"), "centre code 36020200 (division 360202) lies outside"),
        (gb(5, type_code="111"), "type code 111 (DVR) is not a camera type"),
    ],
    ids=["wrong_length", "other_city", "dvr_type"],
)
def test_invalid_gb_ids(db: Session, run_import: Importer, gb_id: str, expected: str) -> None:
    data = dataset()
    data["cameras"][0]["gb_id"] = gb_id
    sheet, row, column, message = only_error(run_import(xlsx(data)))
    assert (sheet, row, column) == ("cameras", 2, "gb_id")
    assert expected in message
    assert counts(db) == EMPTY


def test_camera_at_privacy_site_refused_citing_art9(db: Session, run_import: Importer) -> None:
    data = dataset()
    sheets.art9_camera(data)
    report = run_import(xlsx(data))
    sheet, row, column, message = only_error(report)
    assert (sheet, row, column) == ("cameras", 4, "system_ref")
    assert "Art. 9 / 第九条" in message
    assert report.errors[0].article == "Art. 9"
    assert counts(db) == EMPTY


def test_legacy_survey_admits_privacy_site_camera_as_found(
    db: Session, run_import: Importer
) -> None:
    data = dataset()
    sheets.art9_camera(data, serial=999)
    report = run_import(xlsx(data), legacy_survey=True)
    assert report.ok
    assert report.legacy_survey
    camera = db.scalars(select(Camera).where(Camera.gb_id == gb(999))).one()
    assert camera.origin == "legacy_survey"
    site = db.scalars(select(Site).join(System).where(System.id == camera.system_id)).one()
    assert site.category is SiteCategory.ART9_TOILET


def test_retention_below_30_days_refused_citing_art17_4(db: Session, run_import: Importer) -> None:
    data = dataset()
    data["systems"][0]["retention_days"] = 29
    report = run_import(xlsx(data))
    sheet, row, column, message = only_error(report)
    assert (sheet, row, column) == ("systems", 2, "retention_days")
    assert report.errors[0].article == "Art. 17(4)"
    assert "第十七条第（四）项" in message
    assert counts(db) == EMPTY


def test_inconsistent_lifecycle_facts(db: Session, run_import: Importer) -> None:
    data = dataset()
    data["systems"][0] |= {"acceptance_police_participant": None, "acceptance_result": "failed"}
    report = run_import(xlsx(data))
    assert [(e.sheet, e.column) for e in report.errors] == [
        ("systems", "acceptance_police_participant"),
        ("systems", "acceptance_result"),
    ]
    assert counts(db) == EMPTY


def test_district_admin_cannot_import_for_another_district(
    db: Session, run_import: Importer, registry: Registry
) -> None:
    other_unit = registry.unit(jurisdiction="360103")
    db.commit()
    before = counts(db)
    data = dataset(division="360103")
    data["systems"][0]["maintainer_unit_credit_code"] = other_unit.credit_code
    report = run_import(xlsx(data), principal=district_admin(registry, "360102"))
    outside = [(e.sheet, e.row, e.column) for e in report.errors]
    assert ("units", 2, "jurisdiction_code") in outside
    assert ("sites", 3, "jurisdiction_code") in outside
    maintainer = [e for e in report.errors if e.column == "maintainer_unit_credit_code"]
    assert len(maintainer) == 1
    assert "within your reach" in maintainer[0].message
    assert all(
        "outside yours" in e.message for e in report.errors if e.column == "jurisdiction_code"
    )
    assert counts(db) == before


def test_district_admin_imports_own_district(
    db: Session, run_import: Importer, registry: Registry
) -> None:
    report = run_import(xlsx(dataset()), principal=district_admin(registry, "360102"))
    assert report.ok
    assert counts(db)["camera"] == 2


def test_unit_staff_may_not_import(db: Session, registry: Registry, box: SecretBox) -> None:
    unit = registry.unit()
    user = registry.user(role=Role.UNIT_ADMIN, units=(unit.id,))
    principal = auth_service.principal_for(db, user=user)
    from psvis.core.errors import Forbidden

    with pytest.raises(Forbidden):
        import_file(
            db,
            principal=principal,
            path_or_bytes=xlsx(dataset()),
            box=box,
            camera_type_codes=("132",),
        )


@pytest.mark.parametrize(
    "url",
    ["rtsp://admin:Hunter2-secret/ch1", "rtsp://admin:Hunter2-secret@10.0.0.9:port/ch1"],
    ids=["no_at_sign", "bad_port"],
)
def test_bad_stream_url_reported_without_echoing_the_password(
    db: Session, run_import: Importer, url: str
) -> None:
    data = dataset()
    data["cameras"][0]["stream_url"] = url
    data["cameras"][0]["fov_deg"] = 400  # a second problem on the same row
    report = run_import(xlsx(data))
    assert [(e.row, e.column) for e in report.errors] == [(2, "fov_deg"), (2, "stream_url")]
    assert "Hunter2-secret" not in report.model_dump_json()
    assert sheets.CAMERA_PASSWORD not in report.model_dump_json()
    assert counts(db) == EMPTY
