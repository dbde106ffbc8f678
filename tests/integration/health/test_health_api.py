"""The health API: scoping by jurisdiction and unit from the policy table, ticket work
by the maintainer only, evidence thumbnails, malformed and hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.health import tickets
from psvis.health.chore import run_cycle
from psvis.health.enums import TicketCause
from tests.support.factories import Registry
from tests.support.http import bearer
from tests.support.media import record, storage_root

API = "/api/v1/health"


@pytest.fixture
def world(db: Session, registry: Registry) -> dict[str, int]:
    """Two districts' cameras, the people, and a blur ticket on the first camera."""
    unit, site, _y, _c = registry.covered_site(jurisdiction="360102")
    contractor = registry.unit(name="维保公司")
    system = registry.system(site=site, unit=unit, maintainer_unit_id=contractor.id)
    camera = registry.camera(system=system)
    _u2, _s2, _y2, elsewhere = registry.covered_site(jurisdiction="360103")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="donghu")
    registry.user(role=Role.OFFICER, jurisdiction="360103", username="xihu")
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="admin")
    registry.user(role=Role.MAINTAINER, units=(contractor.id,), username="fixer")
    registry.user(role=Role.UNIT_OPERATOR, units=(unit.id,), username="duty")
    db.commit()
    now = utcnow()
    ticket = tickets.open_ticket(
        db,
        camera_id=camera.id,
        cause=TicketCause.BLUR,
        fault_since=now,
        now=now,
        deadline=dt.timedelta(hours=24),
    )
    assert ticket is not None
    db.commit()
    return {"camera": camera.id, "elsewhere": elsewhere.id, "ticket": ticket.id}


@pytest.fixture
def recorded(db: Session, settings: Settings, world: dict[str, int]) -> dict[str, int]:
    """The first camera recorded (real segments) and diagnosed once."""
    root = storage_root(db, settings.data_dir)
    record(db, root, world["camera"], start=utcnow() - dt.timedelta(seconds=20), seconds=4)
    run_cycle(db, settings=settings, force=True)
    return world


def test_police_see_their_jurisdiction_only(client: TestClient, recorded: dict[str, int]) -> None:
    world = recorded
    donghu, xihu = bearer(client, "donghu"), bearer(client, "xihu")
    ok = client.get(f"{API}/cameras/{world['camera']}", headers=donghu)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["baseline"]["source"] == "auto"
    assert body["state"] in ("recording", "reconnecting", "offline")
    assert client.get(f"{API}/cameras/{world['camera']}", headers=xihu).status_code == 404
    listed = client.get(f"{API}/cameras", headers=xihu).json()
    assert world["camera"] not in [c["camera_id"] for c in listed["items"]]
    assert world["elsewhere"] in [c["camera_id"] for c in listed["items"]]
    tickets_xihu = client.get(f"{API}/tickets", headers=xihu).json()
    assert tickets_xihu["total"] == 0
    assert client.get(f"{API}/tickets/{world['ticket']}", headers=xihu).status_code == 404
    rollup = client.get(f"{API}/rollups", params={"by": "jurisdiction"}, headers=xihu).json()
    assert {r["key"] for r in rollup} == {"360103"}


def test_diagnoses_keep_their_thumbnail(client: TestClient, recorded: dict[str, int]) -> None:
    world = recorded
    donghu = bearer(client, "donghu")
    page = client.get(f"{API}/cameras/{world['camera']}/diagnoses", headers=donghu).json()
    assert page["total"] == 1
    first = page["items"][0]
    assert first["has_thumbnail"]
    jpeg = client.get(f"{API}/diagnoses/{first['id']}/thumbnail.jpg", headers=donghu)
    assert jpeg.status_code == 200
    assert jpeg.headers["content-type"] == "image/jpeg"
    assert jpeg.content[:2] == b"\xff\xd8"
    xihu = bearer(client, "xihu")
    assert (
        client.get(f"{API}/diagnoses/{first['id']}/thumbnail.jpg", headers=xihu).status_code == 404
    )
    up = client.get(f"{API}/cameras/{world['camera']}/uptime", headers=donghu).json()
    assert up["window_ms"] >= up["recorded_ms"] > 0


