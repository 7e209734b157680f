"""Lemmy 1.0's OAuth sign-in: providers, the accounts linked to them, and the site's
switch for registering through them

Revision ID: 0022_oauth
Revises: 0017_comment_lock
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0022_oauth"
down_revision: str | None = "0017_comment_lock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("local_site") as batch:
        batch.add_column(
            sa.Column("oauth_registration", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "oauth_provider",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=2000), nullable=False),
        sa.Column("authorization_endpoint", sa.String(length=2000), nullable=False),
        sa.Column("token_endpoint", sa.String(length=2000), nullable=False),
        sa.Column("userinfo_endpoint", sa.String(length=2000), nullable=False),
        sa.Column("id_claim", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("client_secret", sa.String(length=2000), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("auto_verify_email", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "account_linking_enabled", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("use_pkce", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_provider")),
        sa.UniqueConstraint("issuer", "client_id", name=op.f("uq_oauth_provider_issuer_client_id")),
    )
    op.create_table(
        "oauth_account",
        sa.Column("local_user_id", sa.Integer(), nullable=False),
        sa.Column("oauth_provider_id", sa.Integer(), nullable=False),
        sa.Column("oauth_user_id", sa.String(length=500), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["local_user_id"],
            ["local_user.id"],
            name=op.f("fk_oauth_account_local_user_id_local_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["oauth_provider_id"],
            ["oauth_provider.id"],
            name=op.f("fk_oauth_account_oauth_provider_id_oauth_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "oauth_provider_id", "oauth_user_id", name=op.f("pk_oauth_account")
        ),
    )
    op.create_index(
        op.f("ix_oauth_account_local_user_id"), "oauth_account", ["local_user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_oauth_account_local_user_id"), table_name="oauth_account")
    op.drop_table("oauth_account")
    op.drop_table("oauth_provider")
    with op.batch_alter_table("local_site") as batch:
        batch.drop_column("oauth_registration")
