"""health: camera health, VQD baselines and diagnoses, daily uptime, fault tickets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One live ticket per camera and cause (uq_health_ticket_live): a partial unique
    # index, so two nodes running the chore at once cannot both open one.
    op.create_table(
        "health_uptime_day",
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recorded_ms", sa.Integer(), nullable=False),
        sa.Column("window_ms", sa.Integer(), nullable=False),
        sa.Column("outage_ms", sa.Integer(), nullable=False),
        sa.Column("computed_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("outage_ms >= 0", name=op.f("ck_health_uptime_day_outage_non_negative")),
        sa.CheckConstraint(
            "recorded_ms >= 0 AND recorded_ms <= window_ms",
            name=op.f("ck_health_uptime_day_recorded_in_window"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_health_uptime_day_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("camera_id", "day", name=op.f("pk_health_uptime_day")),
    )
    op.create_index("ix_health_uptime_day_day", "health_uptime_day", ["day"], unique=False)
    op.create_table(
        "health_baseline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("has_day", sa.Boolean(), nullable=False),
        sa.Column("has_night", sa.Boolean(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "capture",
                "auto",
                "night",
                name="health_baseline_src",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("captured_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("captured_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("has_day OR has_night", name=op.f("ck_health_baseline_has_reference")),
        sa.CheckConstraint("length(data) > 0", name=op.f("ck_health_baseline_data_present")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_health_baseline_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["captured_by"], ["app_user.id"], name=op.f("fk_health_baseline_captured_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_health_baseline_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_baseline")),
    )
    op.create_index(
        op.f("ix_health_baseline_camera_id"), "health_baseline", ["camera_id"], unique=False
    )
    op.create_table(
        "health_diagnosis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("diagnosed_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("good", sa.Boolean(), nullable=False),
        sa.Column("fault_classes", sa.JSON(), nullable=False),
        sa.Column("faults", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("frame_count", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=8), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=True),
        sa.Column("thumbnail_jpeg", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint(
            "frame_count >= 0", name=op.f("ck_health_diagnosis_frame_count_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["health_baseline.id"],
            name=op.f("fk_health_diagnosis_baseline_id_health_baseline"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_health_diagnosis_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segment.id"], name=op.f("fk_health_diagnosis_segment_id_segment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_diagnosis")),
    )
    op.create_index(
        "ix_health_diagnosis_camera_time",
        "health_diagnosis",
        ["camera_id", "diagnosed_at"],
        unique=False,
    )
    op.create_table(
        "health_camera",
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=True),
        sa.Column("last_diagnosis_id", sa.Integer(), nullable=True),
        sa.Column("last_diagnosed_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_segment_id", sa.Integer(), nullable=True),
        sa.Column("fault_classes", sa.JSON(), nullable=False),
        sa.Column("streaks", sa.JSON(), nullable=False),
        sa.Column("last_thumbnail_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["baseline_id"],
            ["health_baseline.id"],
            name=op.f("fk_health_camera_baseline_id_health_baseline"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_health_camera_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["last_diagnosis_id"],
            ["health_diagnosis.id"],
            name=op.f("fk_health_camera_last_diagnosis_id_health_diagnosis"),
        ),
        sa.ForeignKeyConstraint(
            ["last_segment_id"],
            ["segment.id"],
            name=op.f("fk_health_camera_last_segment_id_segment"),
        ),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_health_camera")),
    )
    op.create_table(
        "health_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("user_unit_id", sa.Integer(), nullable=False),
        sa.Column("maintainer_unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "cause",
            sa.Enum(
                "outage",
                "signal_loss",
                "blur",
                "overexposed",
                "underexposed",
                "low_contrast",
                "colour_cast",
                "noise",
                "frozen",
                "occlusion",
                "scene_shift",
                name="health_ticket_cause",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "acknowledged",
                "repair_reported",
                "closed",
                name="health_ticket_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("fault_since", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opening_diagnosis_id", sa.Integer(), nullable=True),
        sa.Column("outage_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("repair_reported_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("repair_reported_by", sa.Integer(), nullable=True),
        sa.Column("repair_note", sa.String(length=500), nullable=False),
        sa.Column("verified_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verifying_diagnosis_id", sa.Integer(), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(state = 'closed') = (verified_at IS NOT NULL)",
            name=op.f("ck_health_ticket_closed_verified"),
        ),
        sa.CheckConstraint(
            "acknowledged_at IS NOT NULL OR state = 'open' OR state = 'closed'",
            name=op.f("ck_health_ticket_acknowledged_has_time"),
        ),
        sa.CheckConstraint(
            "repair_reported_at IS NOT NULL OR state != 'repair_reported'",
            name=op.f("ck_health_ticket_reported_has_time"),
        ),
        sa.CheckConstraint("due_at > opened_at", name=op.f("ck_health_ticket_due_after_open")),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["app_user.id"],
            name=op.f("fk_health_ticket_acknowledged_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_health_ticket_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_health_ticket_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["maintainer_unit_id"],
            ["unit.id"],
            name=op.f("fk_health_ticket_maintainer_unit_id_unit"),
        ),
        sa.ForeignKeyConstraint(
            ["opening_diagnosis_id"],
            ["health_diagnosis.id"],
            name=op.f("fk_health_ticket_opening_diagnosis_id_health_diagnosis"),
        ),
        sa.ForeignKeyConstraint(
            ["outage_id"], ["outage.id"], name=op.f("fk_health_ticket_outage_id_outage")
        ),
        sa.ForeignKeyConstraint(
            ["repair_reported_by"],
            ["app_user.id"],
            name=op.f("fk_health_ticket_repair_reported_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["system.id"], name=op.f("fk_health_ticket_system_id_system")
        ),
        sa.ForeignKeyConstraint(
            ["user_unit_id"], ["unit.id"], name=op.f("fk_health_ticket_user_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["verifying_diagnosis_id"],
            ["health_diagnosis.id"],
            name=op.f("fk_health_ticket_verifying_diagnosis_id_health_diagnosis"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_ticket")),
    )
    op.create_index(
        "ix_health_ticket_camera", "health_ticket", ["camera_id", "opened_at"], unique=False
    )
    op.create_index(
        op.f("ix_health_ticket_jurisdiction_code"),
        "health_ticket",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_health_ticket_maintainer_unit_id"),
        "health_ticket",
        ["maintainer_unit_id"],
        unique=False,
    )
    op.create_index(
        "ix_health_ticket_state_due", "health_ticket", ["state", "due_at"], unique=False
    )
    op.create_index(
        op.f("ix_health_ticket_user_unit_id"), "health_ticket", ["user_unit_id"], unique=False
    )
    op.create_index(
        "uq_health_ticket_live",
        "health_ticket",
        ["camera_id", "cause"],
        unique=True,
        sqlite_where=sa.text("state != 'closed'"),
        postgresql_where=sa.text("state != 'closed'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_health_ticket_live",
        table_name="health_ticket",
        sqlite_where=sa.text("state != 'closed'"),
        postgresql_where=sa.text("state != 'closed'"),
    )
    op.drop_index(op.f("ix_health_ticket_user_unit_id"), table_name="health_ticket")
    op.drop_index("ix_health_ticket_state_due", table_name="health_ticket")
    op.drop_index(op.f("ix_health_ticket_maintainer_unit_id"), table_name="health_ticket")
    op.drop_index(op.f("ix_health_ticket_jurisdiction_code"), table_name="health_ticket")
    op.drop_index("ix_health_ticket_camera", table_name="health_ticket")
    op.drop_table("health_ticket")
    op.drop_table("health_camera")
    op.drop_index("ix_health_diagnosis_camera_time", table_name="health_diagnosis")
    op.drop_table("health_diagnosis")
    op.drop_index(op.f("ix_health_baseline_camera_id"), table_name="health_baseline")
    op.drop_table("health_baseline")
    op.drop_index("ix_health_uptime_day_day", table_name="health_uptime_day")
    op.drop_table("health_uptime_day")
