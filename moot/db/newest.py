"""The newest ids of what a live stream shows (moot/live_watch.py): comments, and the three
kinds of notice a member's inbox counts. Each is the maximum of a primary key, which both
databases read from the end of the key's index, so one statement costs the same however
large the tables grow."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection


class Newest(NamedTuple):
    comment: int
    notice: tuple[int, int, int]  # the newest reply, mention and private message

    @classmethod
    def nothing(cls) -> Newest:
        return cls(0, (0, 0, 0))


_TABLES = (m.comment, m.comment_reply, m.person_mention, m.private_message)
_NEWEST = sa.select(
    *(sa.select(sa.func.max(t.c.id)).scalar_subquery().label(t.name) for t in _TABLES)
)


async def newest(conn: Connection) -> Newest:
    row = await conn.fetch_one(_NEWEST)
    comment, reply, mention, message = (int((row or {}).get(t.name) or 0) for t in _TABLES)
    return Newest(comment, (reply, mention, message))
