"""sharing grants (Art. 14): police use of networked government systems

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("bureau_code", sa.String(length=6), nullable=False),
        sa.Column("agreement", sa.String(length=200), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(agreement) > 0", name=op.f("ck_sharing_grant_agreement_named")),
        sa.ForeignKeyConstraint(
            ["bureau_code"],
            ["jurisdiction.code"],
            name=op.f("fk_sharing_grant_bureau_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["app_user.id"], name=op.f("fk_sharing_grant_granted_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["app_user.id"], name=op.f("fk_sharing_grant_revoked_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["system.id"], name=op.f("fk_sharing_grant_system_id_system")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_grant")),
    )
    op.create_index(
        "ix_sharing_grant_active",
        "sharing_grant",
        ["system_id", "bureau_code", "revoked_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sharing_grant_system_id"), "sharing_grant", ["system_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sharing_grant_system_id"), table_name="sharing_grant")
    op.drop_index("ix_sharing_grant_active", table_name="sharing_grant")
    op.drop_table("sharing_grant")
