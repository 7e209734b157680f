"""Lemmy 1.0's person notes: a member's private note on another person

Revision ID: 0016_person_note
Revises: 0015_member_filters
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0016_person_note"
down_revision: str | None = "0015_member_filters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_note_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["person.id"],
            name=op.f("fk_person_note_target_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_note")),
        sa.UniqueConstraint(
            "person_id", "target_id", name=op.f("uq_person_note_person_id_target_id")
        ),
    )
    op.create_index(op.f("ix_person_note_target_id"), "person_note", ["target_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_person_note_target_id"), table_name="person_note")
    op.drop_table("person_note")
