"""Counter updates: where the counters change (`moot admin recount` rebuilds them all).

A post or comment is *counted* while it is neither deleted nor removed; every change of that
state moves the counters of its community, its creator and (for comments) its post and
ancestors by one, with an atomic `UPDATE … SET n = n + delta` in the writer's transaction.
The delta is always known from the statement that changed the counted row (an insert that
happened, a state flag that flipped, a vote row under its item's lock) — never from a row
read earlier.

One counter moves elsewhere: a creator's post and comment score follow their items'
scores by trigger, in the statement that moves the item's score (migration 0013).

The statements run in the lock order of moot/actions/locks.py: comment ancestors, post,
community, person, then the local site, whose one row every local post and comment moves
and which is therefore taken last and held for the shortest time.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from moot import ranking
from moot.actions.locks import lock_rows
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import ancestor_ids
from moot.db.prepared import Prepared, among
from moot.db.types import utcnow


def is_counted(row: Row) -> bool:
    return not row["deleted"] and not row["removed"]


async def site_counted(conn: Connection, column: str, delta: int) -> None:
    """Move one of the local site's totals (users, posts, comments, communities)."""
    total = m.local_site.c[column]
    await conn.execute(sa.update(m.local_site).values({total: total + delta}))


async def post_counted(conn: Connection, post: Row, delta: int) -> None:
    c, p = m.community.c, m.person.c
    await conn.execute(
        sa.update(m.community).where(c.id == post["community_id"]).values(posts=c.posts + delta)
    )
    await conn.execute(
        sa.update(m.person)
        .where(p.id == post["creator_id"])
        .values(post_count=p.post_count + delta)
    )
    if post["local"]:
        await site_counted(conn, "posts", delta)


async def comment_counted(conn: Connection, comment: Row, post: Row, delta: int) -> None:
    c, p, ps, cm = m.community.c, m.person.c, m.post.c, m.comment.c
    ancestors = ancestor_ids(comment["path"])
    if ancestors:
        await lock_rows(conn, comments=ancestors)
        await conn.execute(
            sa.update(m.comment)
            .where(cm.id.in_(ancestors))
            .values(child_count=cm.child_count + delta)
        )
    await conn.execute(
        sa.update(m.post).where(ps.id == post["id"]).values(comments=ps.comments + delta)
    )
    await conn.execute(
        sa.update(m.community)
        .where(c.id == post["community_id"])
        .values(comments=c.comments + delta)
    )
    await conn.execute(
        sa.update(m.person)
        .where(p.id == comment["creator_id"])
        .values(comment_count=p.comment_count + delta)
    )
    if comment["local"]:
        await site_counted(conn, "comments", delta)


async def comment_created(conn: Connection, comment: Row, post: Row, *, creator_score: int) -> Row:
    """A new comment starts counting, and moves its post's activity times (NewComments,
    Active) and Active rank: the post's counters and times in one statement. The caller
    holds the rows of the comment's thread and of its post (moot/actions/locks.py), and
    read `post` under that lock, so the times and rank are computed from the post as it
    is. `creator_score`: the comment's score at birth (its author's own vote), added to
    its creator's in the same statement as their comment count. Returns the post as it
    is then."""
    ancestors = ancestor_ids(comment["path"])
    if ancestors:
        await conn.run(_CREATED_ANCESTORS, {"ids": ancestors})
    published: datetime = comment["published"]
    necro = ranking.advance_necro_time(
        post["newest_comment_time_necro"],
        post["published"],
        int(post["creator_id"]),
        published,
        int(comment["creator_id"]),
    )
    params = {
        "post_id": post["id"],
        "v_newest_comment_time": max(post["newest_comment_time"], published),
        "v_newest_comment_time_necro": necro,
        "v_hot_rank_active": ranking.hot_rank(int(post["score"]), necro, utcnow()),
    }
    rows = await conn.run(_CREATED_POST, params)
    assert rows
    await conn.run(_CREATED_COMMUNITY, {"community_id": post["community_id"]})
    person = {"person_id": comment["creator_id"], "creator_score": creator_score}
    await conn.run(_CREATED_PERSON, person)
    if comment["local"]:
        await conn.run(_CREATED_SITE, {})
    return rows[0]


