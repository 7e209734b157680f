"""SQLite: a comment's mention and reply notices in one statement, through a view

PostgreSQL writes a new comment's mention notices and its reply notice in one statement (a
data-modifying CTE: moot/actions/notifications.py). A SQLite statement writes one table,
but an INSERT into a view runs its INSTEAD OF trigger once per row, and the trigger may
write any table: `comment_notice` takes (kind, recipient_id, comment_id, published) rows
and puts each in person_mention ('mention') or comment_reply ('reply'), as the plain
inserts would (a notice already there is left as it is). Nothing but that insert writes to
the view, so no other write of either table changes. It saves a reply that mentions
someone one statement on SQLite (issue 12: `POST /comment` ≤ 12).

Revision ID: 0014_notice_view
Revises: 0013_score_triggers
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_notice_view"
down_revision: str | None = "0013_score_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (kind, the notices' table)
_KINDS = (("mention", "person_mention"), ("reply", "comment_reply"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The view's rows are never read: it only names the columns an insert gives.
    op.execute(
        "CREATE VIEW comment_notice AS SELECT '' AS kind, recipient_id, comment_id, published "
        "FROM person_mention WHERE 0"
    )
    # `WHERE` before `ON CONFLICT`: SQLite's parser needs it to tell the upsert's ON from
    # a join's.
    inserts = " ".join(
        f"INSERT INTO {table} (recipient_id, comment_id, published) "
        "SELECT NEW.recipient_id, NEW.comment_id, NEW.published "
        f"WHERE NEW.kind = '{kind}' ON CONFLICT (recipient_id, comment_id) DO NOTHING;"
        for kind, table in _KINDS
    )
    op.execute(
        "CREATE TRIGGER comment_notice_insert INSTEAD OF INSERT ON comment_notice "
        f"FOR EACH ROW BEGIN {inserts} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER comment_notice_insert")
    op.execute("DROP VIEW comment_notice")
