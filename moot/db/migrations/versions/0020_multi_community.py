"""Lemmy 1.0's multi-community feeds: a person's named list of communities, followed by
others

Revision ID: 0020_multi_community
Revises: 0019_private_communities
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0020_multi_community"
down_revision: str | None = "0019_private_communities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)


def upgrade() -> None:
    when = moot.db.types.UtcDateTime(timezone=True)
    op.create_table(
        "multi_community",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("summary", sa.String(length=255), nullable=True),
        sa.Column("sidebar", sa.Text(), nullable=True),
        sa.Column("local", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("ap_id", sa.String(length=2000), nullable=False),
        sa.Column("following_url", sa.String(length=2000), nullable=True),
        sa.Column("last_refreshed_at", when, nullable=True),
        sa.Column("published", when, nullable=False),
        sa.Column("updated", when, nullable=True),
        _count("subscribers"),
        _count("subscribers_local"),
        _count("communities"),
        _fk("multi_community", "creator_id", "person"),
        _fk("multi_community", "instance_id", "instance"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_multi_community")),
        sa.UniqueConstraint("ap_id", name=op.f("uq_multi_community_ap_id")),
        sa.UniqueConstraint(
            "instance_id", "name", name=op.f("uq_multi_community_instance_id_name")
        ),
    )
    op.create_index(
        op.f("ix_multi_community_creator_id"), "multi_community", ["creator_id"], unique=False
    )
    op.create_table(
        "multi_community_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("multi_community_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        _fk("multi_community_entry", "multi_community_id", "multi_community"),
        _fk("multi_community_entry", "community_id", "community"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_multi_community_entry")),
        sa.UniqueConstraint(
            "multi_community_id",
            "community_id",
            name=op.f("uq_multi_community_entry_multi_community_id_community_id"),
        ),
    )
    op.create_index(
        op.f("ix_multi_community_entry_community_id"),
        "multi_community_entry",
        ["community_id"],
        unique=False,
    )
    op.create_table(
        "multi_community_follow",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("multi_community_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("published", when, nullable=False),
        _fk("multi_community_follow", "multi_community_id", "multi_community"),
        _fk("multi_community_follow", "person_id", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_multi_community_follow")),
        sa.UniqueConstraint(
            "multi_community_id",
            "person_id",
            name=op.f("uq_multi_community_follow_multi_community_id_person_id"),
        ),
    )
    op.create_index(
        op.f("ix_multi_community_follow_person_id"),
        "multi_community_follow",
        ["person_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_multi_community_follow_person_id"), table_name="multi_community_follow")
    op.drop_table("multi_community_follow")
    op.drop_index(op.f("ix_multi_community_entry_community_id"), table_name="multi_community_entry")
    op.drop_table("multi_community_entry")
    op.drop_index(op.f("ix_multi_community_creator_id"), table_name="multi_community")
    op.drop_table("multi_community")
