"""The cycle: moving programs by date, the curators' digest time, announcements.

Revision ID: 0007_cycle
Revises: 0006_goals_surveys
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_cycle"
down_revision: str | None = "0006_goals_surveys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("mentee", "mentor", name="participantrole", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["people.id"],
            name=op.f("fk_announcements_created_by_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["program_materials.id"],
            name=op.f("fk_announcements_material_id_program_materials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_announcements_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        for column in ("created_by_person_id", "material_id", "program_id"):
            batch_op.create_index(batch_op.f(f"ix_announcements_{column}"), [column], unique=False)

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest_weekday", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("digest_hour", sa.Integer(), server_default="9", nullable=False)
        )

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("advance_by_date", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("advance_by_date")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("digest_hour")
        batch_op.drop_column("digest_weekday")

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        for column in ("program_id", "material_id", "created_by_person_id"):
            batch_op.drop_index(batch_op.f(f"ix_announcements_{column}"))
    op.drop_table("announcements")
