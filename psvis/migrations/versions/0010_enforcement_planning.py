"""enforcement: planned camera points with their duplicate-coverage check (Art. 7)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

T = "enforcement_planned_point"


def upgrade() -> None:
    # Constraint names follow psvis/core/db.py NAMING_CONVENTION (identical on both backends).
    op.create_table(
        T,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "entrance",
                "passage",
                "key_spot",
                "other",
                name="camera_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("azimuth_deg", sa.Float(), nullable=False),
        sa.Column("fov_deg", sa.Float(), nullable=False),
        sa.Column("range_m", sa.Float(), nullable=False),
        sa.Column("planned_by", sa.Integer(), nullable=False),
        sa.Column("planned_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("covered_share", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("covering_camera_ids", sa.JSON(), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "azimuth_deg >= 0 AND azimuth_deg < 360", name=op.f(f"ck_{T}_azimuth_range")
        ),
        sa.CheckConstraint(
            "covered_share >= 0 AND covered_share <= 1", name=op.f(f"ck_{T}_share_range")
        ),
        sa.CheckConstraint("fov_deg > 0 AND fov_deg <= 360", name=op.f(f"ck_{T}_fov_range")),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f(f"ck_{T}_lat_range")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f(f"ck_{T}_lon_range")),
        sa.CheckConstraint("range_m > 0 AND range_m <= 5000", name=op.f(f"ck_{T}_range_positive")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f(f"fk_{T}_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["planned_by"], ["app_user.id"], name=op.f(f"fk_{T}_planned_by_app_user")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f(f"fk_{T}_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{T}")),
    )
    with op.batch_alter_table(T, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{T}_jurisdiction_code"), ["jurisdiction_code"])
        batch_op.create_index(batch_op.f(f"ix_{T}_site_id"), ["site_id"])


def downgrade() -> None:
    with op.batch_alter_table(T, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{T}_site_id"))
        batch_op.drop_index(batch_op.f(f"ix_{T}_jurisdiction_code"))
    op.drop_table(T)
