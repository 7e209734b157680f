"""Votes on posts and comments: 1, -1, or anything else to take the vote back."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from moot import ranking
from moot.actions import counters, targets
from moot.actions.actor import Actor, RemoteActor
from moot.actions.lookups import get_comment, get_post
from moot.actions.reading import mark_read
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.around import Around, post_columns
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared
from moot.db.types import UtcDateTime, utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import publish
from moot.federation.audience import audience_columns, audience_of


@dataclass(frozen=True)
class _Votable:
    """What differs between voting on a post and on a comment: the tables and columns."""

    likes: sa.Table  # post_like or comment_like
    key: str  # its column naming the voted item
    items: sa.Table  # post or comment, whose score columns move
    creator_score: str  # the person column summing the creator's item scores


POST = _Votable(m.post_like, "post_id", m.post, "post_score")
COMMENT = _Votable(m.comment_like, "comment_id", m.comment, "comment_score")


def _deltas(old: int, new: int) -> dict[str, int]:
    """How score, upvotes and downvotes move when a vote goes from `old` to `new` (0 = none)."""
    return {
        "score": new - old,
        "upvotes": (new == 1) - (old == 1),
        "downvotes": (new == -1) - (old == -1),
    }


async def _allowed_score(
    conn: Connection, viewer: Actor, score: int, target: targets.PostTarget
) -> int:
    """The vote to store (1, -1, or 0 for none), after Lemmy's checks."""
    if viewer.person["bot_account"]:
        raise ApiError(ErrorCode.INVALID_BOT_ACTION)
    if score == -1:
        _, local = await load_site(conn)
        if not local["enable_downvotes"]:
            raise ApiError(ErrorCode.DOWNVOTES_ARE_DISABLED)
    target.require_valid_person()
    target.require_taking_part(viewer.is_admin)
    if target.community_banned:
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    return score if score in (1, -1) else 0


async def _store(
    conn: Connection,
    person_id: int,
    kind: _Votable,
    item: Row,
    post: Row,
    new: int,
    read: int | None,
) -> int | None:
    """Store the vote: the vote it replaced (0 for none), or None when it was `new` already
    and nothing changed. The caller holds the voted item's row lock (moot/actions/locks.py),
    so no other vote on it runs between reading the old vote and moving the counters by
    the difference. PostgreSQL reads the old vote in the writing statement (RETURNING a
    subquery, which sees the statement's snapshot: from before its own write, and after
    the lock, so a vote by the same person that committed while the lock was awaited is
    the old one). SQLite (one writer) reads it first: a RETURNING subquery there sees the
    new row; `read` is the old vote (0 for none) when the caller read it already
    (`old_vote`: SQLite only, where nothing can change it meanwhile)."""
    postgresql = conn.dialect_name == "postgresql"
    old = None
    params = {"item_id": item["id"], "person_id": person_id}
    if not postgresql:
        if read is None:
            rows = await conn.run(_OLD, params, kind.key)
            read = int(rows[0]["score"] or 0) if rows else 0
        old = read
        if old == new:
            return None
    if new:
        params.update(score=new, published=utcnow(), post_id=post["id"])
    rows = await conn.run(_STORE, params, (kind.key, bool(new)))
    if old is not None:
        return old
    # PostgreSQL: no row when the vote was `new` already (or there was none to take back).
    return int(rows[0]["old"] or 0) if rows else None


_KINDS = {kind.key: kind for kind in (POST, COMMENT)}


def _param(table: sa.Table, column: str, name: str | None = None) -> Any:
    """A value of `table.column` given at each run, as the column's type binds it."""
    return sa.bindparam(name or column, type_=table.c[column].type)


def _old_statement(dialect: str, key: str) -> sa.Select[Any]:
    """The person's vote on the item (SQLite, when the caller did not read it: `_store`)."""
    likes = _KINDS[key].likes
    return sa.select(likes.c.score).where(
        likes.c[key] == _param(likes, key, "item_id"),
        likes.c.person_id == _param(likes, "person_id"),
    )


def _store_statement(dialect: str, variant: tuple[str, bool]) -> sa.UpdateBase:
    """The vote upserted (`stored`: 1 or -1) or taken back, returning the old one
    (`_store`): built once per kind, its values parameters (item_id, person_id, score,
    published, and a comment's post_id)."""
    key, stored = variant
    kind = _KINDS[key]
    likes = kind.likes
    item_id = _param(likes, key, "item_id")
    person_id = _param(likes, "person_id")
    if not stored:
        return (
            sa.delete(likes)
            .where(likes.c[key] == item_id, likes.c.person_id == person_id)
            .returning(likes.c.score.label("old"))
        )
    values = {
        key: item_id,
        "person_id": person_id,
        "score": _param(likes, "score"),
        "published": _param(likes, "published"),
    }
    if kind is COMMENT:
        values["post_id"] = _param(likes, "post_id")
    insert = pg.insert(likes).values(**values)
    before = likes.alias("before")
    return insert.on_conflict_do_update(
        index_elements=[likes.c[key], likes.c.person_id],
        set_={"score": insert.excluded.score, "published": insert.excluded.published},
        where=likes.c.score != insert.excluded.score,
    ).returning(
        sa.select(before.c.score)
        .where(before.c[key] == item_id, before.c.person_id == person_id)
        .scalar_subquery()
        .label("old")
    )


