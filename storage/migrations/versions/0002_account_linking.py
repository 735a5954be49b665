"""Account linking: one-time link codes and the person's notification channel.

Revision ID: 0002_account_linking
Revises: 0001_initial
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_account_linking"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("notify_channel", sa.String(length=32), nullable=True))
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_link_codes_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_link_codes_code")),
    )
    op.create_index(op.f("ix_link_codes_person_id"), "link_codes", ["person_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("link_codes")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("notify_channel")
