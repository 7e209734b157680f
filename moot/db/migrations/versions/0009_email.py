"""password_reset_request, email_verification: links mailed to members

Revision ID: 0009_email
Revises: 0008_images
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0009_email"
down_revision: str | None = "0008_images"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_reset_request",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("local_user_id", sa.Integer(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_user_id"],
            ["local_user.id"],
            name=op.f("fk_password_reset_request_local_user_id_local_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_request")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_password_reset_request_token_digest")),
    )
    op.create_index(
        op.f("ix_password_reset_request_local_user_id"),
        "password_reset_request",
        ["local_user_id"],
        unique=False,
    )
    op.create_table(
        "email_verification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("local_user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_user_id"],
            ["local_user.id"],
            name=op.f("fk_email_verification_local_user_id_local_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_verification")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_email_verification_code_digest")),
    )
    op.create_index(
        op.f("ix_email_verification_local_user_id"),
        "email_verification",
        ["local_user_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_email_verification_local_user_id"), table_name="email_verification")
    op.drop_table("email_verification")
    op.drop_index(
        op.f("ix_password_reset_request_local_user_id"), table_name="password_reset_request"
    )
    op.drop_table("password_reset_request")
