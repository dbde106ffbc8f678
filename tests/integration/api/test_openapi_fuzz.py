"""Fuzz every operation of the OpenAPI document with schemathesis: no input gets a 5xx.

The app is the real one (``create_app``) on a migrated SQLite copy holding a covered site
with its camera, a filed retrieval request and an approved one with an open two-officer
session, reached in-process over ASGI. Three passes:

* every operation as a city admin — the widest reach, so requests get past the
  permission check into the services;
* the custody operations again as a city chief, the one role that decides requests
  (the admin's approvals stop at 403);
* every operation with no credentials at all: never a 5xx, every closed route 4xx, and
  401 for each well-formed request.

SQLite only: the fuzz is about input handling in the routes and services; what differs
by backend (PostgreSQL refusing NUL in text, 32-bit INTEGER overflow) has its own
regression tests on both backends, e.g. tests/integration/api/test_registry_api.py.

Bounded and reproducible: 15 examples per operation and phase, derandomized, no example
database, so CI replays the same requests every run (≈55 s on two cores). Nothing is
excluded: the multipart uploads (registry import, approval scan) are fuzzed like the
rest, and have hand-written hostile tests besides (oversized and malformed uploads in
tests/integration/registry/test_import_api_cli.py, fake-typed and oversized scans in
tests/integration/custody/test_custody_api.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import select

from psvis.api.app import API_PREFIX, create_app
from psvis.auth import service as auth_service
from psvis.auth.models import User
from psvis.auth.policy import Role
from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.secrets import SecretBox
from psvis.core.timeutil import utcnow
from tests.support import custody
from tests.support.databases import fresh_sqlite
from tests.support.factories import Registry
from tests.support.http import bearer

ADMIN = "fuzz_admin"
CHIEF = "fuzz_chief"
OPENAPI = f"{API_PREFIX}/openapi.json"
LOGOUT = f"{API_PREFIX}/auth/logout"
FuzzCase = schemathesis.Case[Any]

FUZZ = settings(
    max_examples=15,
    deadline=None,  # the first request of an operation pays for a lifespan start
    derandomize=True,
    database=None,
    # Few examples over a small app: the health checks' warnings about slow or filtered
    # generation say nothing about the API under test.
    suppress_health_check=list(HealthCheck),
)


def _openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document, built without starting the app (nothing touches
    ``data_dir`` before the lifespan runs); ``test_fuzzed_document_is_the_served_one``
    pins it to what ``/api/v1/openapi.json`` serves."""
    return create_app(Settings(data_dir=Path("unused-by-openapi"))).openapi()


# Loaded at import, not from a fixture: schemathesis's lazy ``from_fixture`` loader sets
# ``Function._nodeid``, which pytest 9.2 no longer has.
schema = schemathesis.openapi.from_dict(_openapi_document())


@pytest.fixture(scope="module")
def fuzz_settings(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Settings:
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    return Settings(data_dir=data_dir, database_url=fresh_sqlite(_sqlite_template, data_dir))


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings) -> FastAPI:
    """The app over a small registry and custody state, one per module: the operations
    run against the same data, each leaving behind whatever it managed to change — as a
    real server would. Small ids (1, 2) exist, and Hypothesis tries those often."""
    engine = make_engine(fuzz_settings.resolved_database_url())
    session = make_session_factory(engine)()
    try:
        registry = Registry(session=session, box=SecretBox.from_data_dir(fuzz_settings.data_dir))
        _unit, _site, _system, camera = registry.covered_site()
        registry.user(role=Role.CITY_ADMIN, jurisdiction="360100", username=ADMIN)
        custody.with_work_id(
            registry, registry.user(role=Role.CHIEF, jurisdiction="360100", username=CHIEF)
        )
        officer = registry.user(role=Role.OFFICER, jurisdiction="360102")
        end = utcnow()
        start = end - dt.timedelta(hours=1)
        custody.request(registry, officer=officer, cameras=[camera.id], start=start, end=end)
        custody.grant(
            registry,
            officer=officer,
            cameras=[camera.id],
            start=start,
            end=end,
            data_dir=fuzz_settings.data_dir,
        )
        session.commit()
    finally:
        session.close()
        engine.dispose()
    return create_app(fuzz_settings)


def _sign_in(app: FastAPI, username: str) -> dict[str, str]:
    # Through the real token route; the TestClient's lifespan ends before schemathesis
    # starts its own for the fuzzed calls (and ends it after each test).
    with TestClient(app) as client:
        return bearer(client, username)


@pytest.fixture(scope="module")
def admin_headers(fuzz_app: FastAPI) -> dict[str, str]:
    return _sign_in(fuzz_app, ADMIN)


@pytest.fixture(scope="module")
def chief_headers(fuzz_app: FastAPI) -> dict[str, str]:
    return _sign_in(fuzz_app, CHIEF)


@pytest.fixture(scope="module")
def fresh_token(fuzz_settings: Settings) -> Iterator[Callable[[], dict[str, str]]]:
    """A new bearer token per call: logout revokes the token it is sent, and must not
    revoke the one the rest of the fuzz runs on."""
    engine = make_engine(fuzz_settings.resolved_database_url())
    sessions = make_session_factory(engine)

    def issue() -> dict[str, str]:
        with sessions() as session:
            user = session.scalars(select(User).where(User.username == ADMIN)).one()
            issued = auth_service.issue_token(session, user=user, kind="api", hours=1)
            session.commit()
        return {"Authorization": f"Bearer {issued.token}"}

    try:
        yield issue
    finally:
        engine.dispose()


def test_fuzzed_document_is_the_served_one(fuzz_app: FastAPI) -> None:
    with TestClient(fuzz_app) as client:
        served = client.get(OPENAPI)
    assert served.status_code == 200
    assert served.json() == schema.raw_schema
    # Every documented operation gets its parametrized fuzz test (one that fails to load
    # becomes a failing test there, never a silent skip).
    documented = sum(len(item) for item in schema.raw_schema["paths"].values())
    assert len(list(schema.get_all_operations())) == documented == 115


@FUZZ
@schema.parametrize()
def test_no_5xx_authenticated(
    case: FuzzCase,
    fuzz_app: FastAPI,
    admin_headers: dict[str, str],
    fresh_token: Callable[[], dict[str, str]],
) -> None:
    headers = fresh_token() if case.path == LOGOUT else admin_headers
    response = case.call(app=fuzz_app, headers=headers)
    case.validate_response(response, checks=[not_a_server_error])


@FUZZ
@schema.include(tag="custody").parametrize()
def test_no_5xx_custody_as_city_chief(
    case: FuzzCase, fuzz_app: FastAPI, chief_headers: dict[str, str]
) -> None:
    response = case.call(app=fuzz_app, headers=chief_headers)
    case.validate_response(response, checks=[not_a_server_error])


@FUZZ
@schema.parametrize()
def test_no_5xx_unauthenticated(case: FuzzCase, fuzz_app: FastAPI) -> None:
    response = case.call(app=fuzz_app)
    case.validate_response(response, checks=[not_a_server_error])
    if "x-public" in case.operation.definition.raw:
        return
    status = response.status_code
    # Closed routes refuse a stranger; a request that does not even parse (a malformed
    # body, an undocumented method) may be refused for that first, but never served.
    assert 400 <= status < 500, (case.method, case.path, status)
    well_formed = (
        case.method.upper() == case.operation.method.upper()
        and case.meta is not None
        and case.meta.generation.mode is GenerationMode.POSITIVE
    )
    if well_formed:
        assert status == 401, (case.method, case.path, status, response.text)
