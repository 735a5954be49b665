"""Enrolment: program descriptions and dates, questionnaire progress, loaded questionnaires,
consent text hashes and accounts, anonymised people.

Revision ID: 0003_enrolment
Revises: 0002_account_linking
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_enrolment"
down_revision: str | None = "0002_account_linking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("programs") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
    with op.batch_alter_table("participants") as batch_op:
        batch_op.add_column(sa.Column("questionnaire_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("questionnaire_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("questionnaire_done_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("consents") as batch_op:
        batch_op.add_column(sa.Column("given_by_account_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text_hash", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_consents_given_by_account_id_messenger_accounts"),
            "messenger_accounts",
            ["given_by_account_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            op.f("ix_consents_given_by_account_id"), ["given_by_account_id"], unique=False
        )
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loaded_by_person_id"],
            ["people.id"],
            name=op.f("fk_questionnaires_loaded_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_questionnaires_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint(
            "program_id", "key", "version", name=op.f("uq_questionnaires_program_id_key_version")
        ),
    )
    op.create_index(
        op.f("ix_questionnaires_loaded_by_person_id"), "questionnaires", ["loaded_by_person_id"]
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("questionnaires")
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_index(op.f("ix_consents_given_by_account_id"))
        batch_op.drop_constraint(
            op.f("fk_consents_given_by_account_id_messenger_accounts"), type_="foreignkey"
        )
        batch_op.drop_column("text_hash")
        batch_op.drop_column("given_by_account_id")
    with op.batch_alter_table("participants") as batch_op:
        batch_op.drop_column("questionnaire_done_at")
        batch_op.drop_column("questionnaire_version")
        batch_op.drop_column("questionnaire_key")
    with op.batch_alter_table("programs") as batch_op:
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
        batch_op.drop_column("description")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("anonymized_at")
