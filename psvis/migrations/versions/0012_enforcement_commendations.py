"""enforcement: commendations of user units linked to their source record (Art. 22)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Constraint names follow psvis/core/db.py NAMING_CONVENTION (identical on both backends).
    op.create_table(
        "enforcement_commendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum(
                "suspicious_report",
                "custody_request",
                "case",
                name="commendation_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("awarded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["awarded_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_commendation_awarded_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_commendation_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_commendation_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_commendation")),
        sa.UniqueConstraint(
            "unit_id", "source_kind", "source_id", name="uq_enforcement_commendation_source"
        ),
    )
    op.create_index(
        op.f("ix_enforcement_commendation_jurisdiction_code"),
        "enforcement_commendation",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enforcement_commendation_unit_id"),
        "enforcement_commendation",
        ["unit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_enforcement_commendation_unit_id"), table_name="enforcement_commendation"
    )
    op.drop_index(
        op.f("ix_enforcement_commendation_jurisdiction_code"), table_name="enforcement_commendation"
    )
    op.drop_table("enforcement_commendation")
