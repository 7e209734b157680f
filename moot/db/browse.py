"""Reads the web interface needs that the API has no query for yet: whether an admin
exists, and the communities to pick from."""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row

c = m.community.c


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


async def communities_by_size(conn: Connection, *, show_nsfw: bool, limit: int) -> list[Row]:
    """Communities people can post in, the largest first."""
    query = sa.select(m.community).where(~c.deleted, ~c.removed)
    if not show_nsfw:
        query = query.where(~c.nsfw)
    return await conn.fetch_all(query.order_by(c.subscribers.desc(), c.id.desc()).limit(limit))
