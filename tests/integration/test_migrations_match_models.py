"""The migrations build exactly the schema the models declare, on both backends.

Alembic's autogenerate comparison of the migrated database against ``Base.metadata``
must find nothing: a column, index, foreign key or table written into a model but not
into a migration (or the reverse) fails here, not in production. Migrations are written
by hand; this is their check.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from psvis.core.models_registry import Base


def test_migrated_schema_equals_the_models(db: Session) -> None:
    # Types are not compared: SQLite reports its affinities, not the declared types.
    connection = db.connection()
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": False, "compare_server_default": False},
    )
    diffs = compare_metadata(context, Base.metadata)
    assert diffs == [], "\n".join(map(str, diffs))
