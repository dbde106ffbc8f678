"""Login, tokens, lockout: argon2id and no secret in any answer."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from psvis.auth.models import AuthToken, User
from psvis.auth.policy import Role
from tests.support.factories import PASSWORD, Registry
from tests.support.http import bearer


def test_password_stored_as_argon2id_and_token_as_hash(
    client: TestClient, registry: Registry
) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="li")
    registry.session.commit()
    stored = registry.session.scalar(select(User.password_hash).where(User.username == "li"))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    headers = bearer(client, "li")
    token = headers["Authorization"].split()[1]
    registry.session.expire_all()
    hashes = list(registry.session.scalars(select(AuthToken.token_hash)))
    assert token not in hashes
    assert len(hashes) == 1
    assert len(hashes[0]) == 64


def test_me_and_logout_revokes(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.CHIEF, jurisdiction="360102", username="chief", work_id="360102001")
    registry.session.commit()
    headers = bearer(client, "chief")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["role"] == "chief"
    assert me["covered_codes"] == ["360102"]
    assert me["work_id"] == "360102001"
    assert "password" not in str(me)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_wrong_password_and_unknown_user_look_the_same(
    client: TestClient, registry: Registry
) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="wang")
    registry.session.commit()
    wrong = client.post("/api/v1/auth/token", json={"username": "wang", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_lockout_after_repeated_failures(client: TestClient, registry: Registry) -> None:
    registry.user(role=Role.OFFICER, jurisdiction="360102", username="zhao")
    registry.session.commit()
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/auth/token", json={"username": "zhao", "password": "x"}
            ).status_code
            == 401
        )
    locked = client.post("/api/v1/auth/token", json={"username": "zhao", "password": PASSWORD})
    assert locked.status_code == 401
    assert "locked" in locked.json()["error"]["message"]


def test_bad_tokens_rejected(client: TestClient) -> None:
    for value in ("Bearer ", "Bearer x", "Bearer " + "a" * 500, "Basic abc", "bearer"):
        assert client.get("/api/v1/units", headers={"Authorization": value}).status_code == 401


def test_token_request_validation(client: TestClient) -> None:
    assert client.post("/api/v1/auth/token", json={"username": "a"}).status_code == 422
    assert (
        client.post("/api/v1/auth/token", json={"username": "", "password": "x"}).status_code == 422
    )
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "a", "password": "x", "extra": 1}
        ).status_code
        == 422
    )


def test_district_admin_cannot_create_city_admin_or_foreign_users(
    client: TestClient, registry: Registry
) -> None:
    registry.user(role=Role.DISTRICT_ADMIN, jurisdiction="360102", username="dadmin")
    registry.session.commit()
    headers = bearer(client, "dadmin")
    body = {
        "username": "x1",
        "password": "long-enough-pw",
        "role": "city_admin",
        "jurisdiction_code": "360102",
    }
    assert client.post("/api/v1/users", headers=headers, json=body).status_code == 403
    body |= {"role": "officer", "jurisdiction_code": "360103"}
    assert client.post("/api/v1/users", headers=headers, json=body).status_code == 403
    body |= {"jurisdiction_code": "360102"}
    created = client.post("/api/v1/users", headers=headers, json=body)
    assert created.status_code == 201
    assert "password" not in created.text.lower().replace('"password_hash"', "")
    short = body | {"username": "x2", "password": "short"}
    assert client.post("/api/v1/users", headers=headers, json=short).status_code == 422


def test_security_headers_present(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_hostile_user_list_and_user_values_are_422(client: TestClient, registry: Registry) -> None:
    """Found by the OpenAPI fuzz: each of these was a 500 from the database driver."""
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="cadmin")
    registry.session.commit()
    headers = bearer(client, "cadmin")
    for offset in (2**63, 10**30):
        listed = client.get("/api/v1/users", headers=headers, params={"offset": offset})
        assert listed.status_code == 422, offset
    assert (
        client.get("/api/v1/users", headers=headers, params={"offset": 10_000_000}).json()["items"]
        == []
    )
    body = {"username": "u1", "password": "long-enough-pw", "role": "officer"}
    for unit_ids in ([2**31], [0], [10**30]):
        created = client.post("/api/v1/users", headers=headers, json=body | {"unit_ids": unit_ids})
        assert created.status_code == 422, unit_ids
    nul_name = client.post("/api/v1/users", headers=headers, json=body | {"display_name": "a\x00"})
    assert nul_name.status_code == 422
    assert "NUL" in nul_name.text
    nul_login = client.post("/api/v1/auth/token", json={"username": "cadmin\x00", "password": "x"})
    assert nul_login.status_code == 422
    assert registry.session.scalar(select(User).where(User.username == "u1")) is None
