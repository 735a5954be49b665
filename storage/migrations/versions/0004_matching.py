"""Matching: proposals, exclusions, change requests, training materials, the program's
threshold and pair kind, per-mentee scores in pairs, and the person's contact sharing.

Revision ID: 0004_matching
Revises: 0003_enrolment
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_matching"
down_revision: str | None = "0003_enrolment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "program_materials",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_program_materials_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_program_materials_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_materials")),
    )
    with op.batch_alter_table("program_materials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_materials_created_by_person_id"),
            ["created_by_person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_program_materials_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "match_exclusions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentee_participant_id", sa.Integer(), nullable=False),
        sa.Column("mentor_participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_match_exclusions_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_participant_id"],
            ["participants.id"],
            name=op.f("fk_match_exclusions_mentee_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_participant_id"],
            ["participants.id"],
            name=op.f("fk_match_exclusions_mentor_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_match_exclusions_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_exclusions")),
        sa.UniqueConstraint(
            "mentee_participant_id",
            "mentor_participant_id",
            name=op.f("uq_match_exclusions_mentee_participant_id_mentor_participant_id"),
        ),
    )
    with op.batch_alter_table("match_exclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_exclusions_created_by_person_id"),
            ["created_by_person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_match_exclusions_mentor_participant_id"),
            ["mentor_participant_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_match_exclusions_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "match_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("mentee_participant_id", sa.Integer(), nullable=False),
        sa.Column("mentor_participant_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_person_id"],
            ["people.id"],
            name=op.f("fk_match_proposals_decided_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_participant_id"],
            ["participants.id"],
            name=op.f("fk_match_proposals_mentee_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_participant_id"],
            ["participants.id"],
            name=op.f("fk_match_proposals_mentor_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_match_proposals_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_proposals")),
    )
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_proposals_decided_by_person_id"),
            ["decided_by_person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_match_proposals_mentee_participant_id"),
            ["mentee_participant_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_match_proposals_mentor_participant_id"),
            ["mentor_participant_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_match_proposals_program_id_status", ["program_id", "status"], unique=False
        )

    op.create_table(
        "pair_change_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("mentee_participant_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_participant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_person_id"],
            ["people.id"],
            name=op.f("fk_pair_change_requests_decided_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_participant_id"],
            ["participants.id"],
            name=op.f("fk_pair_change_requests_mentee_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_pair_change_requests_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_participant_id"],
            ["participants.id"],
            name=op.f("fk_pair_change_requests_requested_by_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_change_requests")),
    )
    with op.batch_alter_table("pair_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pair_change_requests_decided_by_person_id"),
            ["decided_by_person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pair_change_requests_mentee_participant_id"),
            ["mentee_participant_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pair_change_requests_pair_id"), ["pair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pair_change_requests_requested_by_participant_id"),
            ["requested_by_participant_id"],
            unique=False,
        )

    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("reasons", sa.JSON(none_as_null=True), nullable=True))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("share_contact", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("match_threshold", sa.Integer(), server_default="40", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pair_kind", sa.String(length=32), server_default="pair", nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("pair_kind")
        batch_op.drop_column("match_threshold")

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("share_contact")

    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.drop_column("reasons")
        batch_op.drop_column("score")

    with op.batch_alter_table("pair_change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_change_requests_requested_by_participant_id"))
        batch_op.drop_index(batch_op.f("ix_pair_change_requests_pair_id"))
        batch_op.drop_index(batch_op.f("ix_pair_change_requests_mentee_participant_id"))
        batch_op.drop_index(batch_op.f("ix_pair_change_requests_decided_by_person_id"))

    op.drop_table("pair_change_requests")
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_match_proposals_program_id_status")
        batch_op.drop_index(batch_op.f("ix_match_proposals_mentor_participant_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposals_mentee_participant_id"))
        batch_op.drop_index(batch_op.f("ix_match_proposals_decided_by_person_id"))

    op.drop_table("match_proposals")
    with op.batch_alter_table("match_exclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_exclusions_program_id"))
        batch_op.drop_index(batch_op.f("ix_match_exclusions_mentor_participant_id"))
        batch_op.drop_index(batch_op.f("ix_match_exclusions_created_by_person_id"))

    op.drop_table("match_exclusions")
    with op.batch_alter_table("program_materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_materials_program_id"))
        batch_op.drop_index(batch_op.f("ix_program_materials_created_by_person_id"))

    op.drop_table("program_materials")
