"""The newest ids of what a live stream shows (moot/live_watch.py), and what moved between
two readings of them. The newest ids are maxima of primary keys, which both databases read
from the end of the key's index; what moved is read from a range of those keys as short as
one period's writes. So each costs the same however large the tables grow."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection

# The three kinds of notice a member's inbox counts.
_NOTICES = (m.comment_reply, m.person_mention, m.private_message)
_TABLES = (m.comment, *_NOTICES)
_NEWEST = sa.select(
    *(sa.select(sa.func.max(t.c.id)).scalar_subquery().label(t.name) for t in _TABLES)
)


class Newest(NamedTuple):
    comment: int
    notice: tuple[int, int, int]  # the newest reply, mention and private message


async def newest(conn: Connection) -> Newest:
    row = await conn.fetch_one(_NEWEST)
    comment, reply, mention, message = (int((row or {}).get(t.name) or 0) for t in _TABLES)
    return Newest(comment, (reply, mention, message))


async def commented_between(conn: Connection, before: Newest, after: Newest) -> dict[int, int]:
    """The posts commented on between two readings, with each one's newest comment."""
    if after.comment <= before.comment:
        return {}
    c = m.comment.c
    rows = await conn.fetch_all(
        sa.select(c.post_id, sa.func.max(c.id).label("newest"))
        .where(c.id > before.comment, c.id <= after.comment)
        .group_by(c.post_id)
    )
    return {int(r["post_id"]): int(r["newest"]) for r in rows}


async def noticed_between(conn: Connection, before: Newest, after: Newest) -> set[int]:
    """The people with a new reply, mention or private message between two readings."""
    ranges = zip(_NOTICES, before.notice, after.notice, strict=True)
    parts = [
        sa.select(t.c.recipient_id).where(t.c.id > low, t.c.id <= high)
        for t, low, high in ranges
        if high > low
    ]
    if not parts:
        return set()
    rows = await conn.fetch_all(sa.union(*parts) if len(parts) > 1 else parts[0])
    return {int(r["recipient_id"]) for r in rows}
