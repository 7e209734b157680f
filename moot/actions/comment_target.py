"""The statement that reads and locks a new comment's post (`comments.create_comment`),
built once per variant (moot/db/prepared.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot.actions import targets
from moot.db import models as m
from moot.db.around import new_comment_flags
from moot.db.mentions import mention_columns
from moot.db.prepared import Prepared
from moot.db.types import UtcDateTime
from moot.federation.audience import audience_columns

# The columns of the comment replied to, read with the post (SQLite).
REPLIED = "replied__"
# The columns of whom the comment answers (the post's creator or the parent's): the Note
# names them.
ANSWERED = "answered__"


def _next_id(dialect: str) -> Any:
    """The id the comment about to be inserted takes, as a column of a statement before
    the insert, so that the insert writes its ap_id and path too: PostgreSQL draws it from
    the id's sequence (an action that fails after leaves a gap, as a failed insert does);
    SQLite (one writer, no AUTOINCREMENT) gives the next rowid, one above the largest."""
    if dialect == "postgresql":
        return sa.func.nextval(sa.func.pg_get_serial_sequence("comment", "id"))
    return sa.select(sa.func.coalesce(sa.func.max(m.comment.c.id), 0) + 1).scalar_subquery()


@dataclass(frozen=True)
class Reading:
    """What differs between comments in the statement that reads and locks their post
    (`target_statement`), besides the values: a statement built once per variant."""

    reply: bool  # and on SQLite the comment replied to is read with the post
    local: bool  # a local author: their audience is read too
    viewed: bool  # the answer's flags are read too
    language: bool  # a language was named: whether it exists


def target_statement(dialect: str, reading: Reading, text: str | None = None) -> sa.Select[Any]:
    """The post, locked, with the checks (`targets.target_statement`), the comment replied
    to (SQLite), whom the comment answers, its id to be, the persons `text` may mention
    (only when given: `text` None reads none), the author's audience and the answer's
    flags. The values are parameters: post_id, author, now, parent_id, replied_to (on
    PostgreSQL the parent's creator, read with its thread), language_id. Built per
    request, its construction and cache key were a third of a comment's CPU
    (docs/benchmarks.md); a text that mentions someone builds its own."""
    author = sa.bindparam("author", type_=sa.Integer)
    now = sa.bindparam("now", type_=UtcDateTime)
    replied = m.comment.alias("replied")
    joins: list[tuple[sa.FromClause, sa.ColumnElement[bool]]] = []
    extra: list[Any] = []
    replied_to: Any = m.post.c.creator_id
    if reading.reply and dialect == "postgresql":
        replied_to = sa.bindparam("replied_to", type_=sa.Integer)
    elif reading.reply:
        joins.append((replied, replied.c.id == sa.bindparam("parent_id", type_=sa.Integer)))
        extra += [col.label(REPLIED + col.name) for col in replied.c]
        replied_to = replied.c.creator_id
    # Whom the comment answers: the post's creator, or the parent's.
    answered = m.person.alias("answered")
    joins.append((answered, answered.c.id == replied_to))
    extra += [
        *(col.label(ANSWERED + col.name) for col in answered.c),
        _next_id(dialect).label("next_id"),
        *(mention_columns(dialect, text) if text is not None else []),
    ]
    if reading.local:
        # The mentioned persons' inboxes join the audience once they are known.
        extra += audience_columns(author, m.post.c.community_id, [answered.c.id], True)
    if reading.viewed:
        extra += new_comment_flags(author, now)
    if reading.language:
        language_id = sa.bindparam("language_id", type_=sa.Integer)
        extra.append(sa.exists().where(m.language.c.id == language_id).label("language_found"))
    post_id = sa.bindparam("post_id", type_=sa.Integer)
    return targets.target_statement(post_id, author, now, lock=True, extra=extra, joins=joins)


TARGET = Prepared(target_statement)


@functools.cache
def flag_names() -> tuple[str, ...]:
    return tuple(str(col.name) for col in new_comment_flags(0))
