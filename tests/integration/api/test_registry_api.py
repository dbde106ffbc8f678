"""Registry API behaviour: the regulation's refusals, validation, hostile input, secrets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from psvis.auth.policy import Role
from psvis.registry.codes import make_gb_id
from psvis.registry.enums import SiteCategory
from psvis.registry.models import Camera, System, Unit
from tests.support.factories import Registry, credit_code
from tests.support.http import bearer


@pytest.fixture
def admin(client: TestClient, registry: Registry) -> dict[str, str]:
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="admin")
    registry.session.commit()
    return bearer(client, "admin")


def camera_body(system_id: int, division: str = "360102", serial: int = 1) -> dict[str, object]:
    return {
        "gb_id": make_gb_id(division=division, type_code="132", serial=serial),
        "name": "东门",
        "system_id": system_id,
        "lat": 28.68,
        "lon": 115.9,
        "role": "entrance",
    }


@pytest.mark.parametrize("category", [c.value for c in SiteCategory if c.is_privacy])
def test_camera_at_privacy_site_refused_citing_art9(
    client: TestClient, registry: Registry, admin: dict[str, str], category: str
) -> None:
    unit = registry.unit()
    site = registry.site(unit=unit, category=SiteCategory(category))
    system = registry.system(site=site, unit=unit)
    registry.session.commit()
    response = client.post("/api/v1/cameras", headers=admin, json=camera_body(system.id))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "refused_by_regulation"
    assert error["details"]["article"] == "Art. 9"
    assert "第九条" in error["message"]
    assert registry.session.scalar(select(func.count()).select_from(Camera)) == 0


def test_retention_29_refused_30_accepted(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    unit = registry.unit()
    system = registry.system(site=registry.site(unit=unit), unit=unit)
    registry.session.commit()
    url = f"/api/v1/systems/{system.id}"
    refused = client.patch(url, headers=admin, json={"retention_days": 29})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["article"] == "Art. 17(4)"
    assert "第十七条第（四）项" in refused.json()["error"]["message"]
    assert client.get(url, headers=admin).json()["retention_days"] == 30
    accepted = client.patch(url, headers=admin, json={"retention_days": 30})
    assert accepted.status_code == 200
    longer = client.patch(url, headers=admin, json={"retention_days": 90})
    assert longer.json()["retention_days"] == 90
    # the camera override obeys the same floor
    camera = registry.camera(system=system)
    registry.session.commit()
    cam = client.patch(f"/api/v1/cameras/{camera.id}", headers=admin, json={"retention_days": 29})
    assert cam.status_code == 422
    assert cam.json()["error"]["details"]["article"] == "Art. 17(4)"


def test_schema_itself_refuses_retention_below_30(registry: Registry) -> None:
    unit = registry.unit()
    system = registry.system(site=registry.site(unit=unit), unit=unit)
    registry.session.commit()
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    statement = update(System).where(System.id == system.id).values(retention_days=29)
    with pytest.raises(IntegrityError):
        registry.session.execute(statement)
    registry.session.rollback()


def test_camera_credentials_encrypted_and_never_returned(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    unit = registry.unit()
    system = registry.system(site=registry.site(unit=unit), unit=unit)
    registry.session.commit()
    body = camera_body(system.id) | {"stream_url": "rtsp://admin:Hik12345!@127.0.0.1:554/ch1"}
    created = client.post("/api/v1/cameras", headers=admin, json=body)
    assert created.status_code == 201, created.text
    assert "Hik12345!" not in created.text
    data = created.json()
    assert data["stream_url"] == "rtsp://127.0.0.1:554/ch1"
    assert data["username"] == "admin"
    assert data["has_password"] is True
    assert "password" not in data
    assert "password_encrypted" not in data
    for url in (f"/api/v1/cameras/{data['id']}", "/api/v1/cameras"):
        assert "Hik12345!" not in client.get(url, headers=admin).text
    stored = registry.session.scalar(
        select(Camera.password_encrypted).where(Camera.id == data["id"])
    )
    assert stored
    assert "Hik12345!" not in stored
    assert registry.box.decrypt(stored) == "Hik12345!"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"gb_id": "123"}, "gb_id"),
        ({"gb_id": "11010500001320000001"}, "outside the system's jurisdiction"),
        ({"gb_id": "36010200001110000001"}, "type code 111"),
        ({"lat": 91}, "lat"),
        ({"azimuth_deg": 360}, "azimuth_deg"),
        ({"fov_deg": 0}, "fov_deg"),
        ({"role": "roof"}, "role"),
        ({"stream_url": "javascript:alert(1)"}, "scheme"),
        ({"stream_url": "rtsp://"}, "host"),
        ({"stream_url": "rtsp://a:pw@host:abc/x"}, "not a valid URL"),
        ({"unexpected": 1}, "unexpected"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_camera_validation_errors_are_clear(
    client: TestClient,
    registry: Registry,
    admin: dict[str, str],
    patch: dict[str, object],
    message: str,
) -> None:
    unit = registry.unit()
    system = registry.system(site=registry.site(unit=unit), unit=unit)
    registry.session.commit()
    response = client.post("/api/v1/cameras", headers=admin, json=camera_body(system.id) | patch)
    assert response.status_code == 422
    assert message in response.text
    assert registry.session.scalar(select(func.count()).select_from(Camera)) == 0


def test_duplicate_gb_id_conflict(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    unit = registry.unit()
    system = registry.system(site=registry.site(unit=unit), unit=unit)
    registry.session.commit()
    body = camera_body(system.id, serial=42)
    assert client.post("/api/v1/cameras", headers=admin, json=body).status_code == 201
    again = client.post("/api/v1/cameras", headers=admin, json=body)
    assert again.status_code == 409
    assert "already exists" in again.json()["error"]["message"]


def test_unit_credit_code_validated(client: TestClient, admin: dict[str, str]) -> None:
    good = credit_code("360102")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    body = {"name": "某单位", "kind": "government", "jurisdiction_code": "360102"}
    response = client.post("/api/v1/units", headers=admin, json=body | {"credit_code": bad})
    assert response.status_code == 422
    assert "check character" in response.json()["error"]["message"]
    assert (
        client.post("/api/v1/units", headers=admin, json=body | {"credit_code": good}).status_code
        == 201
    )
    dup = client.post("/api/v1/units", headers=admin, json=body | {"credit_code": good})
    assert dup.status_code == 409
    unknown = client.post(
        "/api/v1/units",
        headers=admin,
        json=body | {"credit_code": credit_code(), "jurisdiction_code": "999999"},
    )
    assert unknown.status_code == 422


def test_lifecycle_through_api(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    unit = registry.unit()
    system = registry.system(site=registry.site(unit=unit), unit=unit, accepted=False)
    registry.session.commit()
    url = f"/api/v1/systems/{system.id}/transition"
    skip = client.post(url, headers=admin, json={"target": "accepted"})
    assert skip.status_code == 409
    assert client.post(url, headers=admin, json={"target": "building"}).status_code == 200
    assert client.post(url, headers=admin, json={"target": "acceptance_pending"}).status_code == 200
    missing = client.post(url, headers=admin, json={"target": "accepted"})
    assert missing.status_code == 422
    assert "police officer" in missing.text
    accepted = client.post(
        url,
        headers=admin,
        json={
            "target": "accepted",
            "acceptance_police_participant": "李警官",
            "acceptance_date": "2026-01-05",
            "acceptance_result": "passed",
        },
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"
    notified = client.post(
        url,
        headers=admin,
        json={
            "target": "removal_notified",
            "removal_notice_date": "2026-03-01",
            "planned_removal_date": "2026-03-10",
        },
    )
    assert notified.status_code == 200
    removed = client.post(
        url, headers=admin, json={"target": "removed", "removed_on": "2026-03-10"}
    )
    assert removed.status_code == 200
    assert removed.json()["in_operation"] is False
    assert client.post(url, headers=admin, json={"target": "accepted"}).status_code == 409


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"jurisdiction": "36010"},
        {"jurisdiction": "abcdef"},
        {"q": "x" * 101},
        {"role": "nope"},
    ],
)
def test_list_parameters_bounded(
    client: TestClient, admin: dict[str, str], params: dict[str, object]
) -> None:
    assert client.get("/api/v1/cameras", headers=admin, params=params).status_code == 422


def test_hostile_text_search_is_just_text(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    registry.unit(name="100%_真实单位")
    registry.unit(name="普通单位")
    registry.session.commit()
    for q, count in [("%", 1), ("_", 1), ("' OR 1=1 --", 0), ("\\", 0), ("100%_", 1)]:
        response = client.get("/api/v1/units", headers=admin, params={"q": q})
        assert response.status_code == 200
        assert response.json()["total"] == count, q


def test_missing_ids_are_404(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get("/api/v1/cameras/99999999", headers=admin).status_code == 404
    assert client.get("/api/v1/units/2147483647", headers=admin).status_code == 404


def test_non_numeric_and_overflowing_ids_are_422(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get("/api/v1/cameras/abc", headers=admin).status_code == 422
    assert client.get("/api/v1/cameras/1e3", headers=admin).status_code == 422
    for hostile in ("0", "-1", str(2**31), str(10**30)):
        assert client.get(f"/api/v1/cameras/{hostile}", headers=admin).status_code == 422


def test_malformed_json_is_422(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/units", headers=admin | {"content-type": "application/json"}, content=b"{not json"
    )
    assert response.status_code == 422


def test_pagination_totals(client: TestClient, registry: Registry, admin: dict[str, str]) -> None:
    for _ in range(7):
        registry.unit(jurisdiction="360111")
    registry.session.commit()
    first = client.get(
        "/api/v1/units", headers=admin, params={"limit": 3, "jurisdiction": "360111"}
    )
    body = first.json()
    assert body["total"] == 7
    assert len(body["items"]) == 3
    last = client.get(
        "/api/v1/units", headers=admin, params={"limit": 3, "offset": 6, "jurisdiction": "360111"}
    ).json()
    assert len(last["items"]) == 1
    ids = [u["id"] for u in body["items"]]
    assert ids == sorted(ids)


def test_delete_with_dependents_conflicts(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    unit, site, system, camera = registry.covered_site()
    registry.session.commit()
    assert client.delete(f"/api/v1/units/{unit.id}", headers=admin).status_code == 409
    assert client.delete(f"/api/v1/systems/{system.id}", headers=admin).status_code == 409
    assert client.delete(f"/api/v1/cameras/{camera.id}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/systems/{system.id}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/sites/{site.id}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/units/{unit.id}", headers=admin).status_code == 204


def test_nul_characters_and_out_of_range_values_are_422(
    client: TestClient, registry: Registry, admin: dict[str, str]
) -> None:
    """Found by the OpenAPI fuzz: on PostgreSQL each of these was a 500 from the driver
    (text cannot hold NUL; INTEGER stops at 2**31-1); now a 422 on every backend, nothing
    stored."""
    unit, site, system, _camera = registry.covered_site()
    registry.session.commit()
    name = unit.name
    nul_query = client.get("/api/v1/units", headers=admin, params={"q": "东\x00"})
    assert nul_query.status_code == 422
    assert nul_query.json()["error"]["code"] == "invalid_input"
    assert "NUL" in nul_query.json()["error"]["message"]
    # checked after authentication: a stranger learns nothing but 401
    assert client.get("/api/v1/units", params={"q": "\x00"}).status_code == 401
    nul_body = client.patch(f"/api/v1/units/{unit.id}", headers=admin, json={"name": "a\x00b"})
    assert nul_body.status_code == 422
    assert "NUL" in nul_body.text
    system_body = {
        "name": "新系统",
        "site_id": site.id,
        "builder_unit_id": unit.id,
        "user_unit_id": 2**31,
        "maintainer_unit_id": unit.id,
        "investment": "government",
    }
    assert client.post("/api/v1/systems", headers=admin, json=system_body).status_code == 422
    url = f"/api/v1/systems/{system.id}"
    for days in (36_501, 2**31, 10**12):
        assert client.patch(url, headers=admin, json={"retention_days": days}).status_code == 422
    assert client.patch(url, headers=admin, json={"retention_days": 36_500}).status_code == 200
    registry.session.expire_all()
    assert registry.session.scalar(select(Unit.name).where(Unit.id == unit.id)) == name
    assert registry.session.scalar(select(func.count()).select_from(System)) == 1
