"""Lemmy 1.0's comment lock and moderators' notices: `comment.locked`, `mod_action_notice`

Revision ID: 0017_comment_lock
Revises: 0016_person_note
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0017_comment_lock"
down_revision: str | None = "0016_person_note"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table into a new one,
    # which leaves its triggers behind (0013's comment_score_to_creator).
    op.add_column(
        "comment", sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "mod_action_notice",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("modlog_id", sa.Integer(), nullable=False),
        sa.Column("read", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["modlog_id"],
            ["modlog.id"],
            name=op.f("fk_mod_action_notice_modlog_id_modlog"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["person.id"],
            name=op.f("fk_mod_action_notice_recipient_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mod_action_notice")),
        sa.UniqueConstraint(
            "recipient_id", "modlog_id", name=op.f("uq_mod_action_notice_recipient_id_modlog_id")
        ),
    )
    op.create_index(
        "ix_mod_action_notice_recipient",
        "mod_action_notice",
        ["recipient_id", "published", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_mod_action_notice_recipient", table_name="mod_action_notice")
    op.drop_table("mod_action_notice")
    op.drop_column("comment", "locked")
