"""Lemmy 1.0's private communities: a follow that waits for a moderator's approval

Revision ID: 0019_private_communities
Revises: 0021_notify_invites
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_private_communities"
down_revision: str | None = "0021_notify_invites"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "community_follower",
        sa.Column("approval_required", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("community_follower", schema=None) as batch_op:
        batch_op.drop_column("approval_required")
