"""Configuration changes the law cares about (Art. 20(1), 17(4)) enter the ledger as
``config.changed`` entries in the transaction of the change: one per changed field, none
when nothing changed, never a secret. Through the services, the API, the CLI and the
importer, on both backends."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.errors import Conflict, InvalidInput, NotFound, Refused
from psvis.core.secrets import SecretBox
from psvis.ledger import config_changes, entries, tree
from psvis.ledger.models import LedgerEntry
from psvis.recording.storage import (
    IDENTITY_FILE,
    StorageRefused,
    create_root,
    set_enabled,
    set_path,
)
from psvis.registry import cameras, systems
from psvis.registry.enums import LifecycleState
from psvis.registry.importer import import_file
from psvis.registry.models import Camera, System
from psvis.registry.schemas import CameraUpdate, SystemTransition, SystemUpdate
from tests.integration.registry.sheets import dataset, xlsx
from tests.support.factories import Registry
from tests.support.http import bearer

PASSWORD = "Pw-4b7e-SECRET-9d2c"
URL_PASSWORD = "u9-url-SECRET-77aa"
TOKEN = "tk-SECRET-5f31c0"
USERNAME = "ops-USER-3c9e"
CONFIG = str(entries.EntryType.CONFIG_CHANGED)


def config_entries(db: Session) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(LedgerEntry.entry).where(LedgerEntry.type == CONFIG).order_by(LedgerEntry.id)
    )
    return [entries.decode(bytes(row)) for row in rows]


def all_entry_bytes(db: Session) -> bytes:
    return b"\n".join(bytes(row) for row in db.scalars(select(LedgerEntry.entry)))


def changed(db: Session, *, since: int = 0) -> list[tuple[str, int, str, Any, Any]]:
    return [(e["subject"], e["id"], e["field"], e["old"], e["new"]) for e in config_entries(db)][
        since:
    ]


@pytest.fixture
def camera(registry: Registry, db: Session) -> Camera:
    _unit, _site, _system, made = registry.covered_site()
    db.commit()
    assert config_entries(db) == []  # creation is not a change
    return made


def update(registry: Registry, camera: Camera, **fields: Any) -> Camera:
    result = cameras.update_camera(
        registry.session,
        principal=registry.operator,
        camera_id=camera.id,
        data=CameraUpdate.model_validate(fields),
        box=registry.box,
    )
    registry.session.commit()
    return result


# --- cameras ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "old", "new"),
    [
        ("azimuth_deg", 135.5, "0.0", "135.5"),
        ("fov_deg", 45, "90.0", "45.0"),
        ("range_m", 80.25, "30.0", "80.25"),
        ("lat", 28.7, "28.68", "28.7"),
        ("lon", 115.95, "115.9", "115.95"),
        ("role", "passage", "entrance", "passage"),
        ("retention_days", 45, None, 45),
        ("enabled", False, True, False),
        ("stream_url", "rtsp://10.0.0.9:554/main", "", "rtsp://10.0.0.9:554/main"),
    ],
)
def test_each_camera_field_change_is_one_entry_with_old_and_new(
    db: Session, registry: Registry, camera: Camera, field: str, value: Any, old: Any, new: Any
) -> None:
    update(registry, camera, **{field: value})
    assert changed(db) == [("camera", camera.id, field, old, new)]
    (entry,) = config_entries(db)
    assert entry["actor"] == config_changes.cli_actor()
    assert entry["actor"].startswith("cli:")
    # the entry is findable by camera and integrates into the tree like any other
    row = db.scalars(select(LedgerEntry).where(LedgerEntry.type == CONFIG)).one()
    assert row.camera_id == camera.id
    assert tree.integrate(db) >= 1
    db.commit()


def test_several_fields_in_one_update_give_one_entry_each(
    db: Session, registry: Registry, camera: Camera
) -> None:
    update(registry, camera, azimuth_deg=270, fov_deg=60, name="改名不入账本")
    assert changed(db) == [
        ("camera", camera.id, "azimuth_deg", "0.0", "270.0"),
        ("camera", camera.id, "fov_deg", "90.0", "60.0"),
    ]


def test_no_entry_when_nothing_changed(db: Session, registry: Registry, camera: Camera) -> None:
    update(registry, camera, password=PASSWORD, stream_url="rtsp://10.0.0.9/a")
    before = len(config_entries(db))
    same = {
        "azimuth_deg": camera.azimuth_deg,
        "fov_deg": int(camera.fov_deg),  # 90 and 90.0 are the same direction
        "range_m": camera.range_m,
        "lat": camera.lat,
        "lon": camera.lon,
        "role": camera.role.value,
        "enabled": True,
        "retention_days": None,
        "stream_url": "rtsp://10.0.0.9/a",
        "password": PASSWORD,  # the same password again: a new token, not a new secret
    }
    update(registry, camera, **same)
    update(registry, camera, name="只改名字")
    update(registry, camera)
    assert len(config_entries(db)) == before


def test_credentials_recorded_as_changed_and_never_written(
    db: Session, registry: Registry, camera: Camera
) -> None:
    update(registry, camera, password=PASSWORD)
    update(registry, camera, username=USERNAME)
    update(registry, camera, stream_url=f"rtsp://viewer:{URL_PASSWORD}@10.1.1.1:554/ch1")
    update(registry, camera, stream_url=f"http://10.1.1.2/live.ts?user=x&password={TOKEN}")
    update(registry, camera, password="")
    got = changed(db)
    assert got[0] == ("camera", camera.id, "password", None, "changed")
    assert got[1] == ("camera", camera.id, "username", None, "changed")
    # credentials in the URL: the URL (without them), the username and the password
    assert [g[2] for g in got[2:5]] == ["stream_url", "username", "password"]
    assert got[2][4] == "rtsp://10.1.1.1:554/ch1"
    assert got[3][3:] == (None, "changed")
    assert got[4][3:] == (None, "changed")
    assert got[5][2] == "stream_url"
    assert got[5][4] == "http://10.1.1.2/live.ts?user=x&password=***"
    assert got[6] == ("camera", camera.id, "password", None, "changed")
    raw = all_entry_bytes(db)
    for secret in (PASSWORD, URL_PASSWORD, TOKEN, USERNAME, "viewer"):
        assert secret.encode() not in raw
    # the encrypted token must not leak either (it is the secret under a key on disk)
    stored = db.get(Camera, camera.id)
    assert stored is not None
    assert all(token.encode() not in raw for token in [stored.password_encrypted] if token)


def test_refused_update_records_nothing(db: Session, registry: Registry, camera: Camera) -> None:
    with pytest.raises(Refused):
        update(registry, camera, retention_days=29, azimuth_deg=10)
    db.rollback()
    with pytest.raises(InvalidInput):
        update(registry, camera, enabled=None)
    db.rollback()
    assert config_entries(db) == []
    refreshed = db.get(Camera, camera.id)
    assert refreshed is not None
    assert refreshed.azimuth_deg == 0.0


def test_change_and_entry_roll_back_together(
    db: Session, registry: Registry, camera: Camera
) -> None:
    cameras.update_camera(
        db,
        principal=registry.operator,
        camera_id=camera.id,
        data=CameraUpdate(azimuth_deg=90),
        box=registry.box,
    )
    db.rollback()
    assert config_entries(db) == []
    assert db.get(Camera, camera.id).azimuth_deg == 0.0  # type: ignore[union-attr]


def test_api_update_records_the_signed_in_user(
    client: TestClient, db: Session, registry: Registry, camera: Camera
) -> None:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="zhang.admin")
    db.commit()
    headers = bearer(client, "zhang.admin")
    url = f"/api/v1/cameras/{camera.id}"
    response = client.patch(
        url,
        headers=headers,
        json={"azimuth_deg": 200, "stream_url": f"rtsp://u:{URL_PASSWORD}@10.2.2.2/x"},
    )
    assert response.status_code == 200, response.text
    refused = client.patch(url, headers=headers, json={"azimuth_deg": 360})
    assert refused.status_code == 422
    db.expire_all()
    got = config_entries(db)
    assert [(e["field"], e["actor"]) for e in got] == [
        ("stream_url", "zhang.admin"),
        ("username", "zhang.admin"),
        ("password", "zhang.admin"),
        ("azimuth_deg", "zhang.admin"),
    ]
    assert URL_PASSWORD.encode() not in all_entry_bytes(db)


# --- systems ------------------------------------------------------------------------------


def test_system_retention_state_and_operation_changes(
    db: Session, registry: Registry, camera: Camera
) -> None:
    system_id = camera.system_id
    operator = registry.operator
    systems.update_system(
        db, principal=operator, system_id=system_id, data=SystemUpdate(retention_days=90)
    )
    systems.update_system(
        db, principal=operator, system_id=system_id, data=SystemUpdate(name="新名字")
    )
    systems.update_system(
        db, principal=operator, system_id=system_id, data=SystemUpdate(in_operation=False)
    )
    systems.update_system(
        db, principal=operator, system_id=system_id, data=SystemUpdate(in_operation=True)
    )
    db.commit()
    systems.transition_system(
        db,
        principal=operator,
        system_id=system_id,
        data=SystemTransition.model_validate(
            {
                "target": "removal_notified",
                "removal_notice_date": "2026-11-01",
                "planned_removal_date": "2026-11-10",
            }
        ),
    )
    systems.transition_system(
        db,
        principal=operator,
        system_id=system_id,
        data=SystemTransition.model_validate({"target": "removed", "removed_on": "2026-11-10"}),
    )
    db.commit()
    assert changed(db) == [
        ("system", system_id, "retention_days", 30, 90),
        ("system", system_id, "in_operation", True, False),
        ("system", system_id, "in_operation", False, True),
        ("system", system_id, "state", "accepted", "removal_notified"),
        ("system", system_id, "state", "removal_notified", "removed"),
        ("system", system_id, "in_operation", True, False),  # removal stops recording
    ]
    system = db.get(System, system_id)
    assert system is not None
    assert system.state is LifecycleState.REMOVED


def test_system_refused_changes_record_nothing(
    db: Session, registry: Registry, camera: Camera
) -> None:
    with pytest.raises(Refused):
        systems.update_system(
            db,
            principal=registry.operator,
            system_id=camera.system_id,
            data=SystemUpdate(retention_days=29),
        )
    db.rollback()
    with pytest.raises(Conflict):  # accepted → planned is no edge of the lifecycle
        systems.transition_system(
            db,
            principal=registry.operator,
            system_id=camera.system_id,
            data=SystemTransition(target=LifecycleState.PLANNED),
        )
    db.rollback()
    assert config_entries(db) == []


def test_api_system_patch_records_user(
    client: TestClient, db: Session, registry: Registry, camera: Camera
) -> None:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="li.admin")
    db.commit()
    headers = bearer(client, "li.admin")
    url = f"/api/v1/systems/{camera.system_id}"
    assert client.patch(url, headers=headers, json={"retention_days": 29}).status_code == 422
    assert client.patch(url, headers=headers, json={"retention_days": 31}).status_code == 200
    assert client.patch(url, headers=headers, json={"retention_days": 31}).status_code == 200
    db.expire_all()
    got = config_entries(db)
    assert [(e["field"], e["old"], e["new"], e["actor"]) for e in got] == [
        ("retention_days", 30, 31, "li.admin")
    ]


# --- storage roots -------------------------------------------------------------------------


def test_storage_add_enable_disable_and_move(db: Session, tmp_path: Path) -> None:
    row = create_root(db, name="disk1", path=tmp_path / "a", reserve_bytes=0, actor="tester")
    db.commit()
    set_enabled(db, name="disk1", enabled=False, actor="tester")
    set_enabled(db, name="disk1", enabled=False, actor="tester")  # no change, no entry
    set_enabled(db, name="disk1", enabled=True, actor="tester")
    db.commit()
    (tmp_path / "a").rename(tmp_path / "b")  # the disk is remounted elsewhere
    set_path(db, name="disk1", path=tmp_path / "b", actor="tester")
    db.commit()
    old, new = str((tmp_path / "a").resolve()), str((tmp_path / "b").resolve())
    assert changed(db) == [
        ("storage", row.id, "path", None, old),
        ("storage", row.id, "enabled", None, True),
        ("storage", row.id, "enabled", True, False),
        ("storage", row.id, "enabled", False, True),
        ("storage", row.id, "path", old, new),
    ]
    assert {e["actor"] for e in config_entries(db)} == {"tester"}


def test_storage_hostile_changes_refused_without_entries(db: Session, tmp_path: Path) -> None:
    create_root(db, name="disk1", path=tmp_path / "one", reserve_bytes=0)
    create_root(db, name="disk2", path=tmp_path / "two", reserve_bytes=0)
    db.commit()
    before = len(config_entries(db))
    with pytest.raises(NotFound):
        set_enabled(db, name="nope", enabled=False, actor="t")
    with pytest.raises(NotFound):
        set_path(db, name="x" * 10_000, path=tmp_path, actor="t")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(StorageRefused, match="no identity file"):
        set_path(db, name="disk1", path=empty, actor="t")
    with pytest.raises(StorageRefused, match="another root"):  # a swap, not a move
        set_path(db, name="disk1", path=tmp_path / "two", actor="t")
    with pytest.raises(StorageRefused):
        set_path(db, name="disk1", path=tmp_path / "missing", actor="t")
    with pytest.raises(InvalidInput):
        set_path(db, name="disk1", path=Path("bad\0path"), actor="t")
    with pytest.raises(InvalidInput):
        set_path(db, name="disk1", path=tmp_path / ("d" * 1200), actor="t")
    # a root whose disk is gone may be disabled, but not enabled again
    set_enabled(db, name="disk2", enabled=False, actor="t")
    db.commit()
    (tmp_path / "two" / IDENTITY_FILE).unlink()
    with pytest.raises(StorageRefused):
        set_enabled(db, name="disk2", enabled=True, actor="t")
    db.rollback()
    got = changed(db, since=before)
    assert [(g[2], g[3], g[4]) for g in got] == [("enabled", True, False)]


def psvis_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PSVIS_")}
    environment |= {
        "PSVIS_DATA_DIR": str(settings.data_dir),
        "PSVIS_DATABASE_URL": settings.resolved_database_url(),
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


def test_cli_changes_are_recorded_as_cli_user(
    settings: Settings, db: Session, camera: Camera, tmp_path: Path
) -> None:
    disk = tmp_path / "disk"
    steps = [
        ("storage", "add", "cam-disk", str(disk)),
        ("storage", "disable", "cam-disk"),
        ("storage", "enable", "cam-disk"),
        ("system", "set-retention", str(camera.system_id), "60"),
    ]
    for step in steps:
        result = psvis_cli(settings, *step)
        assert result.returncode == 0, (step, result.stderr)
    (disk).rename(tmp_path / "moved")
    result = psvis_cli(settings, "storage", "set-path", "cam-disk", str(tmp_path / "moved"))
    assert result.returncode == 0, result.stderr
    for bad in (
        ("storage", "disable", "no-such-root"),
        ("storage", "set-path", "cam-disk", str(tmp_path)),
        ("system", "set-retention", str(camera.system_id), "29"),
    ):
        refused = psvis_cli(settings, *bad)
        assert refused.returncode == 2, (bad, refused.stdout)
        assert refused.stderr.startswith("error:")
    db.expire_all()
    got = config_entries(db)
    assert [(e["subject"], e["field"]) for e in got] == [
        ("storage", "path"),
        ("storage", "enabled"),
        ("storage", "enabled"),
        ("storage", "enabled"),
        ("system", "retention_days"),
        ("storage", "path"),
    ]
    assert {e["actor"] for e in got} == {f"cli:{getpass.getuser()}"}


# --- the importer --------------------------------------------------------------------------


def test_import_cannot_change_an_existing_camera_silently(
    db: Session, registry: Registry, box: SecretBox, camera: Camera
) -> None:
    """The importer only creates: a row naming an existing camera (or system) is refused,
    so no import changes a camera's pointing or stream without an entry."""
    data = dataset()
    data["cameras"][0] |= {"gb_id": camera.gb_id, "azimuth_deg": 300}
    report = import_file(
        db,
        principal=registry.operator,
        path_or_bytes=xlsx(data),
        box=box,
        camera_type_codes=("131", "132"),
    )
    db.commit()
    assert not report.ok
    assert "already exists" in report.errors[0].message
    assert db.get(Camera, camera.id).azimuth_deg == 0.0  # type: ignore[union-attr]
    assert config_entries(db) == []


