"""Fresh databases for benchmarks: SQLite in a temporary data dir, or a private schema in
the PostgreSQL test database (dropped at the end). Both migrated by ``psvis init``'s code."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from psvis.cli.context import initialise
from psvis.core.config import Settings
from psvis.core.db import make_engine

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="psvis-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        initialise(settings)
        yield settings.resolved_database_url()


@contextmanager
def postgres_database(base_url: str = PG_URL) -> Iterator[str]:
    schema = f"psvis_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base_url}?options=-csearch_path%3D{schema}"
        with tempfile.TemporaryDirectory(prefix="psvis-bench-") as tmp:
            initialise(Settings(data_dir=Path(tmp), database_url=url))
            yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
