"""Counter updates, the one place each counter changes (and `moot admin recount` rebuilds).

A post or comment is *counted* while it is neither deleted nor removed; every change of that
state moves the counters of its community, its creator and (for comments) its post and
ancestors by one, with an atomic `UPDATE … SET n = n + delta` in the writer's transaction.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from moot import ranking
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import ancestor_ids
from moot.db.types import utcnow


def is_counted(row: Row) -> bool:
    return not row["deleted"] and not row["removed"]


async def site_counted(conn: Connection, column: str, delta: int) -> None:
    """Move one of the local site's totals (users, posts, comments, communities)."""
    total = m.local_site.c[column]
    await conn.execute(sa.update(m.local_site).values({total: total + delta}))


async def post_counted(conn: Connection, post: Row, delta: int) -> None:
    if post["local"]:
        await site_counted(conn, "posts", delta)
    c, p = m.community.c, m.person.c
    await conn.execute(
        sa.update(m.community).where(c.id == post["community_id"]).values(posts=c.posts + delta)
    )
    await conn.execute(
        sa.update(m.person)
        .where(p.id == post["creator_id"])
        .values(post_count=p.post_count + delta)
    )


async def comment_counted(conn: Connection, comment: Row, post: Row, delta: int) -> None:
    if comment["local"]:
        await site_counted(conn, "comments", delta)
    c, p, ps, cm = m.community.c, m.person.c, m.post.c, m.comment.c
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
    await conn.execute(
        sa.update(m.post).where(ps.id == post["id"]).values(comments=ps.comments + delta)
    )
    ancestors = ancestor_ids(comment["path"])
    if ancestors:
        await conn.execute(
            sa.update(m.comment)
            .where(cm.id.in_(ancestors))
            .values(child_count=cm.child_count + delta)
        )


async def comment_arrived(conn: Connection, comment: Row, post: Row) -> None:
    """A new counted comment moves its post's activity times (NewComments, Active)."""
    published: datetime = comment["published"]
    necro = ranking.advance_necro_time(
        post["newest_comment_time_necro"],
        post["published"],
        int(post["creator_id"]),
        published,
        int(comment["creator_id"]),
    )
    newest = max(post["newest_comment_time"], published)
    await conn.execute(
        sa.update(m.post)
        .where(m.post.c.id == post["id"])
        .values(
            newest_comment_time=newest,
            newest_comment_time_necro=necro,
            hot_rank_active=ranking.hot_rank(int(post["score"]), necro, utcnow()),
        )
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


async def _creator_score(conn: Connection, column: str, person_id: int, delta: int) -> None:
    score = m.person.c[column]
    await conn.execute(
        sa.update(m.person).where(m.person.c.id == person_id).values({score: score + delta})
    )


async def comment_purged(conn: Connection, comment: Row, post: Row, *, with_post: bool) -> None:
    """A comment is about to be deleted for good: it leaves every counter, and its votes
    leave its creator's score. `with_post`: its post goes too, so the post's and the
    thread's own counters need no care."""
    if is_counted(comment):
        if with_post:
            if comment["local"]:
                await site_counted(conn, "comments", -1)
            c, p = m.community.c, m.person.c
            await conn.execute(
                sa.update(m.community)
                .where(c.id == post["community_id"])
                .values(comments=c.comments - 1)
            )
            await conn.execute(
                sa.update(m.person)
                .where(p.id == comment["creator_id"])
                .values(comment_count=p.comment_count - 1)
            )
        else:
            await comment_counted(conn, comment, post, -1)
    await _creator_score(conn, "comment_score", int(comment["creator_id"]), -int(comment["score"]))


async def post_purged(conn: Connection, post: Row) -> None:
    """A post is about to be deleted for good (its comments are purged first)."""
    if is_counted(post):
        await post_counted(conn, post, -1)
    await _creator_score(conn, "post_score", int(post["creator_id"]), -int(post["score"]))
