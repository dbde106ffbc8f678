"""Planning (Art. 7, 8) on both backends: a planned point looking where an existing camera
looks is flagged a duplicate naming that camera, one looking away is not; a removed
system's or disabled camera does not count; the mandatory sites' gaps with the roles
planned points fill; scope; the API with malformed and hostile input; the ledger."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from psvis.auth import service as auth_service
from psvis.auth.policy import Role
from psvis.core.errors import Forbidden, NotFound
from psvis.enforcement import planning_service
from psvis.enforcement.planning_schemas import PointCreate
from psvis.registry.enums import CameraRole, SiteCategory
from tests.support.enforcement import acts
from tests.support.factories import Registry
from tests.support.http import bearer

API = "/api/v1/enforcement/planning"
LAT, LON = 28.68, 115.9


def point(site_id: int, azimuth: float, role: CameraRole = CameraRole.ENTRANCE) -> PointCreate:
    return PointCreate(
        site_id=site_id, name="东门", role=role, lat=LAT, lon=LON, azimuth_deg=azimuth
    )


def test_duplicates_gaps_scope_and_ledger(registry: Registry, db: Session) -> None:
    unit = registry.unit(jurisdiction="360102")
    site = registry.site(unit=unit, category=SiteCategory.ART8_5)
    system = registry.system(site=site, unit=unit)
    # An existing entrance camera at the same spot looking east (90°, 90° wide, 30 m).
    camera = registry.camera(system=system, role=CameraRole.ENTRANCE, azimuth_deg=90.0)
    bare = registry.site(unit=unit, category=SiteCategory.ART8_4)
    away_site = registry.site(
        unit=registry.unit(jurisdiction="360103"), category=SiteCategory.ART8_4
    )
    admin = registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102")
    away_admin = registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360103")
    officer = registry.user(role=Role.OFFICER, jurisdiction="360102")
    db.commit()
    who = auth_service.principal_for(db, user=admin)

    same = planning_service.plan_point(db, principal=who, data=point(site.id, 90.0))
    assert same.duplicate
    assert same.covering_camera_ids == [camera.id]
    assert math.isclose(same.covered_share, 1.0, abs_tol=1e-6)
    # Turned 60° away: a third of its field of view overlaps (30° of 90°), below 50 %.
    third = planning_service.plan_point(db, principal=who, data=point(site.id, 150.0))
    assert not third.duplicate
    assert math.isclose(third.covered_share, 1 / 3, abs_tol=0.01)
    assert third.covering_camera_ids == [camera.id]
    away = planning_service.plan_point(
        db, principal=who, data=point(site.id, 270.0, CameraRole.PASSAGE)
    )
    assert (away.duplicate, away.covering_camera_ids, away.covered_share) == (False, [], 0.0)
    db.commit()
    # A camera switched off no longer covers anything (Art. 7: what exists and works).
    camera.enabled = False
    db.commit()
    now = planning_service.check(db, planning_service.view_of(same))
    assert (now.share, now.decision.ok) == (0.0, True)
    camera.enabled = True
    db.commit()

    gaps, total = planning_service.gaps(db, principal=who)
    by_site = {s.id: g for s, g in gaps}
    assert total == 2
    assert set(by_site) == {site.id, bare.id}  # the away site is not in 360102's plan
    assert by_site[site.id].missing == (CameraRole.PASSAGE, CameraRole.KEY_SPOT)
    assert by_site[site.id].planned == (CameraRole.PASSAGE,)
    assert by_site[bare.id].missing == (
        CameraRole.ENTRANCE,
        CameraRole.PASSAGE,
        CameraRole.KEY_SPOT,
    )

    logged = [a for a in acts(db) if a["act"] == "planning.point"]
    assert [a["point"] for a in logged] == [same.id, third.id, away.id]
    assert (logged[0]["duplicate"], logged[0]["cameras"]) == (True, [camera.id])

    with pytest.raises(NotFound):  # another district's site does not exist for them
        planning_service.plan_point(db, principal=who, data=point(away_site.id, 0.0))
    away_who = auth_service.principal_for(db, user=away_admin)
    with pytest.raises(NotFound):
        planning_service.get_point(db, principal=away_who, point_id=same.id)
    with pytest.raises(Forbidden):  # officers read the plan, admins make it
        planning_service.plan_point(
            db, principal=auth_service.principal_for(db, user=officer), data=point(site.id, 0.0)
        )


def test_api_and_hostile_input(registry: Registry, db: Session, client: TestClient) -> None:
    unit = registry.unit(jurisdiction="360102")
    site = registry.site(unit=unit, category=SiteCategory.ART8_5)
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="padmin")
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="pofficer")
    db.commit()
    admin, officer = bearer(client, "padmin"), bearer(client, "pofficer")
    body = {
        "site_id": site.id,
        "name": "西门",
        "role": "entrance",
        "lat": LAT,
        "lon": LON,
        "azimuth_deg": 10,
    }
    created = client.post(f"{API}/points", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["now"]["article"] == "Art. 7"
    assert client.get(f"{API}/points/{created.json()['id']}", headers=officer).status_code == 200
    assert client.post(f"{API}/points", json=body, headers=officer).status_code == 403
    listed = client.get(f"{API}/points", params={"duplicate": "false"}, headers=officer).json()
    assert listed["total"] == 1
    gaps = client.get(f"{API}/gaps", headers=officer).json()
    assert gaps["items"][0]["planned"] == ["entrance"]
    for change in (
        {"lat": 91},
        {"lon": "NaN"},
        {"azimuth_deg": 360},
        {"fov_deg": 0},
        {"range_m": 5001},
        {"role": "roof"},
        {"site_id": 2**31},
        {"name": ""},
        {"name": "a\x00b"},
        {"extra": 1},
    ):
        response = client.post(f"{API}/points", json=body | change, headers=admin)
        assert response.status_code == 422, (change, response.text)
    assert (
        client.post(f"{API}/points", json=body | {"site_id": 999_999}, headers=admin).status_code
        == 404
    )
    for path in (f"{API}/points/0", f"{API}/points/99999999999", f"{API}/gaps?jurisdiction=x"):
        assert client.get(path, headers=officer).status_code == 422, path
    assert client.get(f"{API}/points/999999", headers=officer).status_code == 404
    assert client.get(f"{API}/gaps").status_code == 401
