"""Fixtures for registry file tests: an importer bound to the test database, and a
second empty database on the same backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from psvis.core.db import make_engine, make_session_factory
from psvis.core.secrets import SecretBox
from psvis.registry.importer import ImportReport, import_file
from tests.integration.registry.sheets import Importer
from tests.support.databases import PostgresSchema, fresh_sqlite, postgres_unreachable_reason
from tests.support.factories import Registry


@pytest.fixture
def run_import(db: Session, registry: Registry, box: SecretBox) -> Importer:
    """Import as the operator (or ``principal``) and commit what was written."""

    def run(source: bytes, **kwargs: Any) -> ImportReport:
        principal = kwargs.pop("principal", None) or registry.operator
        report = import_file(
            db,
            principal=principal,
            path_or_bytes=source,
            box=box,
            camera_type_codes=("131", "132"),
            **kwargs,
        )
        db.commit()
        return report

    return run


@pytest.fixture
def fresh_db(
    backend: str, tmp_path: Path, _sqlite_template: Path, _postgres: PostgresSchema | None
) -> Iterator[Session]:
    """A second, empty database on the same backend."""
    if backend == "sqlite":
        url, schema = fresh_sqlite(_sqlite_template, tmp_path / "fresh"), None
    elif _postgres is None:
        pytest.skip(postgres_unreachable_reason() or "PostgreSQL unavailable")
    else:
        schema = PostgresSchema()
        schema.migrate(tmp_path / "fresh")
        url = schema.url
    engine = make_engine(url)
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()
        if schema is not None:
            schema.drop()
