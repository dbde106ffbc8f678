"""The authorization matrix, generated from the policy table and the OpenAPI document.

For every operation that declares ``x-permission`` and every role, against an object in
the caller's own jurisdiction (or own unit) and one in another district, the expected
status is computed *from the policy table alone* — independently of ``auth/scope.py`` —
and compared with what the API answers:

* role absent from the entry → 403;
* object outside the role's read reach → 404 (it does not exist for that user);
* inside read reach, outside the action's reach → 403;
* otherwise the action goes through (2xx, or 409 where dependents block a delete).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from psvis.auth.policy import POLICY, Action, Reach, Resource, Role
from psvis.core.config import Settings
from psvis.core.timeutil import utcnow
from psvis.registry.codes import make_gb_id
from psvis.registry.models import Camera, Site, System, Unit
from tests.support.factories import Registry, credit_code
from tests.support.http import bearer
from tests.support.media import record, storage_root

HOME, AWAY = "360102", "360103"
_serial = itertools.count(500_000)


@dataclass
class World:
    """Two districts, each with unit → site → system → camera; a maintenance company M
    maintains the home system. Unit staff belong to the home unit."""

    unit: dict[str, Unit] = field(default_factory=dict)
    site: dict[str, Site] = field(default_factory=dict)
    system: dict[str, System] = field(default_factory=dict)
    camera: dict[str, Camera] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    maintainer_unit: Unit | None = None
    #: A live segment of each camera, and the interval recorded (footage routes).
    segment_ids: dict[str, int] = field(default_factory=dict)
    footage: tuple[dt.datetime, dt.datetime] | None = None


@dataclass(frozen=True)
class Subject:
    label: str
    role: Role
    jurisdiction: str | None
    covered: frozenset[str]
    home_units: frozenset[str]  # "home" or "maint"


SUBJECTS = [
    Subject(
        "city_admin@city", Role.CITY_ADMIN, "360100", frozenset({HOME, AWAY, "360100"}), frozenset()
    ),
    Subject("officer@city", Role.OFFICER, "360100", frozenset({HOME, AWAY, "360100"}), frozenset()),
    *[
        Subject(f"{role.value}@home", role, HOME, frozenset({HOME}), frozenset())
        for role in (Role.DISTRICT_ADMIN, Role.OFFICER, Role.CHIEF, Role.AUDITOR)
    ],
    Subject("unit_admin", Role.UNIT_ADMIN, None, frozenset(), frozenset({"home"})),
    Subject("unit_operator", Role.UNIT_OPERATOR, None, frozenset(), frozenset({"home"})),
    Subject("maintainer", Role.MAINTAINER, None, frozenset(), frozenset({"maint"})),
    Subject("other_dept", Role.OTHER_DEPT, HOME, frozenset(), frozenset()),
]


def build_world(registry: Registry, data_dir: Path | None = None) -> World:
    world = World()
    world.maintainer_unit = registry.unit(jurisdiction=HOME, name="维保公司")
    for where, code in (("home", HOME), ("away", AWAY)):
        unit = registry.unit(jurisdiction=code)
        site = registry.site(unit=unit)
        system = registry.system(
            site=site,
            unit=unit,
            maintainer_unit_id=world.maintainer_unit.id if where == "home" else unit.id,
        )
        # Networked for the police of its district (Art. 14): police live view is then a
        # matter of reach alone. Direct use of a non-networked system through a request
        # is tested in tests/integration/custody/test_sharing.py.
        registry.networked(system)
        world.unit[where], world.site[where] = unit, site
        world.system[where] = system
        world.camera[where] = registry.camera(system=system)
    for where, code in (("home", HOME), ("away", AWAY)):
        world.user_ids[where] = registry.user(role=Role.OFFICER, jurisdiction=code).id
    for subject in SUBJECTS:
        units: tuple[int, ...] = ()
        if "home" in subject.home_units:
            units = (world.unit["home"].id,)
        if "maint" in subject.home_units:
            units = (world.maintainer_unit.id,)
        registry.user(
            role=subject.role,
            jurisdiction=None if subject.role.is_unit_staff else subject.jurisdiction,
            units=units,
            username=subject.label.replace("@", "_"),
        )
    registry.session.commit()
    if data_dir is not None:  # real footage for the footage routes: live, a few seconds
        root = storage_root(registry.session, data_dir)
        start = (utcnow() - dt.timedelta(seconds=30)).replace(microsecond=0)
        for where in ("home", "away"):
            segments = record(registry.session, root, world.camera[where].id, start=start)
            world.segment_ids[where] = segments[0].id
        world.footage = (start, start + dt.timedelta(seconds=6))
    return world


def reaches(subject: Subject, reach: Reach | None, resource: Resource, where: str) -> bool:
    """Independent model of reach: does ``subject`` reach the ``where`` object?"""
    if reach is None:
        return False
    if reach is Reach.ALL:
        return True
    if reach is Reach.JURISDICTION:
        return (HOME if where == "home" else AWAY) in subject.covered
    if where != "home":
        return False  # unit staff relate only to home objects
    if reach is Reach.OWN_UNITS:
        return "home" in subject.home_units
    # MAINTAINED: the maintenance company reaches the home system, its site and cameras,
    # but not the home *unit* (the unit is not the maintainer).
    return "maint" in subject.home_units and resource is not Resource.UNIT


#: A new object names its parent in the body; an unreachable parent is "not found".
PARENT = {
    Resource.SITE: Resource.UNIT,
    Resource.SYSTEM: Resource.SITE,
    Resource.CAMERA: Resource.SYSTEM,
}


#: Footage has no READ of its own: its object is the camera (auth/policy.py).
READ_AS = {Resource.FOOTAGE: Resource.CAMERA}
#: Recorded footage also needs an approved request's execution session, which this world
#: has none of: the custody matrix (tests/integration/custody) covers it with requests.
RECORDED = (Action.PLAYBACK, Action.EXPORT)
#: Custody routes have their own matrix, with requests, approvals and sessions
#: (tests/integration/custody/test_custody_matrix.py).
CUSTODY = frozenset(
    {
        Resource.CUSTODY_REQUEST,
        Resource.CUSTODY_SESSION,
        Resource.CUSTODY_REGISTRATION,
        Resource.TOTP,
        # Enforcement has its own matrix with cases in both districts
        # (tests/integration/enforcement/test_enforcement_api.py).
        Resource.ENFORCEMENT_CASE,
        # Sharing grants (Art. 14): tests/integration/custody/test_sharing.py.
        Resource.SHARING_GRANT,
        # Inspections (Art. 21): police at home and away, the unit's admin
        # (tests/integration/enforcement/test_inspections.py).
        Resource.INSPECTION,
        # Monthly reports: the object is a jurisdiction, not a registry row; police at
        # home, away and in the city, and a unit's admin
        # (tests/integration/enforcement/test_reports.py).
        Resource.REPORT,
        # Planning (Art. 7): district admins at home and away, officers
        # (tests/integration/enforcement/test_planning_service.py).
        Resource.PLANNING,
        # Unit duties and suspicious-information reports (Art. 17): the unit's admin and
        # operator, police at home and away (tests/integration/enforcement/test_duties.py).
        Resource.UNIT_DUTY,
        Resource.SUSPICIOUS_REPORT,
        # Commendations (Art. 22): tests/integration/enforcement/test_commendations.py.
        Resource.COMMENDATION,
    }
)


def expected(subject: Subject, resource: Resource, action: Action, where: str) -> str:
    entry = POLICY.get((resource, action), {})
    if subject.role not in entry:
        return "403"
    read = POLICY.get((READ_AS.get(resource, resource), Action.READ), {}).get(subject.role)
    if action is not Action.CREATE and not reaches(subject, read, resource, where):
        return "404"
    parent = PARENT.get(resource)
    if action is Action.CREATE and parent is not None:
        parent_read = POLICY.get((parent, Action.READ), {}).get(subject.role)
        if not reaches(subject, parent_read, parent, where):
            return "404"  # the body names a parent that does not exist for this user
    if not reaches(subject, entry[subject.role], resource, where):
        return "403"
    if resource is Resource.FOOTAGE and action in RECORDED:
        return "403"  # no retrieval request in this world (Art. 18-19)
    return "ok"


def outcome(status: int) -> str:
    if status in (403, 404):
        return str(status)
    assert status not in (401, 500), status
    return "ok"


def operations(client: TestClient) -> Iterator[tuple[str, str, Resource, Action]]:
    spec = client.get("/api/v1/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            permission = op.get("x-permission")
            if permission:
                yield path, method, Resource(permission["resource"]), Action(permission["action"])


def create_body(resource: Resource, world: World, where: str) -> dict[str, Any] | None:
    code = HOME if where == "home" else AWAY
    n = next(_serial)
    if resource is Resource.UNIT:
        return {
            "name": f"新单位{n}",
            "credit_code": credit_code(code),
            "kind": "government",
            "jurisdiction_code": code,
        }
    if resource is Resource.SITE:
        return {
            "name": f"新场所{n}",
            "lat": 28.6,
            "lon": 115.9,
            "category": "art8_5",
            "responsible_unit_id": world.unit[where].id,
            "jurisdiction_code": code,
        }
    if resource is Resource.SYSTEM:
        u = world.unit[where].id
        return {
            "name": f"新系统{n}",
            "site_id": world.site[where].id,
            "builder_unit_id": u,
            "user_unit_id": u,
            "maintainer_unit_id": u,
            "investment": "government",
        }
    if resource is Resource.CAMERA:
        return {
            "gb_id": make_gb_id(division=code, type_code="132", serial=n),
            "name": f"新{n}",
            "system_id": world.system[where].id,
            "lat": 28.6,
            "lon": 115.9,
            "role": "entrance",
        }
    if resource is Resource.USER:
        return {
            "username": f"new{n}",
            "password": "a-long-password",
            "role": "officer",
            "jurisdiction_code": code,
        }
    return None


def object_id(resource: Resource, world: World, where: str) -> int | None:
    table: dict[Resource, Any] = {
        Resource.UNIT: world.unit,
        Resource.SITE: world.site,
        Resource.SYSTEM: world.system,
        Resource.CAMERA: world.camera,
        Resource.FOOTAGE: world.camera,
    }
    if resource in table:
        return int(table[resource][where].id)
    if resource is Resource.USER:
        return world.user_ids[where]
    return None


def call(
    client: TestClient,
    registry: Registry,
    world: World,
    headers: dict[str, str],
    path: str,
    method: str,
    resource: Resource,
    action: Action,
    where: str,
) -> int | None:
    """Send the request for (operation, where); None when the operation has no object."""
    if resource in CUSTODY:
        return None
    if "{" in path:
        oid = object_id(resource, world, where)
        if path.startswith("/api/v1/segments/"):
            oid = world.segment_ids.get(where)
        if oid is None:
            return None
        if method == "delete" and resource is Resource.CAMERA:
            # A fresh camera per attempt, so an allowed delete cannot hide later checks.
            oid = registry.camera(system=world.system[where]).id
            registry.session.commit()
        url = path.split("{")[0] + str(oid) + path.split("}")[1]
        if method == "get":
            params: dict[str, str] = {}
            if resource is Resource.FOOTAGE and ("playback" in url or "clip" in url):
                assert world.footage is not None
                params = {
                    "start": world.footage[0].isoformat(),
                    "end": world.footage[1].isoformat(),
                }
            return int(client.get(url, headers=headers, params=params).status_code)
        if method == "patch":
            return int(client.patch(url, headers=headers, json={"name": "改名"}).status_code)
        if method == "delete":
            return int(client.delete(url, headers=headers).status_code)
        if url.endswith("/transition"):
            transition = {
                "target": "removal_notified",
                "removal_notice_date": "2026-01-01",
                "planned_removal_date": "2026-02-01",
            }
            return int(client.post(url, headers=headers, json=transition).status_code)
        raise AssertionError(f"no request recipe for {method} {path}")
    if method == "post" and action is Action.CREATE:
        body = create_body(resource, world, where)
        assert body is not None, path
        return int(client.post(path, headers=headers, json=body).status_code)
    return None


@pytest.mark.slow
def test_matrix_every_role_every_endpoint_own_and_other_jurisdiction(
    client: TestClient, registry: Registry, settings: Settings
) -> None:
    world = build_world(registry, settings.data_dir)
    tokens = {s.label: bearer(client, s.label.replace("@", "_")) for s in SUBJECTS}
    mismatches: list[str] = []
    checked = 0
    footage_checked = 0
    for path, method, resource, action in operations(client):
        for subject in SUBJECTS:
            headers = tokens[subject.label]
            for where in ("home", "away"):
                status = call(
                    client, registry, world, headers, path, method, resource, action, where
                )
                if status is None:
                    continue
                checked += 1
                footage_checked += resource is Resource.FOOTAGE
                want = expected(subject, resource, action, where)
                if (
                    resource is Resource.USER
                    and action is Action.CREATE
                    and want == "ok"
                    and subject.role is not Role.CITY_ADMIN
                    and subject.role is not Role.DISTRICT_ADMIN
                ):
                    want = "403"
                got = outcome(status)
                if got != want:
                    mismatches.append(
                        f"{subject.label:18} {method.upper():6} {path:38} {where}: "
                        f"want {want}, got {status}"
                    )
    assert checked > 300, checked
    assert footage_checked >= 6 * len(SUBJECTS) * 2, footage_checked  # six footage routes
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.slow
def test_list_endpoints_never_show_other_jurisdictions(
    client: TestClient, registry: Registry
) -> None:
    world = build_world(registry)
    lists = {
        Resource.UNIT: "/api/v1/units",
        Resource.SITE: "/api/v1/sites",
        Resource.SYSTEM: "/api/v1/systems",
        Resource.CAMERA: "/api/v1/cameras",
    }
    for subject in SUBJECTS:
        headers = bearer(client, subject.label.replace("@", "_"))
        for resource, url in lists.items():
            response = client.get(url, headers=headers, params={"limit": 500})
            read = POLICY[(resource, Action.READ)].get(subject.role)
            if read is None:
                assert response.status_code == 403, (subject.label, url)
                continue
            assert response.status_code == 200, (subject.label, url, response.text)
            ids = {item["id"] for item in response.json()["items"]}
            for where in ("home", "away"):
                oid = object_id(resource, world, where)
                assert (oid in ids) is reaches(subject, read, resource, where), (
                    subject.label,
                    url,
                    where,
                    ids,
                )


def test_every_api_operation_requires_authentication_unless_marked_public(
    client: TestClient,
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    opened = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = client.request(method.upper(), url)
            if "x-public" in op:
                opened.append(path)
                assert op["x-public"], f"{path} is public without a reason"
                continue
            assert response.status_code == 401, (method, path, response.status_code)
            assert "x-permission" in op or path in {"/api/v1/auth/me", "/api/v1/auth/logout"}, path
    # The token route, and the ledger's publications: a checkpoint and its proofs are
    # commitments made to be published; a cosignature authenticates by its signature.
    assert sorted(opened) == [
        "/api/v1/auth/token",
        "/api/v1/ledger/checkpoint",
        "/api/v1/ledger/consistency",
        "/api/v1/ledger/cosignatures",
        "/api/v1/ledger/public-key",
    ]
