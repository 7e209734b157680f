"""site counters: SiteAggregates kept on local_site instead of counted per request

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTERS = ("users", "posts", "comments", "communities")


def upgrade() -> None:
    for name in _COUNTERS:
        op.add_column(
            "local_site", sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
        )
    # Existing sites start from the counts their rows give (as `moot admin recount` would).
    op.execute(
        "UPDATE local_site SET"
        " users = (SELECT count(*) FROM local_user),"
        " posts = (SELECT count(*) FROM post WHERE local AND NOT deleted AND NOT removed),"
        " comments = (SELECT count(*) FROM comment WHERE local AND NOT deleted AND NOT removed),"
        " communities = (SELECT count(*) FROM community WHERE local AND NOT deleted)"
    )


def downgrade() -> None:
    for name in reversed(_COUNTERS):
        op.drop_column("local_site", name)
