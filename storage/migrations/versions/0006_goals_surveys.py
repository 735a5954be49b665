"""Goals with roadmap fields and a progress history, survey responses in `feedback`, and the
reason a meeting did not happen.

Revision ID: 0006_goals_surveys
Revises: 0005_meetings
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_goals_surveys"
down_revision: str | None = "0005_meetings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GOAL_STATUS = sa.Enum("open", "done", "dropped", name="goalstatus", native_enum=False, length=32)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "goal_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status", GOAL_STATUS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_goal_progress_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_goal_progress_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_goal_progress_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_progress")),
    )
    with op.batch_alter_table("goal_progress", schema=None) as batch_op:
        for column in ("goal_id", "meeting_id", "participant_id"):
            batch_op.create_index(batch_op.f(f"ix_goal_progress_{column}"), [column], unique=False)

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("survey_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("survey_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_feedback_participant_id_kind_round"), ["participant_id", "kind", "round"]
        )

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("product", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_goals_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_goals_meeting_id_meetings"),
            "meetings",
            ["meeting_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("meeting_confirmations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("missed_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("meeting_confirmations", schema=None) as batch_op:
        batch_op.drop_column("missed_reason")

    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_goals_meeting_id_meetings"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_goals_meeting_id"))
        for column in ("meeting_id", "due_on", "product", "area"):
            batch_op.drop_column(column)

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_feedback_participant_id_kind_round"), type_="unique"
        )
        for column in ("completed_at", "survey_version", "survey_key", "round"):
            batch_op.drop_column(column)

    with op.batch_alter_table("goal_progress", schema=None) as batch_op:
        for column in ("participant_id", "meeting_id", "goal_id"):
            batch_op.drop_index(batch_op.f(f"ix_goal_progress_{column}"))
    op.drop_table("goal_progress")
