"""the creator's post and comment score follow their items' scores, by trigger

A vote moves its item's score; the item's creator's total (person.post_score or
comment_score) moves by the same delta in the same statement, after the item's row (the
lock order of moot/actions/locks.py: post or comment before person). It saves a vote one
statement on both databases (issue 12).

Revision ID: 0013_score_triggers
Revises: 0012_shared_counts
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_score_triggers"
down_revision: str | None = "0012_shared_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (item table, the creator's column summing its items' scores)
_SCORES = (("post", "post_score"), ("comment", "comment_score"))


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, total in _SCORES:
        move = (
            f"UPDATE person SET {total} = {total} + (NEW.score - OLD.score) "
            "WHERE id = NEW.creator_id;"
        )
        if postgresql:
            op.execute(
                f"CREATE FUNCTION {table}_score_to_creator() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {move} RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_score_to_creator AFTER UPDATE OF score ON {table} "
                "FOR EACH ROW WHEN (NEW.score <> OLD.score) "
                f"EXECUTE FUNCTION {table}_score_to_creator()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {table}_score_to_creator AFTER UPDATE OF score ON {table} "
                f"FOR EACH ROW WHEN NEW.score <> OLD.score BEGIN {move} END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, _ in _SCORES:
        on = f" ON {table}" if postgresql else ""
        op.execute(f"DROP TRIGGER {table}_score_to_creator{on}")
        if postgresql:
            op.execute(f"DROP FUNCTION {table}_score_to_creator()")
