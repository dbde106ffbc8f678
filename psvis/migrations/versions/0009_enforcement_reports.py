"""enforcement: monthly reports stored by the schedule (files' hashes and figures)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 06:58:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Constraint names follow psvis/core/db.py NAMING_CONVENTION (identical on both backends).
    op.create_table(
        "enforcement_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("generated_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("xlsx_sha256", sa.String(length=64), nullable=False),
        sa.Column("xlsx_size_bytes", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size_bytes", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "xlsx_size_bytes > 0 AND pdf_size_bytes > 0",
            name=op.f("ck_enforcement_report_files_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_report_jurisdiction_code_jurisdiction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_report")),
        sa.UniqueConstraint("jurisdiction_code", "month", name="uq_enforcement_report_month"),
    )
    with op.batch_alter_table("enforcement_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_report_jurisdiction_code"),
            ["jurisdiction_code"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("enforcement_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_report_jurisdiction_code"))
    op.drop_table("enforcement_report")
