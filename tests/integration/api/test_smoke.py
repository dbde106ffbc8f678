from __future__ import annotations

from fastapi.testclient import TestClient

from psvis.auth.policy import Role
from tests.support.factories import Registry
from tests.support.http import bearer


def test_city_admin_lists_units(client: TestClient, registry: Registry) -> None:
    unit = registry.unit(jurisdiction="360103")
    registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username="boss")
    registry.session.commit()
    response = client.get("/api/v1/units", headers=bearer(client, "boss"))
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["items"]] == [unit.id]
