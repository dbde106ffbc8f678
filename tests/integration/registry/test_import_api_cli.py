"""Registry files through the API (upload, download) and the CLI (a real subprocess)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.registry.exporter import GEOJSON_MEDIA_TYPE, XLSX_MEDIA_TYPE
from psvis.registry.file_routes import upload_limits
from psvis.registry.files import Limits
from tests.integration.registry import sheets
from tests.integration.registry.sheets import EMPTY, counts, csv_bytes, dataset, xlsx
from tests.support.factories import Registry
from tests.support.http import bearer

XLSX_UPLOAD = "registry.xlsx"
IMPORT_URL = "/api/v1/registry/import"


@pytest.fixture
def admin(client: TestClient, registry: Registry) -> dict[str, str]:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="admin")
    registry.session.commit()
    return bearer(client, "admin")


def upload(data: bytes, name: str = XLSX_UPLOAD) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "application/octet-stream")}


def test_api_imports_a_good_file(client: TestClient, db: Session, admin: dict[str, str]) -> None:
    response = client.post(IMPORT_URL, headers=admin, files=upload(xlsx(dataset())))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["imported"] is True
    assert body["counts"] == {"units": 2, "sites": 2, "systems": 1, "cameras": 2}
    assert counts(db)["camera"] == 2


def test_api_csv_with_kind_and_dry_run(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = csv_bytes(dataset()["units"], encoding="gbk")
    response = client.post(
        IMPORT_URL,
        headers=admin,
        params={"kind": "units", "dry_run": "true"},
        files=upload(data, "导出.csv"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["dry_run"] is True
    assert response.json()["counts"] == {"units": 2}
    assert counts(db) == EMPTY


def test_api_invalid_file_is_422_with_every_error(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    data = dataset()
    sheets.art9_camera(data)
    data["systems"][0]["retention_days"] = 29
    response = client.post(IMPORT_URL, headers=admin, files=upload(xlsx(data)))
    assert response.status_code == 422
    error = response.json()["error"]
    assert "nothing was imported" in error["message"]
    found = [(e["sheet"], e["row"], e["column"], e["article"]) for e in error["details"]["errors"]]
    assert found == [
        ("systems", 2, "retention_days", "Art. 17(4)"),
        ("cameras", 4, "system_ref", "Art. 9"),
    ]
    assert counts(db) == EMPTY


@pytest.mark.parametrize("size", [5_000, 200_000])
def test_api_refuses_an_oversized_upload(
    client: TestClient, db: Session, admin: dict[str, str], size: int
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    app.dependency_overrides[upload_limits] = lambda: Limits(max_bytes=1_000)
    response = client.post(IMPORT_URL, headers=admin, files=upload(b"x" * size, "units.csv"))
    assert response.status_code == 413
    assert "larger than 1,000 bytes" in response.json()["error"]["message"]
    assert counts(db) == EMPTY


def test_api_unit_staff_may_not_import(client: TestClient, registry: Registry) -> None:
    unit = registry.unit()
    registry.user(role=Role.UNIT_ADMIN, units=(unit.id,), username="unitadmin")
    registry.session.commit()
    headers = bearer(client, "unitadmin")
    response = client.post(IMPORT_URL, headers=headers, files=upload(xlsx(dataset())))
    assert response.status_code == 403


def test_api_exports_scoped_xlsx_and_geojson(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    assert client.post(IMPORT_URL, headers=admin, files=upload(xlsx(dataset()))).status_code == 200
    registry.covered_site(jurisdiction="360103")
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="east")
    registry.session.commit()
    east = bearer(client, "east")
    response = client.get("/api/v1/registry/export.xlsx", headers=east)
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["units", "sites", "systems", "cameras"]
    assert len(list(book["cameras"].iter_rows(min_row=2))) == 2
    assert sheets.CAMERA_PASSWORD.encode() not in response.content
    response = client.get("/api/v1/registry/export.geojson", headers=east)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GEOJSON_MEDIA_TYPE)
    features = response.json()["features"]
    assert {f["properties"]["jurisdiction_code"] for f in features} == {"360102"}


# --- CLI -----------------------------------------------------------------------------------


def psvis(settings: Settings, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``psvis`` command against the test database."""
    env = dict(os.environ)
    env.pop("PSVIS_CONFIG", None)
    env["PSVIS_DATA_DIR"] = str(settings.data_dir)
    env["PSVIS_DATABASE_URL"] = settings.resolved_database_url()
    command = [sys.executable, "-c", "from psvis.cli.main import main; main()", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_import_exit_codes(settings: Settings, db: Session, tmp_path: Path) -> None:
    bad = dataset(prefix="B")
    sheets.art9_camera(bad, prefix="B")
    (tmp_path / "bad.xlsx").write_bytes(xlsx(bad))
    refused = psvis(settings, tmp_path, "import", "bad.xlsx")
    assert refused.returncode == 1, refused.stderr
    assert "cameras:4:system_ref: " in refused.stderr
    assert "Art. 9 / 第九条" in refused.stderr
    assert "nothing imported" in refused.stderr
    db.rollback()
    assert counts(db) == EMPTY

    (tmp_path / "good.xlsx").write_bytes(xlsx(dataset()))
    done = psvis(settings, tmp_path, "import", "good.xlsx")
    assert done.returncode == 0, done.stderr
    assert "imported: 2 units, 2 sites, 1 systems, 2 cameras" in done.stdout
    db.rollback()
    assert counts(db) == {"unit": 2, "site": 2, "system": 1, "camera": 2}


def test_cli_csv_dry_run_and_exports(settings: Settings, db: Session, tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_bytes(csv_bytes(dataset()["units"], encoding="utf-8-sig"))
    checked = psvis(settings, tmp_path, "import", "list.csv", "--kind", "units", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "dry run" in checked.stdout
    (tmp_path / "good.xlsx").write_bytes(xlsx(dataset()))
    assert psvis(settings, tmp_path, "import", "good.xlsx").returncode == 0
    geo = psvis(settings, tmp_path, "export", "--format", "geojson", "--out", "map.geojson")
    assert geo.returncode == 0, geo.stderr
    collection = json.loads((tmp_path / "map.geojson").read_text("utf-8"))
    assert len(collection["features"]) == 2
    book = psvis(settings, tmp_path, "export", "--format", "xlsx", "--out", "all.xlsx")
    assert book.returncode == 0, book.stderr
    assert "exported 2 units, 2 sites, 1 systems, 2 cameras" in book.stdout
    assert sheets.CAMERA_PASSWORD.encode() not in (tmp_path / "all.xlsx").read_bytes()


def test_api_upload_must_be_a_sized_multipart_file(
    client: TestClient, db: Session, admin: dict[str, str]
) -> None:
    wrong_field = client.post(IMPORT_URL, headers=admin, files={"upload": ("a.csv", b"x", "")})
    assert wrong_field.status_code == 422
    assert "field 'file'" in wrong_field.json()["error"]["message"]
    chunked = client.post(
        IMPORT_URL,
        headers=admin | {"content-type": "multipart/form-data; boundary=b"},
        content=iter([b"--b\r\n", b"garbage"]),
    )
    assert chunked.status_code == 411
    assert counts(db) == EMPTY


def test_api_documents_the_upload(client: TestClient) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"][IMPORT_URL]["post"]
    assert operation["x-permission"] == {"resource": "registry_file", "action": "import"}
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["file"]["format"] == "binary"
