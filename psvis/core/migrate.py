"""Alembic, driven from code: ``psvis init`` upgrades, the app refuses a stale schema."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from psvis.core.errors import PsvisError


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "psvis:migrations")
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def ensure_current(engine: Engine) -> None:
    """Refuse to serve a database whose schema is not at the latest migration."""
    url = engine.url.render_as_string(hide_password=False)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision(url)
    if current != head:
        raise PsvisError(
            f"database schema is at {current or 'nothing'}, expected {head}: run `psvis init`"
        )