def test_the_maintainer_works_the_ticket_and_only_a_diagnosis_closes_it(
    client: TestClient, world: dict[str, int]
) -> None:
    fixer, duty, donghu = bearer(client, "fixer"), bearer(client, "duty"), bearer(client, "donghu")
    url = f"{API}/tickets/{world['ticket']}"
    assert client.post(f"{url}/acknowledge", headers=donghu).status_code == 403  # police read
    assert client.post(f"{url}/acknowledge", headers=duty).status_code == 403
    acked = client.post(f"{url}/acknowledge", headers=fixer)
    assert acked.status_code == 200, acked.text
    assert acked.json()["state"] == "acknowledged"
    assert client.post(f"{url}/acknowledge", headers=fixer).status_code == 409
    repaired = client.post(f"{url}/repair", json={"note": "重新对焦"}, headers=fixer)
    assert repaired.json()["state"] == "repair_reported"
    assert repaired.json()["verified_at"] is None
    # No route closes a ticket: verification is the next good diagnosis.
    assert client.post(f"{url}/close", headers=fixer).status_code in (404, 405)
    assert client.get(f"{API}/tickets", params={"live": True}, headers=fixer).json()["total"] == 1


def test_baseline_capture_is_for_police_admins(
    client: TestClient, recorded: dict[str, int]
) -> None:
    world = recorded
    url = f"{API}/cameras/{world['camera']}/baseline"
    assert client.post(url, headers=bearer(client, "fixer")).status_code == 403
    assert client.post(url, headers=bearer(client, "donghu")).status_code == 403
    made = client.post(url, headers=bearer(client, "admin"))
    assert made.status_code == 201, made.text
    assert made.json()["source"] == "capture"
    other = f"{API}/cameras/{world['elsewhere']}/baseline"
    assert client.post(other, headers=bearer(client, "admin")).status_code == 404


HOSTILE: list[tuple[str, str, dict[str, object]]] = [
    ("get", "/cameras/0", {}),
    ("get", "/cameras/99999999999", {}),
    ("get", "/cameras/abc", {}),
    ("get", "/cameras", {"params": {"state": "exploded"}}),
    ("get", "/cameras", {"params": {"jurisdiction_code": "36'--"}}),
    ("get", "/cameras", {"params": {"limit": 100000}}),
    ("get", "/cameras/1/uptime", {"params": {"day": "1900-01-01"}}),
    ("get", "/cameras/1/uptime", {"params": {"day": "2026-02-30"}}),
    ("get", "/rollups", {"params": {"by": "camera; drop table"}}),
    ("get", "/tickets", {"params": {"cause": "bogus"}}),
    ("get", "/tickets", {"params": {"offset": -1}}),
    ("get", "/tickets", {"params": {"camera_id": "\x00"}}),
    ("post", "/tickets/1/repair", {"json": {"note": "x" * 501}}),
    ("post", "/tickets/1/repair", {"json": {"note": "a\x00b"}}),
    ("post", "/tickets/1/repair", {"json": {"note": "ok", "closed": True}}),
]


def test_malformed_and_hostile_input_is_refused(client: TestClient, world: dict[str, int]) -> None:
    headers = bearer(client, "fixer")
    for method, path, kwargs in HOSTILE:
        response = getattr(client, method)(f"{API}{path}", headers=headers, **kwargs)
        assert response.status_code == 422, (path, response.status_code, response.text)


def test_nothing_without_signing_in(client: TestClient, world: dict[str, int]) -> None:
    assert client.get(f"{API}/cameras").status_code == 401
    assert client.post(f"{API}/tickets/{world['ticket']}/acknowledge").status_code == 401
