"""What a CLI command works with: settings, a migrated database, the operator principal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from psvis.auth.policy import Role
from psvis.auth.principal import Principal
from psvis.core import migrate
from psvis.core.config import Settings
from psvis.core.db import make_engine, make_session_factory, session_scope
from psvis.core.secrets import SecretBox
from psvis.ledger import service as ledger
from psvis.ledger.keys import SigningKey
from psvis.recording.models import StorageRoot
from psvis.recording.storage import create_root
from psvis.registry.jurisdictions import read_tree, sync_tree
from psvis.registry.models import Jurisdiction


@dataclass(frozen=True, slots=True)
class CliContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    box: SecretBox

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.sessions) as session:
            yield session


def initialise(settings: Settings, *, default_storage: bool = True) -> int:
    """Create the data dir, migrate the schema, load the jurisdiction tree and, when no
    storage root exists yet, register ``<data_dir>/recordings`` as root ``default``;
    create the ledger (empty tree) and its signing key. Idempotent."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            count = sync_tree(session, read_tree(settings.jurisdiction_file))
            if default_storage and session.scalar(select(StorageRoot.id).limit(1)) is None:
                create_root(
                    session,
                    name="default",
                    path=settings.data_dir / "recordings",
                    reserve_bytes=settings.storage_reserve_bytes,
                )
            ledger.ensure_log(
                session,
                node_name=settings.node_name,
                key=SigningKey.load_or_create(settings.data_dir),
            )
    finally:
        engine.dispose()
    SecretBox.from_data_dir(settings.data_dir)
    return count


@contextmanager
def open_context(settings: Settings) -> Iterator[CliContext]:
    engine = make_engine(settings.resolved_database_url())
    try:
        migrate.ensure_current(engine)
        yield CliContext(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            box=SecretBox.from_data_dir(settings.data_dir),
        )
    finally:
        engine.dispose()


def operator_principal(session: Session) -> Principal:
    """The installation's operator at the console of the server: city-admin reach over the
    whole tree. Commands that change data act as this principal."""
    codes = frozenset(session.scalars(select(Jurisdiction.code)))
    root = session.scalar(select(Jurisdiction.code).where(Jurisdiction.parent_code.is_(None)))
    return Principal(
        user_id=0,
        username="operator",
        role=Role.CITY_ADMIN,
        jurisdiction_code=root,
        covered_codes=codes,
        unit_ids=frozenset(),
        display_name="operator (CLI)",
    )
