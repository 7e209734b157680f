"""moderation: the modlog, reports, private messages

Revision ID: 0006_moderation
Revises: 0005_federation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import moot.db.types

revision: str = "0006_moderation"
down_revision: str | None = "0005_federation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "private_message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("read", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("removed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ap_id", sa.String(length=2000), nullable=False),
        sa.Column("local", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["person.id"],
            name=op.f("fk_private_message_creator_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["person.id"],
            name=op.f("fk_private_message_recipient_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_message")),
        sa.UniqueConstraint("ap_id", name=op.f("uq_private_message_ap_id")),
    )
    op.create_index(
        "ix_private_message_creator", "private_message", ["creator_id", "published"], unique=False
    )
    op.create_index(
        "ix_private_message_recipient",
        "private_message",
        ["recipient_id", "published"],
        unique=False,
    )

    op.create_table(
        "post_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("original_post_name", sa.String(length=200), nullable=False),
        sa.Column("original_post_url", sa.String(length=2000), nullable=True),
        sa.Column("original_post_body", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["person.id"],
            name=op.f("fk_post_report_creator_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_report_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolver_id"],
            ["person.id"],
            name=op.f("fk_post_report_resolver_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_report")),
        sa.UniqueConstraint(
            "post_id", "creator_id", name=op.f("uq_post_report_post_id_creator_id")
        ),
    )
    op.create_index(op.f("ix_post_report_creator_id"), "post_report", ["creator_id"], unique=False)
    op.create_index(op.f("ix_post_report_post_id"), "post_report", ["post_id"], unique=False)

    op.create_table(
        "private_message_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("private_message_id", sa.Integer(), nullable=False),
        sa.Column("original_pm_text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["person.id"],
            name=op.f("fk_private_message_report_creator_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["private_message_id"],
            ["private_message.id"],
            name=op.f("fk_private_message_report_private_message_id_private_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolver_id"],
            ["person.id"],
            name=op.f("fk_private_message_report_resolver_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_message_report")),
        sa.UniqueConstraint(
            "private_message_id",
            "creator_id",
            name=op.f("uq_private_message_report_private_message_id_creator_id"),
        ),
    )
    op.create_index(
        op.f("ix_private_message_report_creator_id"),
        "private_message_report",
        ["creator_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_private_message_report_private_message_id"),
        "private_message_report",
        ["private_message_id"],
        unique=False,
    )

    op.create_table(
        "comment_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("original_comment_text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("published", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_comment_report_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["person.id"],
            name=op.f("fk_comment_report_creator_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolver_id"],
            ["person.id"],
            name=op.f("fk_comment_report_resolver_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_report")),
        sa.UniqueConstraint(
            "comment_id", "creator_id", name=op.f("uq_comment_report_comment_id_creator_id")
        ),
    )
    op.create_index(
        op.f("ix_comment_report_comment_id"), "comment_report", ["comment_id"], unique=False
    )
    op.create_index(
        op.f("ix_comment_report_creator_id"), "comment_report", ["creator_id"], unique=False
    )

    op.create_table(
        "modlog",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("mod_person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("flag", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "is_featured_community", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("expires", moot.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("when_", moot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_modlog_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_modlog_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mod_person_id"],
            ["person.id"],
            name=op.f("fk_modlog_mod_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_person_id"],
            ["person.id"],
            name=op.f("fk_modlog_other_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_modlog_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modlog")),
    )
    op.create_index(op.f("ix_modlog_comment_id"), "modlog", ["comment_id"], unique=False)
    op.create_index(
        "ix_modlog_community_when", "modlog", ["community_id", "when_", "id"], unique=False
    )
    op.create_index("ix_modlog_kind_when", "modlog", ["kind", "when_", "id"], unique=False)
    op.create_index(op.f("ix_modlog_mod_person_id"), "modlog", ["mod_person_id"], unique=False)
    op.create_index(op.f("ix_modlog_other_person_id"), "modlog", ["other_person_id"], unique=False)
    op.create_index(op.f("ix_modlog_post_id"), "modlog", ["post_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_modlog_post_id"), table_name="modlog")
    op.drop_index(op.f("ix_modlog_other_person_id"), table_name="modlog")
    op.drop_index(op.f("ix_modlog_mod_person_id"), table_name="modlog")
    op.drop_index("ix_modlog_kind_when", table_name="modlog")
    op.drop_index("ix_modlog_community_when", table_name="modlog")
    op.drop_index(op.f("ix_modlog_comment_id"), table_name="modlog")

    op.drop_table("modlog")
    op.drop_index(op.f("ix_comment_report_creator_id"), table_name="comment_report")
    op.drop_index(op.f("ix_comment_report_comment_id"), table_name="comment_report")

    op.drop_table("comment_report")
    op.drop_index(
        op.f("ix_private_message_report_private_message_id"), table_name="private_message_report"
    )
    op.drop_index(op.f("ix_private_message_report_creator_id"), table_name="private_message_report")

    op.drop_table("private_message_report")
    op.drop_index(op.f("ix_post_report_post_id"), table_name="post_report")
    op.drop_index(op.f("ix_post_report_creator_id"), table_name="post_report")

    op.drop_table("post_report")
    op.drop_index("ix_private_message_recipient", table_name="private_message")
    op.drop_index("ix_private_message_creator", table_name="private_message")

    op.drop_table("private_message")
