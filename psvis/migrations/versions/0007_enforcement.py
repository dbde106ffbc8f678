"""enforcement: cases, correction orders, re-checks, penalty decisions, documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psvis.core.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Constraint names follow psvis/core/db.py NAMING_CONVENTION (identical on both backends).
    op.create_table(
        "enforcement_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("bureau_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column(
            "basis",
            sa.Enum(
                "art24",
                "art25_1",
                "art25_2",
                "art25_3",
                "art25_4",
                "art26_1",
                "art26_2",
                "art26_3",
                "art23",
                name="enforcement_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("other_law", sa.String(length=200), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("manager_name", sa.String(length=100), nullable=False),
        sa.Column("facts", sa.String(length=2000), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "ordered",
                "corrected",
                "not_corrected",
                "decided",
                "closed",
                name="enforcement_case_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("opened_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", psvis.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "(basis = 'art23') = (length(other_law) > 0)",
            name=op.f("ck_enforcement_case_other_law_iff_art23"),
        ),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL)",
            name=op.f("ck_enforcement_case_closed_has_time"),
        ),
        sa.CheckConstraint("serial >= 1", name=op.f("ck_enforcement_case_serial_positive")),
        sa.ForeignKeyConstraint(
            ["bureau_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_case_bureau_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_enforcement_case_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_case_jurisdiction_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["app_user.id"], name=op.f("fk_enforcement_case_opened_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_enforcement_case_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_case")),
        sa.UniqueConstraint("bureau_code", "year", "serial", name="uq_enforcement_case_serial"),
        sa.UniqueConstraint("number", name=op.f("uq_enforcement_case_number")),
    )
    op.create_index(
        op.f("ix_enforcement_case_finding_id"), "enforcement_case", ["finding_id"], unique=False
    )
    op.create_index(
        op.f("ix_enforcement_case_jurisdiction_code"),
        "enforcement_case",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index("ix_enforcement_case_state", "enforcement_case", ["state"], unique=False)
    op.create_index(
        op.f("ix_enforcement_case_unit_id"), "enforcement_case", ["unit_id"], unique=False
    )
    op.create_table(
        "enforcement_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("fine_yuan", sa.Integer(), nullable=False),
        sa.Column("manager_fine_yuan", sa.Integer(), nullable=False),
        sa.Column("refer_public_order", sa.Boolean(), nullable=False),
        sa.Column("refer_criminal", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.String(length=2000), nullable=False),
        sa.CheckConstraint(
            "fine_yuan >= 0 AND manager_fine_yuan >= 0 AND fine_yuan + manager_fine_yuan > 0",
            name=op.f("ck_enforcement_decision_fine_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_enforcement_decision_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["app_user.id"],
            name=op.f("fk_enforcement_decision_decided_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_decision")),
        sa.UniqueConstraint("case_id", name=op.f("uq_enforcement_decision_case_id")),
    )
    op.create_table(
        "enforcement_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "correction_order",
                "penalty_decision",
                name="enforcement_document_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("bureau_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.Column("issued_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("serial >= 1", name=op.f("ck_enforcement_document_serial_positive")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_enforcement_document_size_positive")),
        sa.ForeignKeyConstraint(
            ["bureau_code"],
            ["jurisdiction.code"],
            name=op.f("fk_enforcement_document_bureau_code_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_enforcement_document_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["app_user.id"], name=op.f("fk_enforcement_document_issued_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_document")),
        sa.UniqueConstraint(
            "bureau_code", "kind", "year", "serial", name="uq_enforcement_document_serial"
        ),
        sa.UniqueConstraint("number", name=op.f("uq_enforcement_document_number")),
    )
    op.create_index(
        op.f("ix_enforcement_document_case_id"), "enforcement_document", ["case_id"], unique=False
    )
    op.create_table(
        "enforcement_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.Column("issued_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("requirement", sa.String(length=1000), nullable=False),
        sa.CheckConstraint(
            "deadline IS NULL OR deadline > issued_on",
            name=op.f("ck_enforcement_order_deadline_after_issue"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_enforcement_order_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["app_user.id"], name=op.f("fk_enforcement_order_issued_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_order")),
        sa.UniqueConstraint("case_id", name=op.f("uq_enforcement_order_case_id")),
    )
    op.create_table(
        "enforcement_recheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("checked_by", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", psvis.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corrected", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_enforcement_recheck_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_by"], ["app_user.id"], name=op.f("fk_enforcement_recheck_checked_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_recheck")),
    )
    op.create_index(
        op.f("ix_enforcement_recheck_case_id"), "enforcement_recheck", ["case_id"], unique=False
    )


def downgrade() -> None:
    # Dependents first.
    op.drop_index(op.f("ix_enforcement_recheck_case_id"), table_name="enforcement_recheck")
    op.drop_table("enforcement_recheck")
    op.drop_table("enforcement_order")
    op.drop_index(op.f("ix_enforcement_document_case_id"), table_name="enforcement_document")
    op.drop_table("enforcement_document")
    op.drop_table("enforcement_decision")
    op.drop_index(op.f("ix_enforcement_case_unit_id"), table_name="enforcement_case")
    op.drop_index("ix_enforcement_case_state", table_name="enforcement_case")
    op.drop_index(op.f("ix_enforcement_case_jurisdiction_code"), table_name="enforcement_case")
    op.drop_index(op.f("ix_enforcement_case_finding_id"), table_name="enforcement_case")
    op.drop_table("enforcement_case")
