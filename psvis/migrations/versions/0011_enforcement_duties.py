"""enforcement: unit duties (Art. 17(1)(2)(5)) — documents on file, trainings, suspicious-information reports

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Constraint names follow psvis/core/db.py NAMING_CONVENTION (identical on both backends).
    op.create_table(
        "enforcement_duty_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "duty_rules",
                "retention_rules",
                "om_rules",
                "duty_log",
                name="duty_document_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(period_start IS NULL) = (period_end IS NULL) AND (period_start IS NULL OR period_start <= period_end)",
            name=op.f("ck_enforcement_duty_document_period_ordered"),
        ),
        sa.CheckConstraint(
            "size_bytes > 0", name=op.f("ck_enforcement_duty_document_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_duty_document_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_duty_document_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_duty_document_uploaded_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_duty_document")),
    )
    op.create_index(
        op.f("ix_enforcement_duty_document_jurisdiction_code"),
        "enforcement_duty_document",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enforcement_duty_document_unit_id"),
        "enforcement_duty_document",
        ["unit_id"],
        unique=False,
    )
    op.create_table(
        "enforcement_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(
                "skills",
                "confidentiality",
                name="training_topic",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_on > trained_on", name=op.f("ck_enforcement_training_expires_after_training")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_training_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_training_recorded_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_training_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_training")),
    )
    op.create_index(
        op.f("ix_enforcement_training_expires_on"),
        "enforcement_training",
        ["expires_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enforcement_training_jurisdiction_code"),
        "enforcement_training",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enforcement_training_unit_id"), "enforcement_training", ["unit_id"], unique=False
    )
    op.create_table(
        "enforcement_suspicious_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "public_security",
                "emergency",
                "crime",
                name="suspicious_report_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.String(length=2000), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("range_start", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("range_end", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("reported_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ack_note", sa.String(length=1000), nullable=False),
        sa.CheckConstraint(
            "(acknowledged_by IS NULL) = (acknowledged_at IS NULL)",
            name=op.f("ck_enforcement_suspicious_report_ack_complete"),
        ),
        sa.CheckConstraint(
            "range_end > range_start", name=op.f("ck_enforcement_suspicious_report_range_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_suspicious_report_acknowledged_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"],
            ["camera.id"],
            name=op.f("fk_enforcement_suspicious_report_camera_id_camera"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_suspicious_report_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_suspicious_report_reported_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_suspicious_report_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_suspicious_report")),
    )
    op.create_index(
        op.f("ix_enforcement_suspicious_report_jurisdiction_code"),
        "enforcement_suspicious_report",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_enforcement_suspicious_report_unit_id"),
        "enforcement_suspicious_report",
        ["unit_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_enforcement_suspicious_report_unit_id"), table_name="enforcement_suspicious_report"
    )
    op.drop_index(
        op.f("ix_enforcement_suspicious_report_jurisdiction_code"),
        table_name="enforcement_suspicious_report",
    )
    op.drop_table("enforcement_suspicious_report")
    op.drop_index(op.f("ix_enforcement_training_unit_id"), table_name="enforcement_training")
    op.drop_index(
        op.f("ix_enforcement_training_jurisdiction_code"), table_name="enforcement_training"
    )
    op.drop_index(op.f("ix_enforcement_training_expires_on"), table_name="enforcement_training")
    op.drop_table("enforcement_training")
    op.drop_index(
        op.f("ix_enforcement_duty_document_unit_id"), table_name="enforcement_duty_document"
    )
    op.drop_index(
        op.f("ix_enforcement_duty_document_jurisdiction_code"),
        table_name="enforcement_duty_document",
    )
    op.drop_table("enforcement_duty_document")
