"""The statements that store a new comment and its author's upvote
(`comments.create_comment`), built once per variant (moot/db/prepared.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from moot.actions import votes
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared

# The columns every new comment is given; a received one also its `updated`.
_COLUMNS = (
    "id",
    "creator_id",
    "post_id",
    "content",
    "content_html",
    "published",
    "language_id",
    "local",
    "score",
    "upvotes",
    "downvotes",
    "hot_rank",
    "controversy_rank",
    "path",
    "depth",
    "ap_id",
    "locked",
)


def _insert(received: bool) -> sa.Insert:
    """The comment's insert, RETURNING it; nothing when its ap_id is taken. Its values
    are the parameters named as its columns (`updated` too when `received`)."""
    t = m.comment
    names = (*_COLUMNS, "updated") if received else _COLUMNS
    values = {name: sa.bindparam("v_" + name, type_=t.c[name].type) for name in names}
    return (
        pg.insert(t)
        .values(values)
        .on_conflict_do_nothing(index_elements=[t.c.ap_id])
        .returning(*t.c)
    )


def _vote_published() -> sa.BindParameter[Any]:
    return sa.bindparam("vote_published", type_=m.comment_like.c.published.type)


def _with_vote_statement(dialect: str, received: bool) -> sa.Select[Any]:
    """PostgreSQL: the comment and its author's vote in one statement (a data-modifying
    CTE; the vote's foreign key is checked at the statement's end, the comment there by
    then)."""
    stored = _insert(received).cte("stored")
    own_vote = votes.own_comment_vote(stored, _vote_published()).cte("own_vote")
    return sa.select(stored).add_cte(own_vote)


def _vote_statement(dialect: str, variant: None) -> sa.Insert:
    """SQLite: the author's vote on the comment just stored (comment_id)."""
    comment_id = sa.bindparam("comment_id", type_=sa.Integer)
    new = sa.select(m.comment).where(m.comment.c.id == comment_id).subquery()
    return votes.own_comment_vote(new, _vote_published())


_WITH_VOTE = Prepared(_with_vote_statement)
_INSERT = Prepared(lambda dialect, received: _insert(received))
_VOTE = Prepared(_vote_statement)


async def insert_with_own_vote(
    conn: Connection, values: dict[str, Any], vote_published: Any
) -> Row | None:
    """The new comment (`values`: its columns) and its author's vote, published then:
    the comment, or None when its ap_id was taken (and no vote stored). One statement on
    PostgreSQL, two on SQLite."""
    received = "updated" in values
    params = {"v_" + name: value for name, value in values.items()}
    params["vote_published"] = vote_published
    if conn.dialect_name == "postgresql":
        rows = await conn.run(_WITH_VOTE, params, received)
        return rows[0] if rows else None
    rows = await conn.run(_INSERT, params, received)
    if rows:
        await conn.run(_VOTE, {"comment_id": rows[0]["id"], "vote_published": vote_published})
    return rows[0] if rows else None