def test_imported_cameras_then_changed_are_recorded(
    db: Session, registry: Registry, box: SecretBox
) -> None:
    report = import_file(
        db,
        principal=registry.operator,
        path_or_bytes=xlsx(dataset()),
        box=box,
        camera_type_codes=("131", "132"),
    )
    db.commit()
    assert report.imported
    imported = db.scalars(select(Camera).order_by(Camera.id)).first()
    assert imported is not None
    update(registry, imported, azimuth_deg=10, password=PASSWORD)
    assert changed(db) == [
        ("camera", imported.id, "password", None, "changed"),
        ("camera", imported.id, "azimuth_deg", "135.5", "10.0"),
    ]
    assert PASSWORD.encode() not in all_entry_bytes(db)


# --- the helper ------------------------------------------------------------------------------


def test_redacted_url() -> None:
    redact = config_changes.redacted_url
    assert redact("rtsp://10.0.0.1:554/ch1") == "rtsp://10.0.0.1:554/ch1"
    assert redact(f"rtsp://admin:{PASSWORD}@10.0.0.1/x") == "rtsp://admin:***@10.0.0.1/x"
    assert redact(f"http://h/a?Token={TOKEN}&ch=1") == "http://h/a?Token=***&ch=1"
    assert redact(f"http://h/a?PWD={TOKEN}&pwd={TOKEN}") == "http://h/a?PWD=***&pwd=***"
    assert redact("http://[::1/x") == "***"  # unparseable: nothing of it is written
    assert redact("") == ""


def test_record_changes_compares_by_value_and_type(db: Session) -> None:
    count = config_changes.record_changes(
        db,
        subject="camera",
        subject_id=7,
        before={"a": 1, "b": True, "c": 30, "password": "x"},
        after={"a": 1, "b": 1, "c": 30.0, "password": "y", "d": None},
        actor="t",
        at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
    )
    db.flush()
    # True → 1 is a change of type (bool vs int); 30 → 30.0 is not; None → None is not
    assert count == 2
    assert [(e["field"], e["old"], e["new"]) for e in config_entries(db)] == [
        ("b", True, 1),
        ("password", None, "changed"),
    ]
    db.rollback()


def test_secret_box_never_used_to_write(db: Session, registry: Registry, camera: Camera) -> None:
    """A password set through the URL and then through the field: each a ``changed``
    entry; the value stays out even when this key cannot read the old token."""
    stored = db.get(Camera, camera.id)
    assert stored is not None
    stored.password_encrypted = "not-a-fernet-token"
    db.commit()
    update(registry, camera, password=SecretStr(PASSWORD).get_secret_value())
    assert changed(db) == [("camera", camera.id, "password", None, "changed")]
    assert b"not-a-fernet-token" not in all_entry_bytes(db)
