"""Lemmy 1.0's member filters: keyword filters, and blocks of an instance's persons

`local_user_keyword_block` holds a member's keywords; `instance_person_block` the instances
whose persons a member blocks (instance_block keeps blocking an instance's communities).
Two counts on local_user say whether a listing needs either filter at all.

Revision ID: 0015_member_filters
Revises: 0014_notice_view
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0015_member_filters"
down_revision: str | None = "0014_notice_view"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTS = ("keyword_block_count", "instance_person_block_count")


def upgrade() -> None:
    op.create_table(
        "local_user_keyword_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("local_user_id", sa.Integer(), nullable=False),
        sa.Column("keyword", sa.String(length=50), nullable=False),
        sa.Column("pattern", sa.String(length=120), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_user_id"],
            ["local_user.id"],
            name=op.f("fk_local_user_keyword_block_local_user_id_local_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_user_keyword_block")),
        sa.UniqueConstraint(
            "local_user_id",
            "pattern",
            name=op.f("uq_local_user_keyword_block_local_user_id_pattern"),
        ),
    )
    op.create_table(
        "instance_person_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_instance_person_block_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_instance_person_block_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_person_block")),
        sa.UniqueConstraint(
            "person_id", "instance_id", name=op.f("uq_instance_person_block_person_id_instance_id")
        ),
    )
    op.create_index(
        op.f("ix_instance_person_block_instance_id"),
        "instance_person_block",
        ["instance_id"],
        unique=False,
    )
    for name in _COUNTS:
        op.add_column(
            "local_user", sa.Column(name, sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("local_user", schema=None) as batch_op:
        for name in reversed(_COUNTS):
            batch_op.drop_column(name)
    op.drop_index(op.f("ix_instance_person_block_instance_id"), table_name="instance_person_block")
    op.drop_table("instance_person_block")
    op.drop_table("local_user_keyword_block")
