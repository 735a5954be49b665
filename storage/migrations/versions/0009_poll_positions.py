"""Where VK Bots Long Poll was handled up to: a restart resumes there, nothing written is skipped.

Revision ID: 0009_poll_positions
Revises: 0008_recent_updates
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_poll_positions"
down_revision: str | None = "0008_recent_updates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "poll_positions",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("position", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_poll_positions")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("poll_positions")
