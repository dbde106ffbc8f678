"""Test databases: SQLite files and a private PostgreSQL schema, both migrated by Alembic.

PostgreSQL is the server at 127.0.0.1:5432 (``PSVIS_TEST_PG_URL`` overrides). Each test
session migrates into its own schema, so parallel runs never meet; each test starts from
empty registry tables (truncated), the jurisdiction tree kept.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import Engine, text

from psvis.cli.context import initialise
from psvis.core.config import Settings
from psvis.core.db import make_engine
from psvis.core.models_registry import Base

PG_URL = os.environ.get("PSVIS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
KEEP_TABLES = {"jurisdiction", "alembic_version"}


def postgres_unreachable_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why not (shown as the skip reason)."""
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not reachable here"
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}: {exc}"[:300]
    return None


def sqlite_template(directory: Path) -> Path:
    """A migrated SQLite database with the jurisdiction tree, copied for each test."""
    data_dir = directory / "template"
    initialise(Settings(data_dir=data_dir), default_storage=False)
    return data_dir / "psvis.db"


def fresh_sqlite(template: Path, data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "psvis.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class PostgresSchema:
    """A private schema in the test database, migrated once per test session."""

    def __init__(self) -> None:
        self.schema = f"psvis_t_{uuid.uuid4().hex[:10]}"
        self.url = f"{PG_URL}?options=-csearch_path%3D{self.schema}"
        admin = make_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        self.engine: Engine = make_engine(self.url)

    def migrate(self, data_dir: Path) -> None:
        initialise(Settings(data_dir=data_dir, database_url=self.url), default_storage=False)

    def truncate(self) -> None:
        """Empty every table but the kept ones and restart their ids at 1, as a fresh copy
        of the SQLite template would be. DELETE, children first, not TRUNCATE: a test
        leaves a few rows, and TRUNCATE of 50 tables (new files for each, and their
        indexes) took 0.7-0.9 s - once per PostgreSQL test, minutes of the suite."""
        tables = [t for t in Base.metadata.sorted_tables if t.name not in KEEP_TABLES]
        with self.engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(table.delete())
            connection.execute(
                text(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind = 'S' AND n.nspname = :schema"
                    " AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class t"
                    " ON t.oid = d.refobjid WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')"
                    " AND t.relname = ANY(:kept))"
                ),
                {"schema": self.schema, "kept": sorted(KEEP_TABLES)},
            )

    def drop(self) -> None:
        self.engine.dispose()
        admin = make_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        admin.dispose()
