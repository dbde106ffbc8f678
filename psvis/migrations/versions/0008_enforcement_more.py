"""enforcement: inspections (Art. 21) with checklist results, photos and follow-up cases

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 06:17:50.309273
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Constraint names follow psvis/core/db.py NAMING_CONVENTION (identical on both backends).
    op.create_table(
        "enforcement_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "art8_1",
                "art8_2",
                "art8_3",
                "art8_4",
                "art8_5",
                "art8_6",
                "art8_7",
                "art8_8",
                "art8_9",
                "art8_10",
                "art8_11",
                "art9_dormitory",
                "art9_hotel_room",
                "art9_bathhouse",
                "art9_changing_room",
                "art9_toilet",
                "other",
                name="site_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.CheckConstraint(
            "failed_count >= 0", name=op.f("ck_enforcement_inspection_failed_count_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["app_user.id"],
            name=op.f("fk_enforcement_inspection_inspector_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_inspection_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_enforcement_inspection_site_id_site")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_inspection_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_inspection")),
    )
    with op.batch_alter_table("enforcement_inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_inspection_inspected_on"), ["inspected_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enforcement_inspection_jurisdiction_code"),
            ["jurisdiction_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_enforcement_inspection_site_id"), ["site_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enforcement_inspection_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "enforcement_inspection_followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_enforcement_inspection_followup_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["enforcement_inspection.id"],
            name=op.f("fk_enforcement_inspection_followup_inspection_id_enforcement_inspection"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_inspection_followup")),
        sa.UniqueConstraint("case_id", name=op.f("uq_enforcement_inspection_followup_case_id")),
    )
    with op.batch_alter_table("enforcement_inspection_followup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_inspection_followup_inspection_id"),
            ["inspection_id"],
            unique=False,
        )

    op.create_table(
        "enforcement_inspection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "pass",
                "fail",
                "na",
                name="inspection_item_result",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["enforcement_inspection.id"],
            name=op.f("fk_enforcement_inspection_item_inspection_id_enforcement_inspection"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_inspection_item")),
        sa.UniqueConstraint("inspection_id", "item", name="uq_enforcement_inspection_item"),
    )
    op.create_table(
        "enforcement_inspection_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "size_bytes > 0", name=op.f("ck_enforcement_inspection_photo_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["enforcement_inspection.id"],
            name=op.f("fk_enforcement_inspection_photo_inspection_id_enforcement_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_inspection_photo_uploaded_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_inspection_photo")),
        sa.UniqueConstraint("inspection_id", "sha256", name="uq_enforcement_inspection_photo"),
    )
    with op.batch_alter_table("enforcement_inspection_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_inspection_photo_inspection_id"),
            ["inspection_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("enforcement_inspection_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_inspection_photo_inspection_id"))

    op.drop_table("enforcement_inspection_photo")
    op.drop_table("enforcement_inspection_item")
    with op.batch_alter_table("enforcement_inspection_followup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_inspection_followup_inspection_id"))

    op.drop_table("enforcement_inspection_followup")
    with op.batch_alter_table("enforcement_inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_inspection_unit_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_inspection_site_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_inspection_jurisdiction_code"))
        batch_op.drop_index(batch_op.f("ix_enforcement_inspection_inspected_on"))

    op.drop_table("enforcement_inspection")