def _moved_statement(dialect: str, variant: tuple[str, tuple[str, ...]]) -> sa.Update:
    """The voted item's counters moved by the vote's deltas (d_score, d_upvotes,
    d_downvotes) and its `ranks` set, returning the item (`_vote`)."""
    key, ranks = variant
    items = _KINDS[key].items
    c = items.c
    delta = {name: sa.bindparam("d_" + name, type_=c[name].type) for name in _DELTAS}
    return (
        sa.update(items)
        .where(c.id == _param(items, "id"))
        .values(
            {
                **{name: c[name] + delta[name] for name in _DELTAS},
                **{name: _param(items, name, "r_" + name) for name in ranks},
            }
        )
        .returning(*c)
    )


_DELTAS = ("score", "upvotes", "downvotes")
_OLD = Prepared(_old_statement)
_STORE = Prepared(_store_statement)
_MOVED = Prepared(_moved_statement)


async def _vote(
    conn: Connection,
    person_id: int,
    kind: _Votable,
    item: Row,
    post: Row,
    new: int,
    ranks: Callable[[dict[str, int]], dict[str, float]] | None = None,
    read: int | None = None,
) -> Row | None:
    """Store the vote and move the item's counters: the item as it is then, or None when
    nothing changed. `item` was read under its row lock (`_store`). `ranks`: the item's
    ranks from its counts after the vote (`item` plus the deltas), set by the same
    statement that moves them. The creator's score follows the item's in that statement
    (a trigger: moot/db/migrations/versions/0013_score_triggers.py). `read`: see
    `_store`."""
    old = await _store(conn, person_id, kind, item, post, new, read)
    if old is None:
        return None
    d = _deltas(old, new)
    after = {name: int(item[name]) + delta for name, delta in d.items()}
    rank_values = ranks(after) if ranks is not None else {}
    params = {"id": item["id"], **{"d_" + name: delta for name, delta in d.items()}}
    params.update({"r_" + name: value for name, value in rank_values.items()})
    rows = await conn.run(_MOVED, params, (kind.key, tuple(rank_values)))
    return rows[0] if rows else None


def _old_vote(kind: _Votable, item_id: sa.ColumnElement[int], person_id: Any) -> Any:
    """The person's vote on the item, as a column of the statement that reads the item
    (SQLite: see `_store`); None when they have none."""
    likes = kind.likes
    return (
        sa.select(likes.c.score)
        .where(likes.c[kind.key] == item_id, likes.c.person_id == person_id)
        .scalar_subquery()
        .label("old_vote")
    )


def _post_ranks(post: Row, community: Row) -> Callable[[dict[str, int]], dict[str, float]]:
    def ranks(after: dict[str, int]) -> dict[str, float]:
        row = {**post, **after, "users_active_month": community["users_active_month"]}
        return {
            **counters.post_time_ranks(row, utcnow()),
            "controversy_rank": ranking.controversy_rank(after["upvotes"], after["downvotes"]),
        }

    return ranks


def _comment_ranks(comment: Row) -> Callable[[dict[str, int]], dict[str, float]]:
    def ranks(after: dict[str, int]) -> dict[str, float]:
        return {
            **counters.comment_time_ranks({**comment, **after}, utcnow()),
            "controversy_rank": ranking.controversy_rank(after["upvotes"], after["downvotes"]),
        }

    return ranks


def own_comment_vote_counts(published: datetime) -> dict[str, object]:
    """The counters and ranks of a new comment whose one vote is its author's upvote:
    written by the comment's insert, so the vote moves no counter of its own afterwards
    (`own_comment_vote` stores the vote row; `counters.comment_created` its creator's
    score)."""
    return {
        "score": 1,
        "upvotes": 1,
        "downvotes": 0,
        "hot_rank": ranking.hot_rank(1, published, utcnow()),
        "controversy_rank": ranking.controversy_rank(1, 0),
    }


def own_comment_vote(comment: sa.FromClause, published: sa.ColumnElement[Any]) -> sa.Insert:
    """The vote row of a new comment's author, whose counters its insert set
    (`own_comment_vote_counts`): nobody else can have voted on it yet. `comment`: the new
    comment's row, as a subquery, or as the CTE of its insert's RETURNING (one statement
    writes both: moot/actions/comment_insert.py); `published`: when the vote was cast."""
    c = comment.c
    return sa.insert(m.comment_like).from_select(
        ["comment_id", "post_id", "person_id", "score", "published"],
        sa.select(
            c.id,
            c.post_id,
            c.creator_id,
            sa.literal(1, m.comment_like.c.score.type),
            published,
        ),
    )


