"""rate_limit_bucket, generation: what several processes share without Redis

Revision ID: 0012_shared_counts
Revises: 0011_lease
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_shared_counts"
down_revision: str | None = "0011_lease"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_bucket",
        sa.Column("bucket", sa.String(length=100), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("last_checked", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "client", name=op.f("pk_rate_limit_bucket")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Counts, not records: no WAL for a write on (nearly) every request, and a crash
        # only empties the table, which gives every client full buckets. Room on each page
        # so that the updates stay on it (HOT: no index entry to write).
        op.execute("ALTER TABLE rate_limit_bucket SET UNLOGGED")
        op.execute("ALTER TABLE rate_limit_bucket SET (fillfactor = 50)")
    op.create_table(
        "generation",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_generation")),
    )


def downgrade() -> None:
    op.drop_table("generation")
    op.drop_table("rate_limit_bucket")
