"""person_follower: remote followers of local persons

Revision ID: 0007_mastofollow
Revises: 0006_moderation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0007_mastofollow"
down_revision: str | None = "0006_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_follower",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_follower_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["person.id"],
            name=op.f("fk_person_follower_follower_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_follower")),
        sa.UniqueConstraint(
            "person_id", "follower_id", name=op.f("uq_person_follower_person_id_follower_id")
        ),
    )
    op.create_index(
        op.f("ix_person_follower_follower_id"), "person_follower", ["follower_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_person_follower_follower_id"), table_name="person_follower")
    op.drop_table("person_follower")
