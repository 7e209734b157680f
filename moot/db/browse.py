"""Reads the web interface needs that the API has no query for yet: whether an admin
exists, a title search over posts, and the communities to pick from."""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row

p, c = m.post.c, m.community.c


async def has_admin(conn: Connection) -> bool:
    found = await conn.scalar(sa.select(m.local_user.c.id).where(m.local_user.c.admin).limit(1))
    return found is not None


async def admins(conn: Connection) -> list[Row]:
    return await conn.fetch_all(
        sa.select(m.person)
        .join(m.local_user, m.local_user.c.person_id == m.person.c.id)
        .where(m.local_user.c.admin, ~m.person.c.deleted)
        .order_by(m.local_user.c.id)
    )


def _like_pattern(words: str) -> str:
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_post_titles(
    conn: Connection, words: str, *, show_nsfw: bool, page: int, limit: int
) -> list[Row]:
    """Visible posts whose title contains `words` (any case), newest first.

    A substring match cannot use an index; it scans posts newest first and stops after the
    page, which is fine at a community's size and is what a full-text index will replace.
    """
    query = (
        sa.select(m.post)
        .join(m.community, c.id == p.community_id)
        .where(
            sa.func.lower(p.name).like(_like_pattern(words), escape="\\"),
            ~p.deleted,
            ~p.removed,
            ~c.deleted,
            ~c.removed,
            ~c.hidden,
        )
    )
    if not show_nsfw:
        query = query.where(~p.nsfw, ~c.nsfw)
    query = query.order_by(p.published.desc(), p.id.desc())
    return await conn.fetch_all(query.limit(limit).offset(limit * (page - 1)))


async def communities_by_size(conn: Connection, *, show_nsfw: bool, limit: int) -> list[Row]:
    """Communities people can post in, the largest first."""
    query = sa.select(m.community).where(~c.deleted, ~c.removed)
    if not show_nsfw:
        query = query.where(~c.nsfw)
    return await conn.fetch_all(query.order_by(c.subscribers.desc(), c.id.desc()).limit(limit))
