"""Meetings: reminder times and the pulse survey period per program.

Revision ID: 0005_meetings
Revises: 0004_matching
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_meetings"
down_revision: str | None = "0004_matching"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_minutes", sa.JSON(none_as_null=True), nullable=True)
        )
        batch_op.add_column(sa.Column("pulse_weeks", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("pulse_weeks")
        batch_op.drop_column("reminder_minutes")
