"""HTTP helpers for API tests."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.factories import PASSWORD


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization header for ``username`` (signs in through the real token route)."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
