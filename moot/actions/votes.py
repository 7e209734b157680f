"""Votes on posts and comments: 1, -1, or anything else to take the vote back."""

from __future__ import annotations

import sqlalchemy as sa

from moot import auth
from moot.actions import counters
from moot.actions.communities import is_banned_from
from moot.actions.lookups import get_comment, get_post
from moot.actions.reading import mark_read
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode


def _deltas(old: int, new: int) -> dict[str, int]:
    """How score, upvotes and downvotes move when a vote goes from `old` to `new` (0 = none)."""
    return {
        "score": new - old,
        "upvotes": (new == 1) - (old == 1),
        "downvotes": (new == -1) - (old == -1),
    }


async def _check_allowed(conn: Connection, viewer: auth.Viewer, score: int) -> int:
    if viewer.person["bot_account"]:
        raise ApiError(ErrorCode.INVALID_BOT_ACTION)
    if score == -1:
        _, local = await load_site(conn)
        if not local["enable_downvotes"]:
            raise ApiError(ErrorCode.DOWNVOTES_ARE_DISABLED)
    return score if score in (1, -1) else 0


async def vote_post(conn: Connection, viewer: auth.Viewer, post_id: int, score: int) -> None:
    new = await _check_allowed(conn, viewer, score)
    post = await get_post(conn, post_id)
    if await is_banned_from(conn, int(post["community_id"]), viewer.person_id):
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    t = m.post_like
    where = (t.c.post_id == post_id, t.c.person_id == viewer.person_id)
    old = int(await conn.scalar(sa.select(t.c.score).where(*where)) or 0)
    if old == new:
        return
    await conn.execute(sa.delete(t).where(*where))
    if new:
        await conn.execute(
            sa.insert(t).values(
                post_id=post_id, person_id=viewer.person_id, score=new, published=utcnow()
            )
        )
    d = _deltas(old, new)
    p = m.post.c
    await conn.execute(
        sa.update(m.post)
        .where(p.id == post_id)
        .values(
            score=p.score + d["score"],
            upvotes=p.upvotes + d["upvotes"],
            downvotes=p.downvotes + d["downvotes"],
        )
    )
    await conn.execute(
        sa.update(m.person)
        .where(m.person.c.id == post["creator_id"])
        .values(post_score=m.person.c.post_score + d["score"])
    )
    await counters.refresh_post_ranks(conn, post_id)
    # Voting on a post counts as reading it, as in Lemmy.
    await mark_read(conn, viewer, [post_id], True)


async def vote_comment(conn: Connection, viewer: auth.Viewer, comment_id: int, score: int) -> None:
    new = await _check_allowed(conn, viewer, score)
    comment = await get_comment(conn, comment_id)
    post = await get_post(conn, int(comment["post_id"]))
    if await is_banned_from(conn, int(post["community_id"]), viewer.person_id):
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    t = m.comment_like
    where = (t.c.comment_id == comment_id, t.c.person_id == viewer.person_id)
    old = int(await conn.scalar(sa.select(t.c.score).where(*where)) or 0)
    if old == new:
        return
    await conn.execute(sa.delete(t).where(*where))
    if new:
        await conn.execute(
            sa.insert(t).values(
                comment_id=comment_id,
                post_id=post["id"],
                person_id=viewer.person_id,
                score=new,
                published=utcnow(),
            )
        )
    d = _deltas(old, new)
    c = m.comment.c
    await conn.execute(
        sa.update(m.comment)
        .where(c.id == comment_id)
        .values(
            score=c.score + d["score"],
            upvotes=c.upvotes + d["upvotes"],
            downvotes=c.downvotes + d["downvotes"],
        )
    )
    await conn.execute(
        sa.update(m.person)
        .where(m.person.c.id == comment["creator_id"])
        .values(comment_score=m.person.c.comment_score + d["score"])
    )
    await counters.refresh_comment_ranks(conn, comment_id)
