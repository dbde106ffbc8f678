"""The demo dataset in a real database (SQLite and PostgreSQL), and ``psvis demo``."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from psvis.api.app import create_app
from psvis.auth.policy import Role
from psvis.compliance.models import Finding
from psvis.compliance.rules import FINDING_RULES
from psvis.compliance.service import run_check
from psvis.core.config import Settings
from psvis.core.secrets import SecretBox
from psvis.custody.models import SharingGrant
from psvis.demo.names import DEMO_UNIT
from psvis.demo.plan import build_plan
from psvis.demo.run import DEMO_LOGINS, run_demo
from psvis.demo.seed import district_table, seed
from psvis.demo.video import DEMO_CAMERAS, NETWORKED_DEMO_CAMERAS, demo_cameras
from psvis.registry.codes import credit_code_problems, gb_id_problems
from psvis.registry.enums import MANDATORY_CATEGORIES, Investment, SiteCategory
from psvis.registry.models import Camera, Jurisdiction, Site, System, Unit

TODAY = dt.date(2025, 6, 1)


def _count(db: Session, model: type[Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _open_by_rule(db: Session) -> Counter[str]:
    rows = db.execute(
        select(Finding.rule, func.count()).where(Finding.status == "open").group_by(Finding.rule)
    )
    return Counter({rule: int(n) for rule, n in rows})


@pytest.mark.slow
def test_seed_builds_a_valid_city_with_every_kind_of_breach(db: Session, box: SecretBox) -> None:
    summary = seed(db, box=box, today=TODAY)
    db.commit()

    assert 180 <= _count(db, Unit) == summary.units <= 230
    assert _count(db, Site) == summary.sites == 400
    assert 1800 <= _count(db, Camera) == summary.cameras <= 2300
    assert _count(db, System) == summary.systems
    categories = set(db.scalars(select(Site.category).distinct()))
    assert set(MANDATORY_CATEGORIES) <= categories
    assert SiteCategory.OTHER in categories
    assert any(c.is_privacy for c in categories)
    districts = set(db.scalars(select(Jurisdiction.code).where(Jurisdiction.level == "district")))
    assert len(districts) == 9
    assert set(db.scalars(select(Site.jurisdiction_code).distinct())) == districts

    for code in db.scalars(select(Unit.credit_code)):
        assert credit_code_problems(code) == [], code
    for gb_id, jurisdiction in db.execute(select(Camera.gb_id, Camera.jurisdiction_code)):
        assert gb_id_problems(gb_id, jurisdiction_codes=(jurisdiction,)) == [], gb_id

    # Passwords went through the camera service: encrypted, not in the URL.
    stored = list(db.scalars(select(Camera).where(Camera.password_encrypted != "")))
    assert len(stored) == summary.cameras_with_password > 0
    for camera in stored:
        assert box.decrypt(camera.password_encrypted).startswith("demo-")
        assert "@" not in camera.stream_url
    # Surveyed cameras sit only at Art. 9 privacy sites (the service refuses new ones).
    surveyed = db.execute(
        select(Site.category)
        .join(System, System.site_id == Site.id)
        .join(Camera, Camera.system_id == System.id)
        .where(Camera.origin == "legacy_survey")
    ).scalars()
    assert [c.is_privacy for c in surveyed] == [True] * summary.legacy_survey_cameras

    first = run_check(db)
    db.commit()
    found = _open_by_rule(db)
    assert {rule for rule in FINDING_RULES if found[rule] == 0} == set()
    plan = build_plan(rng_seed=2016, districts=district_table(db), today=TODAY)
    assert found == plan.expected_findings()
    for rule, planted in summary.planted.items():
        assert found[rule] >= planted, rule
    assert first.open_total == sum(found.values()) == first.opened

    second = run_check(db)
    db.commit()
    assert (second.opened, second.reopened, second.resolved) == (0, 0, 0)
    assert second.open_total == second.still_open == first.open_total
    assert _open_by_rule(db) == found


LOGIN_LINE = re.compile(
    r"^\s+(?P<username>\S+)\s+(?P<role>" + "|".join(r.value for r in Role) + r")\s.*\s(?P<pw>\S+)$"
)


def _printed_logins(out: str) -> dict[str, tuple[str, str]]:
    found = {}
    for line in out.splitlines():
        match = LOGIN_LINE.match(line)
        if match:
            found[match["username"]] = (match["role"], match["pw"])
    return found


def _token_status(settings: Settings, logins: dict[str, tuple[str, str]]) -> dict[str, int]:
    with TestClient(create_app(settings)) as client:
        return {
            username: client.post(
                "/api/v1/auth/token", json={"username": username, "password": password}
            ).status_code
            for username, (_, password) in logins.items()
        }


@pytest.mark.slow
def test_run_demo_prints_a_working_login_for_every_role(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    served: list[tuple[str, int]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **_: served.append((host, port)))
    monkeypatch.setenv("PSVIS_PORT", "8765")
    on_port = Settings(data_dir=settings.data_dir, database_url=settings.database_url)

    result = run_demo(on_port, serve=True)
    out = capsys.readouterr().out

    assert served == [("127.0.0.1", 8765)]
    assert "http://127.0.0.1:8765/" in out
    assert result.seeded is not None
    logins = _printed_logins(out)
    assert set(logins) == {login.username for login in DEMO_LOGINS}
    assert {role for role, _ in logins.values()} == {r.value for r in Role}
    for rule in FINDING_RULES:
        assert rule in out
    assert _token_status(on_port, logins) == dict.fromkeys(logins, 200)

    # A second run keeps the data and resets every demo login to the new password.
    again = run_demo(settings, serve=False)
    out = capsys.readouterr().out
    assert again.seeded is None
    assert "http://127.0.0.1:8000/" in out
    new_logins = _printed_logins(out)
    assert {pw for _, pw in new_logins.values()} == {again.password} != {result.password}
    assert _token_status(settings, new_logins) == dict.fromkeys(new_logins, 200)
    assert _token_status(settings, logins)["city_admin"] == 401


def test_seed_networks_government_systems_and_demo_video_shows_both_kinds(
    db: Session, box: SecretBox
) -> None:
    """Art. 14: the seeded government GB/T 28181 systems in operation are networked for the
    city police — and only those; the demo video has networked cameras (police watch
    live) beside the bank's (police need a request: Art. 18)."""
    summary = seed(db, box=box, today=TODAY)
    db.commit()
    grants = list(db.scalars(select(SharingGrant)))
    assert len(grants) == summary.networked_systems > 0
    root = db.scalar(select(Jurisdiction.code).where(Jurisdiction.parent_code.is_(None)))
    for grant in grants:
        system = db.get(System, grant.system_id)
        assert system is not None
        assert grant.bureau_code == root
        assert grant.revoked_at is None
        assert system.investment is Investment.GOVERNMENT
        assert system.in_operation
    non_government = db.scalar(
        select(func.count())
        .select_from(System)
        .where(System.investment == Investment.NON_GOVERNMENT)
    )
    assert non_government  # a bank's system is never networked: the loop above saw none

    chosen = demo_cameras(db)
    assert len(chosen) == DEMO_CAMERAS
    networked_ids = {g.system_id for g in grants}
    systems_of = {
        c.id: c.system_id for c in db.scalars(select(Camera).where(Camera.id.in_(chosen)))
    }
    shared = [c for c in chosen if systems_of[c] in networked_ids]
    assert len(shared) == NETWORKED_DEMO_CAMERAS
    bank = db.scalar(select(Unit).where(Unit.name == DEMO_UNIT))
    assert bank is not None
    for camera_id in chosen:
        if camera_id not in shared:
            system = db.get(System, systems_of[camera_id])
            assert system is not None
            assert system.user_unit_id == bank.id
