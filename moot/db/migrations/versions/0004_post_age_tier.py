"""post age tiers and the Old-order indexes: every post sort reads an index that stops
after `limit` rows (windowed Top sorts one per age tier); job_run remembers when periodic
jobs last finished

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from moot.db.types import UtcDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing post starts in tier 0; the scheduler's first pass (at start-up) moves
    # each one to its real tier, and listings check `published` exactly meanwhile.
    op.add_column(
        "post", sa.Column("age_tier", sa.SmallInteger(), server_default="0", nullable=False)
    )
    op.create_index(
        "ix_post_site_tier_score",
        "post",
        ["age_tier", "featured_local", "score", "published", "id"],
    )
    op.create_index(
        "ix_post_community_tier_score",
        "post",
        ["community_id", "age_tier", "featured_community", "score", "published", "id"],
    )
    op.create_index("ix_post_site_old", "post", [sa.text("featured_local DESC"), "published", "id"])
    op.create_index(
        "ix_post_community_old",
        "post",
        ["community_id", sa.text("featured_community DESC"), "published", "id"],
    )
    op.create_table(
        "job_run",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("finished", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_run")),
    )


def downgrade() -> None:
    op.drop_table("job_run")
    op.drop_index("ix_post_community_old", "post")
    op.drop_index("ix_post_site_old", "post")
    op.drop_index("ix_post_community_tier_score", "post")
    op.drop_index("ix_post_site_tier_score", "post")
    op.drop_column("post", "age_tier")