async def own_post_vote(conn: Connection, author: Actor, post: Row) -> None:
    """The author's upvote of the post they just wrote: part of the Create, never sent
    alone."""
    if await _vote(conn, author.person_id, POST, post, post, 1):
        await counters.refresh_post_ranks(conn, int(post["id"]))


@dataclass(frozen=True)
class Voted:
    """A vote on a post, done: the post as it is now and, when the caller asked for them
    (`vote_post(view=…)`), its surroundings for the voter as `around.around_posts` reads
    them, as they are after the vote."""

    post: Row
    around: Row | None


def _target_statement(dialect: str, variant: tuple[bool, Around | None]) -> sa.Select[Any]:
    """The post a vote locks and reads (`vote_post`), built once per dialect and variant
    (a local voter or not; what the answer shows, or nothing): the voter, the post and
    the time are parameters (moot/db/prepared.py). Built per request, this statement's
    construction and cache key were a third of a vote's CPU (docs/benchmarks.md)."""
    local, view = variant
    p = m.post
    voter = sa.bindparam("voter", type_=sa.Integer)
    now = sa.bindparam("now", type_=UtcDateTime)
    extra: list[Any] = []
    if dialect == "sqlite":
        extra.append(_old_vote(POST, p.c.id, voter))
    if local:
        extra += audience_columns(voter, p.c.community_id, to_followers=True)
    if view is not None:
        extra += post_columns(targets.CREATOR, m.community, voter, view.person, view.community, now)
    return targets.target_statement(
        sa.bindparam("post_id", type_=sa.Integer),
        voter,
        now,
        lock=True,
        extra=extra,
        joins=[targets.JOIN_CREATOR] if view is not None else [],
    )


_TARGET = Prepared(_target_statement)


@functools.cache
def _shown(view: Around) -> tuple[str, ...]:
    """The names of the columns `post_columns` adds for `view`: what `vote_post` answers
    around the post."""
    names = post_columns(targets.CREATOR, m.community, 0, view.person, view.community)
    return tuple(str(c.name) for c in names)


async def vote_post(
    conn: Connection, viewer: Actor, post_id: int, score: int, *, view: Around | None = None
) -> Voted:
    """A vote on a post, and (a local voter) the post marked read. Its one reading is the
    locked post with its checks, the voter's audience, the old vote (SQLite) and, with
    `view`, what the response shows around the post (moot/db/around.py)."""
    local = not isinstance(viewer, RemoteActor)
    params = {"voter": viewer.person_id, "post_id": post_id, "now": utcnow()}
    rows = await conn.run(_TARGET, params, (local, view))
    target = targets.target_of(rows[0] if rows else None)
    post, community = target.post, target.community
    new = await _allowed_score(conn, viewer, score, target)
    ranks = _post_ranks(post, community)
    read = int(target.row["old_vote"] or 0) if "old_vote" in target.row else None
    voted = await _vote(conn, viewer.person_id, POST, post, post, new, ranks, read)
    if voted is not None:
        post = voted
        known = audience_of(target.row) if local else None
        await publish.voted(conn, viewer, str(post["ap_id"]), post, new, community, known)
    # Voting on a post counts as reading it, as in Lemmy.
    await mark_read(conn, viewer, [post_id], True)
    around = None
    if view is not None:
        around = {name: target.row[name] for name in _shown(view)}
        # What this vote changed: the voter's vote, and their read mark (all comments seen).
        around["my_vote"] = new or None
        if local:
            around["read_comments"] = post["comments"]
    return Voted(post, around)


async def vote_comment(conn: Connection, viewer: Actor, comment_id: int, score: int) -> None:
    comment = await get_comment(conn, comment_id, lock=True)
    target = await targets.post_target(conn, int(comment["post_id"]), viewer.person_id)
    post = target.post
    new = await _allowed_score(conn, viewer, score, target)
    ranks = _comment_ranks(comment)
    if await _vote(conn, viewer.person_id, COMMENT, comment, post, new, ranks) is not None:
        await publish.voted(conn, viewer, str(comment["ap_id"]), post, new, target.community)


async def withdraw_all_votes(conn: Connection, person_id: int) -> None:
    """Take back every vote a person cast (before they are purged), one by one through the
    same counters as a vote of 0."""
    for kind in (POST, COMMENT):
        voted = await conn.fetch_all(
            sa.select(kind.items)
            .join(kind.likes, kind.likes.c[kind.key] == kind.items.c.id)
            .where(kind.likes.c.person_id == person_id)
        )
        for item in voted:
            post_id = int(item["id"] if kind is POST else item["post_id"])
            post = item if kind is POST else await get_post(conn, post_id)
            await _vote(conn, person_id, kind, item, post, 0)
            if kind is POST:
                await counters.refresh_post_ranks(conn, post_id)
            else:
                await counters.refresh_comment_ranks(conn, int(item["id"]))
