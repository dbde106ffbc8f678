"""Fixtures: every DB-touching test runs on SQLite and on PostgreSQL.

``backend`` is parametrised over both; PostgreSQL is skipped, with the reason shown, only
where no server answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from psvis.api.app import create_app
from psvis.auth.passwords import use_parameters
from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory
from psvis.core.secrets import SecretBox
from tests.support.databases import (
    PostgresSchema,
    fresh_sqlite,
    postgres_unreachable_reason,
    sqlite_template,
)
from tests.support.factories import Registry


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> None:
    """argon2id still, with a cheap profile: the suite signs in hundreds of times.
    (Production parameters: tests/unit/auth/test_passwords.py.)"""
    use_parameters(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def _postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresSchema | None]:
    reason = postgres_unreachable_reason()
    if reason is not None:
        yield None
        return
    schema = PostgresSchema()
    schema.migrate(tmp_path_factory.mktemp("pg-data"))
    try:
        yield schema
    finally:
        schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(
    backend: str,
    tmp_path: Path,
    _sqlite_template: Path,
    _postgres: PostgresSchema | None,
) -> str:
    if backend == "sqlite":
        return fresh_sqlite(_sqlite_template, tmp_path / "data")
    if _postgres is None:
        pytest.skip(postgres_unreachable_reason() or "PostgreSQL unavailable")
    _postgres.truncate()
    return _postgres.url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    return Settings(data_dir=data_dir, database_url=database_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.resolved_database_url())
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return SecretBox.from_data_dir(settings.data_dir)


@pytest.fixture
def registry(db: Session, box: SecretBox) -> Registry:
    return Registry(session=db, box=box)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