# The statements of `comment_created`, built once (moot/db/prepared.py); their values are
# parameters, their deltas (a new comment counts once) in their text.
_CREATED_ANCESTORS = Prepared(
    lambda dialect, _: (
        sa.update(m.comment)
        .where(among(m.comment.c.id, "ids", dialect))
        .values(child_count=m.comment.c.child_count + 1)
    )
)
_CREATED_POST = Prepared(
    lambda dialect, _: (
        sa.update(m.post)
        .where(m.post.c.id == sa.bindparam("post_id", type_=sa.Integer))
        .values(
            comments=m.post.c.comments + 1,
            **{
                name: sa.bindparam("v_" + name, type_=m.post.c[name].type)
                for name in ("newest_comment_time", "newest_comment_time_necro", "hot_rank_active")
            },
        )
        .returning(*m.post.c)
    )
)
_CREATED_COMMUNITY = Prepared(
    lambda dialect, _: (
        sa.update(m.community)
        .where(m.community.c.id == sa.bindparam("community_id", type_=sa.Integer))
        .values(comments=m.community.c.comments + 1)
    )
)
_CREATED_PERSON = Prepared(
    lambda dialect, _: (
        sa.update(m.person)
        .where(m.person.c.id == sa.bindparam("person_id", type_=sa.Integer))
        .values(
            comment_count=m.person.c.comment_count + 1,
            comment_score=m.person.c.comment_score
            + sa.bindparam("creator_score", type_=m.person.c.comment_score.type),
        )
    )
)
_CREATED_SITE = Prepared(
    lambda dialect, _: sa.update(m.local_site).values(comments=m.local_site.c.comments + 1)
)


def post_time_ranks(row: Row, now: datetime) -> dict[str, float]:
    """The ranks of a post that decay with time. `row` has the post's score, published and
    newest_comment_time_necro, and its community's users_active_month."""
    score = int(row["score"])
    return {
        "hot_rank": ranking.hot_rank(score, row["published"], now),
        "hot_rank_active": ranking.hot_rank(score, row["newest_comment_time_necro"], now),
        "scaled_rank": ranking.scaled_rank(
            score, row["published"], int(row["users_active_month"]), now
        ),
    }


def comment_time_ranks(row: Row, now: datetime) -> dict[str, float]:
    return {"hot_rank": ranking.hot_rank(int(row["score"]), row["published"], now)}


async def refresh_post_ranks(conn: Connection, post_id: int) -> None:
    """Recompute one post's ranks from its current counts (after a vote)."""
    row = await conn.fetch_one(
        sa.select(m.post, m.community.c.users_active_month)
        .join(m.community, m.community.c.id == m.post.c.community_id)
        .where(m.post.c.id == post_id)
    )
    assert row is not None
    await conn.execute(
        sa.update(m.post)
        .where(m.post.c.id == post_id)
        .values(
            **post_time_ranks(row, utcnow()),
            controversy_rank=ranking.controversy_rank(int(row["upvotes"]), int(row["downvotes"])),
        )
    )


async def refresh_comment_ranks(conn: Connection, comment_id: int) -> None:
    row = await conn.fetch_one(sa.select(m.comment).where(m.comment.c.id == comment_id))
    assert row is not None
    await conn.execute(
        sa.update(m.comment)
        .where(m.comment.c.id == comment_id)
        .values(
            **comment_time_ranks(row, utcnow()),
            controversy_rank=ranking.controversy_rank(int(row["upvotes"]), int(row["downvotes"])),
        )
    )


async def comment_purged(conn: Connection, comment: Row, post: Row, *, with_post: bool) -> None:
    """A comment is about to be deleted for good: it leaves every counter, and its votes
    leave its creator's score. `with_post`: its post goes too, so the post's and the
    thread's own counters need no care."""
    counted = is_counted(comment)
    if counted and not with_post:
        ancestors = ancestor_ids(comment["path"])
        if ancestors:
            cm = m.comment.c
            await lock_rows(conn, comments=ancestors)
            await conn.execute(
                sa.update(m.comment)
                .where(cm.id.in_(ancestors))
                .values(child_count=cm.child_count - 1)
            )
        ps = m.post.c
        await conn.execute(
            sa.update(m.post).where(ps.id == post["id"]).values(comments=ps.comments - 1)
        )
    c, p = m.community.c, m.person.c
    if counted:
        await conn.execute(
            sa.update(m.community)
            .where(c.id == post["community_id"])
            .values(comments=c.comments - 1)
        )
    await conn.execute(
        sa.update(m.person)
        .where(p.id == comment["creator_id"])
        .values(
            comment_count=p.comment_count - int(counted),
            comment_score=p.comment_score - int(comment["score"]),
        )
    )
    if counted and comment["local"]:
        await site_counted(conn, "comments", -1)


async def post_purged(conn: Connection, post: Row) -> None:
    """A post is about to be deleted for good (its comments are purged first)."""
    counted = is_counted(post)
    c, p = m.community.c, m.person.c
    if counted:
        await conn.execute(
            sa.update(m.community).where(c.id == post["community_id"]).values(posts=c.posts - 1)
        )
    await conn.execute(
        sa.update(m.person)
        .where(p.id == post["creator_id"])
        .values(
            post_count=p.post_count - int(counted),
            post_score=p.post_score - int(post["score"]),
        )
    )
    if counted and post["local"]:
        await site_counted(conn, "posts", -1)
