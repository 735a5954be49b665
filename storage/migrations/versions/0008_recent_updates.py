"""The conversation's recent update ids: a messenger's redelivery of an update is ignored.

Revision ID: 0008_recent_updates
Revises: 0007_cycle
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_recent_updates"
down_revision: str | None = "0007_cycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("dialog_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recent_updates", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("dialog_states", schema=None) as batch_op:
        batch_op.drop_column("recent_updates")
