"""remote_image: remote pictures rewritten to the image proxy

Revision ID: 0010_remote_image
Revises: 0009_email
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0010_remote_image"
down_revision: str | None = "0009_email"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "remote_image",
        sa.Column("link", sa.String(length=2000), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("link", name=op.f("pk_remote_image")),
    )


def downgrade() -> None:
    op.drop_table("remote_image")
