"""Strict configuration: TOML + PSVIS_* environment, unknown keys refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from psvis.core.config import Settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("PSVIS_") and not key.startswith("PSVIS_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = Settings()
    assert settings.data_dir == Path("var")
    assert settings.port == 8000
    assert settings.default_retention_days == 30
    assert settings.resolved_database_url().endswith("/var/psvis.db")


def test_toml_file_and_environment_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "custom.toml"
    config.write_text('port = 9001\nhost = "127.0.0.1"\ndefault_language = "en"\n', "utf-8")
    monkeypatch.setenv("PSVIS_CONFIG", str(config))
    assert Settings().port == 9001
    monkeypatch.setenv("PSVIS_PORT", "9002")
    settings = Settings()
    assert settings.port == 9002
    assert settings.default_language == "en"


def test_psvis_toml_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "psvis.toml").write_text("port = 8123\n", "utf-8")
    assert Settings().port == 8123


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("prot = 1\n", "prot"),
        ("port = 0\n", "port"),
        ("port = 70000\n", "port"),
        ("default_retention_days = 29\n", "default_retention_days"),
        ('default_language = "fr"\n', "default_language"),
        ('camera_type_codes = ["13"]\n', "camera_type_codes"),
        ("camera_type_codes = []\n", "camera_type_codes"),
        ("lockout_threshold = 0\n", "lockout_threshold"),
    ],
)
def test_bad_toml_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, needle: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text, "utf-8")
    monkeypatch.setenv("PSVIS_CONFIG", str(config))
    with pytest.raises(ValidationError, match=needle):
        Settings()


def test_malformed_toml_and_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("port = = 1", "utf-8")
    monkeypatch.setenv("PSVIS_CONFIG", str(config))
    with pytest.raises(Exception, match=r"(?i)toml|expected|invalid"):
        Settings()
    monkeypatch.setenv("PSVIS_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError):
        Settings()


def test_unknown_environment_variable_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSVIS_DATABSE_URL", "sqlite://")
    with pytest.raises(ValidationError, match="PSVIS_DATABSE_URL"):
        Settings()


def test_every_field_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_describe_masks_secrets() -> None:
    settings = Settings(
        database_url="postgresql+psycopg://psvis:hunter22@127.0.0.1:5432/psvis",
        demo_password=SecretStr("open-sesame-123"),
    )
    shown = str(settings.describe())
    assert "hunter22" not in shown
    assert "open-sesame-123" not in shown
    assert "psvis:********@127.0.0.1" in shown
