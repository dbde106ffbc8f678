"""The psvis command line, run as a real subprocess against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from psvis.core.config import Settings
from psvis.registry.codes import make_gb_id
from psvis.registry.enums import SiteCategory
from tests.support.factories import Registry


def psvis(
    settings: Settings, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    environment |= {
        "PSVIS_DATA_DIR": str(settings.data_dir),
        "PSVIS_DATABASE_URL": settings.resolved_database_url(),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "psvis.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_compliance_check_json(settings: Settings, registry: Registry) -> None:
    unit = registry.unit()
    bank = registry.site(unit=unit, category=SiteCategory.ART8_4)
    registry.covered_site()
    registry.session.commit()
    result = psvis(settings, "compliance", "check", "--json")
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)
    assert isinstance(findings, list)
    assert len(findings) == 1
    finding = findings[0]
    for key in ("article", "rule", "subject_type", "subject_id", "status"):
        assert key in finding
    assert finding["rule"] == "art8_mandatory_site_uncovered"
    assert (finding["subject_type"], finding["subject_id"]) == ("site", bank.id)
    again = json.loads(psvis(settings, "compliance", "check", "--json").stdout)
    assert [f["id"] for f in again] == [finding["id"]]


def test_camera_at_toilet_refused_citing_art9(settings: Settings, registry: Registry) -> None:
    unit = registry.unit()
    toilet = registry.site(unit=unit, category=SiteCategory.ART9_TOILET)
    system = registry.system(site=toilet, unit=unit)
    registry.session.commit()
    gb_id = make_gb_id(division="360102", type_code="132", serial=77)
    result = psvis(
        settings,
        "camera",
        "add",
        "--gb-id",
        gb_id,
        "--name",
        "厕所",
        "--system-id",
        str(system.id),
        "--lat",
        "28.6",
        "--lon",
        "115.9",
        "--role",
        "entrance",
    )
    assert result.returncode == 2
    assert "Art. 9" in result.stderr
    assert "第九条" in result.stderr
    assert "Traceback" not in result.stderr


def test_camera_add_keeps_password_out_of_output(settings: Settings, registry: Registry) -> None:
    _unit, _site, system, _camera = registry.covered_site()
    registry.session.commit()
    gb_id = make_gb_id(division="360102", type_code="131", serial=78)
    result = psvis(
        settings,
        "camera",
        "add",
        "--gb-id",
        gb_id,
        "--name",
        "北门",
        "--system-id",
        str(system.id),
        "--lat",
        "28.6",
        "--lon",
        "115.9",
        "--role",
        "passage",
        "--password-env",
        "CAM_PW",
        env={"CAM_PW": "Sup3rSecret!"},
    )
    assert result.returncode == 0, result.stderr
    assert "Sup3rSecret!" not in result.stdout + result.stderr
    assert json.loads(result.stdout)["has_password"] is True


def test_retention_29_refused_citing_art17_4(settings: Settings, registry: Registry) -> None:
    _unit, _site, system, _camera = registry.covered_site()
    registry.session.commit()
    refused = psvis(settings, "system", "set-retention", str(system.id), "29")
    assert refused.returncode == 2
    assert "Art. 17(4)" in refused.stderr
    assert "第十七条第（四）项" in refused.stderr
    ok = psvis(settings, "system", "set-retention", str(system.id), "30")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["retention_days"] == 30


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("system", "set-retention", "999999", "45"), "not found"),
        (("system", "set-retention", "abc", "45"), "Invalid value for"),
        (("camera", "add", "--gb-id", "1"), "Missing option"),
    ],
)
def test_bad_cli_input_is_a_clear_error(
    settings: Settings, registry: Registry, args: tuple[str, ...], needle: str
) -> None:
    result = psvis(settings, *args)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_configuration_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "psvis.toml"
    bad.write_text("port = 8000\nprot = 1\n", encoding="utf-8")
    result = psvis(settings, "compliance", "check", env={"PSVIS_CONFIG": str(bad)})
    assert result.returncode == 2
    assert "prot" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_psvis_environment_variable_is_an_error(settings: Settings) -> None:
    result = psvis(settings, "compliance", "check", env={"PSVIS_PROT": "8001"})
    assert result.returncode == 2
    assert "PSVIS_PROT" in result.stderr


def test_stale_schema_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "empty")
    settings.data_dir.mkdir()
    result = psvis(settings, "compliance", "check")
    assert result.returncode == 2
    assert "psvis init" in result.stderr
