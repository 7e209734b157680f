"""Lemmy 1.0's notification settings per post and per community, and what they tell;
reports about communities; invitations to register; a reason and an end for an
instance's federation block

`post_notify` and `community_notify` hold a member's choice for one post or community;
`comment_subscribed` and `post_subscribed` the notices a subscription wrote. On SQLite
the `comment_notice` view (migration 0014) learns a third kind, 'subscribed', so a new
comment's mentions, reply and subscribers' notices stay one statement. `community_report`
is shaped as the other reports, with a snapshot of the community's name, title and sidebar.
`local_user_invite` holds a member's invitation tokens and how often each was used. The
federation allow- and blocklists gain a reason (and the blocklist an end), as Lemmy 1.0's
admins block or allow one instance at a time.

Revision ID: 0021_notify_invites
Revises: 0022_oauth
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0021_notify_invites"
down_revision: str | None = "0022_oauth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def _setting(table: str, target: str) -> None:
    op.create_table(
        table,
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(f"{target}_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        _fk(table, "person_id", "person"),
        _fk(table, f"{target}_id", target),
        sa.PrimaryKeyConstraint("person_id", f"{target}_id", name=op.f(f"pk_{table}")),
    )
    op.create_index(op.f(f"ix_{table}_{target}_id"), table, [f"{target}_id"], unique=False)


def _notice(table: str, target: str) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column(f"{target}_id", sa.Integer(), nullable=False),
        sa.Column("read", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        _fk(table, "recipient_id", "person"),
        _fk(table, f"{target}_id", target),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint(
            "recipient_id", f"{target}_id", name=op.f(f"uq_{table}_recipient_id_{target}_id")
        ),
    )
    op.create_index(op.f(f"ix_{table}_recipient_id"), table, ["recipient_id"], unique=False)
    op.create_index(op.f(f"ix_{table}_{target}_id"), table, [f"{target}_id"], unique=False)


def _notice_trigger(kinds: Sequence[tuple[str, str]]) -> None:
    # As migration 0014: `WHERE` before `ON CONFLICT` for SQLite's parser.
    inserts = " ".join(
        f"INSERT INTO {table} (recipient_id, comment_id, published) "
        "SELECT NEW.recipient_id, NEW.comment_id, NEW.published "
        f"WHERE NEW.kind = '{kind}' ON CONFLICT (recipient_id, comment_id) DO NOTHING;"
        for kind, table in kinds
    )
    op.execute(
        "CREATE TRIGGER comment_notice_insert INSTEAD OF INSERT ON comment_notice "
        f"FOR EACH ROW BEGIN {inserts} END"
    )


_KINDS = (("mention", "person_mention"), ("reply", "comment_reply"))


def _community_report() -> None:
    table = "community_report"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("original_community_name", sa.String(length=255), nullable=False),
        sa.Column("original_community_title", sa.String(length=255), nullable=False),
        sa.Column("original_community_description", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        _fk(table, "creator_id", "person"),
        _fk(table, "community_id", "community"),
        sa.ForeignKeyConstraint(
            ["resolver_id"],
            ["person.id"],
            name=op.f("fk_community_report_resolver_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_report")),
        sa.UniqueConstraint(
            "community_id", "creator_id", name=op.f("uq_community_report_community_id_creator_id")
        ),
    )
    op.create_index(op.f("ix_community_report_creator_id"), table, ["creator_id"], unique=False)
    op.create_index(op.f("ix_community_report_community_id"), table, ["community_id"], unique=False)


def _invites() -> None:
    op.create_table(
        "local_user_invite",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("local_user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("expires", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        _fk("local_user_invite", "local_user_id", "local_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_user_invite")),
        sa.UniqueConstraint("token", name=op.f("uq_local_user_invite_token")),
    )
    op.create_index(
        op.f("ix_local_user_invite_local_user_id"),
        "local_user_invite",
        ["local_user_id"],
        unique=False,
    )


def upgrade() -> None:
    _setting("post_notify", "post")
    _setting("community_notify", "community")
    _notice("comment_subscribed", "comment")
    _notice("post_subscribed", "post")
    _community_report()
    _invites()
    op.add_column("federation_allowlist", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("federation_blocklist", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column(
        "federation_blocklist",
        sa.Column("expires", moot.db.types.UtcDateTime(timezone=True), nullable=True),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER comment_notice_insert")
        _notice_trigger((*_KINDS, ("subscribed", "comment_subscribed")))


def downgrade() -> None:
    with op.batch_alter_table("federation_blocklist") as batch:
        batch.drop_column("expires")
        batch.drop_column("reason")
    with op.batch_alter_table("federation_allowlist") as batch:
        batch.drop_column("reason")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER comment_notice_insert")
        _notice_trigger(_KINDS)
    for table in ("local_user_invite", "community_report", "post_subscribed", "comment_subscribed"):
        op.drop_table(table)
    for table in ("community_notify", "post_notify"):
        op.drop_table(table)
