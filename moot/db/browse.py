"""Reads the web interface needs that the API has no query for yet: whether an admin
exists, and the communities to pick from."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared

c = m.community.c


_ANY_ADMIN = Prepared(
    lambda dialect, variant: sa.select(m.local_user.c.id).where(m.local_user.c.admin).limit(1)
)


_HAS_ADMIN = "has_admin"


async def has_admin(conn: Connection) -> bool:
    """Whether the instance has an admin yet (else its pages send visitors to /setup). Once
    it has, the process keeps that (`conn.cache`): the front page asks on every visit, and
    an instance keeps its admin (with none left, /setup is back after a restart)."""
    if conn.cache.get(_HAS_ADMIN):
        return True
    found = bool(await conn.run(_ANY_ADMIN, {}))
    if found:
        conn.cache[_HAS_ADMIN] = True
    return found


async def admins(conn: Connection) -> list[Row]:
    return await conn.fetch_all(
        sa.select(m.person)
        .join(m.local_user, m.local_user.c.person_id == m.person.c.id)
        .where(m.local_user.c.admin, ~m.person.c.deleted)
        .order_by(m.local_user.c.id)
    )


def _by_size(dialect: str, show_nsfw: bool) -> sa.Select[Any]:
    shown = [column for column in m.community.c if column.name not in _KEYS]
    query = sa.select(*shown).where(~c.deleted, ~c.removed)
    if not show_nsfw:
        query = query.where(~c.nsfw)
    limit = sa.bindparam("limit", type_=sa.Integer)
    return query.order_by(c.subscribers.desc(), c.id.desc()).limit(limit)


_BY_SIZE = Prepared(_by_size)
_KEYS = ("private_key", "public_key")


async def communities_by_size(conn: Connection, *, show_nsfw: bool, limit: int) -> list[Row]:
    """Communities people can post in, the largest first (without their keys)."""
    return await conn.run(_BY_SIZE, {"limit": limit}, show_nsfw)
