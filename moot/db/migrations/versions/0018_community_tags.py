"""Lemmy 1.0's community post tags: a community's tags, the tags each post carries

Revision ID: 0018_community_tags
Revises: 0020_multi_community
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0018_community_tags"
down_revision: str | None = "0020_multi_community"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "post", sa.Column("tagged", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "community_tag",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ap_id", sa.String(length=2000), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.String(length=1000), nullable=True),
        sa.Column("color", sa.String(length=16), server_default="color01", nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_community_tag_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_tag")),
        sa.UniqueConstraint("ap_id", name=op.f("uq_community_tag_ap_id")),
        sa.UniqueConstraint(
            "community_id", "name", name=op.f("uq_community_tag_community_id_name")
        ),
    )
    op.create_table(
        "post_tag",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_tag_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["community_tag.id"],
            name=op.f("fk_post_tag_tag_id_community_tag"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "tag_id", name=op.f("pk_post_tag")),
    )
    op.create_index("ix_post_tag_tag_id_post_id", "post_tag", ["tag_id", "post_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_post_tag_tag_id_post_id", table_name="post_tag")
    op.drop_table("post_tag")
    op.drop_table("community_tag")
    op.drop_column("post", "tagged")
