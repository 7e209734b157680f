"""Votes on posts and comments: 1, -1, or anything else to take the vote back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from moot import ranking
from moot.actions import counters, targets
from moot.actions.actor import Actor
from moot.actions.lookups import get_comment, get_post
from moot.actions.reading import mark_read
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import publish


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
    if target.community_banned:
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    return score if score in (1, -1) else 0


async def _vote(
    conn: Connection,
    person_id: int,
    kind: _Votable,
    item: Row,
    post: Row,
    new: int,
    ranks: Callable[[dict[str, int]], dict[str, float]] | None = None,
) -> bool:
    """Store the vote and move the counters; False when nothing changed. The caller holds
    the voted item's row lock, so no other vote on it runs between reading the old vote and
    moving the counters by the difference (moot/actions/locks.py). `ranks`: the item's
    ranks from its counts after the vote (`item`, read under the lock, plus the deltas),
    set by the same statement that moves them."""
    likes, items = kind.likes, kind.items
    where = (likes.c[kind.key] == item["id"], likes.c.person_id == person_id)
    old = int(await conn.scalar(sa.select(likes.c.score).where(*where)) or 0)
    if old == new:
        return False
    if new:
        values = {kind.key: item["id"], "person_id": person_id, "score": new, "published": utcnow()}
        if kind is COMMENT:
            values["post_id"] = post["id"]
        stmt = pg.insert(likes).values(**values)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[likes.c[kind.key], likes.c.person_id],
                set_={"score": stmt.excluded.score, "published": stmt.excluded.published},
            )
        )
    else:
        await conn.execute(sa.delete(likes).where(*where))
    d = _deltas(old, new)
    after = {name: int(item[name]) + delta for name, delta in d.items()}
    await conn.execute(
        sa.update(items)
        .where(items.c.id == item["id"])
        .values(
            score=items.c.score + d["score"],
            upvotes=items.c.upvotes + d["upvotes"],
            downvotes=items.c.downvotes + d["downvotes"],
            **(ranks(after) if ranks is not None else {}),
        )
    )
    creator_score = m.person.c[kind.creator_score]
    await conn.execute(
        sa.update(m.person)
        .where(m.person.c.id == item["creator_id"])
        .values({creator_score: creator_score + d["score"]})
    )
    return True


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


async def own_comment_vote(conn: Connection, comment: Row) -> None:
    """The vote row of a new comment's author, whose counters its insert set
    (`own_comment_vote_counts`): nobody else can have voted on it yet."""
    await conn.execute(
        sa.insert(m.comment_like).values(
            comment_id=comment["id"],
            post_id=comment["post_id"],
            person_id=comment["creator_id"],
            score=1,
            published=utcnow(),
        )
    )


async def own_post_vote(conn: Connection, author: Actor, post: Row) -> None:
    """The author's upvote of the post they just wrote: part of the Create, never sent
    alone."""
    if await _vote(conn, author.person_id, POST, post, post, 1):
        await counters.refresh_post_ranks(conn, int(post["id"]))


async def vote_post(conn: Connection, viewer: Actor, post_id: int, score: int) -> None:
    target = await targets.post_target(conn, post_id, viewer.person_id, lock=True)
    post, community = target.post, target.community
    new = await _allowed_score(conn, viewer, score, target)
    if await _vote(conn, viewer.person_id, POST, post, post, new, _post_ranks(post, community)):
        await publish.voted(conn, viewer, str(post["ap_id"]), post, new, community)
    # Voting on a post counts as reading it, as in Lemmy.
    await mark_read(conn, viewer, [post_id], True)


async def vote_comment(conn: Connection, viewer: Actor, comment_id: int, score: int) -> None:
    comment = await get_comment(conn, comment_id, lock=True)
    target = await targets.post_target(conn, int(comment["post_id"]), viewer.person_id)
    post = target.post
    new = await _allowed_score(conn, viewer, score, target)
    if await _vote(conn, viewer.person_id, COMMENT, comment, post, new, _comment_ranks(comment)):
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
