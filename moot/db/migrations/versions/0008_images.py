"""local_image: pictures uploaded by local members

Revision ID: 0008_images
Revises: 0007_mastofollow
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0008_images"
down_revision: str | None = "0007_mastofollow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "local_image",
        sa.Column("pictrs_alias", sa.Text(), nullable=False),
        sa.Column("local_user_id", sa.Integer(), nullable=True),
        sa.Column("pictrs_delete_token", sa.Text(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_user_id"],
            ["local_user.id"],
            name=op.f("fk_local_image_local_user_id_local_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pictrs_alias", name=op.f("pk_local_image")),
    )
    op.create_index(
        op.f("ix_local_image_local_user_id"), "local_image", ["local_user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_local_image_local_user_id"), table_name="local_image")
    op.drop_table("local_image")
