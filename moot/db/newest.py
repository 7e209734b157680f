"""The newest ids of what a live stream shows (moot/live_watch.py), and what moved between
two readings of them. The newest ids are maxima of primary keys, which both databases read
from the end of the key's index; what moved is read from a range of those keys as short as
one period's writes. So each costs the same however large the tables grow."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection
from moot.db.prepared import Prepared

# The three kinds of notice a member's inbox counts.
_NOTICES = (m.comment_reply, m.person_mention, m.private_message)
_TABLES = (m.comment, *_NOTICES)

# Kept compiled (moot/db/prepared.py): they run every period in every process, and are
# built by no request.
_NEWEST = Prepared(
    lambda dialect, variant: sa.select(
        *(sa.select(sa.func.max(t.c.id)).scalar_subquery().label(t.name) for t in _TABLES)
    )
)


def _between(table: sa.Table, n: int) -> sa.ColumnElement[bool]:
    low = sa.bindparam(f"low{n}", type_=sa.Integer)
    high = sa.bindparam(f"high{n}", type_=sa.Integer)
    return sa.and_(table.c.id > low, table.c.id <= high)


_COMMENTED = Prepared(
    lambda dialect, variant: (
        sa.select(m.comment.c.post_id, sa.func.max(m.comment.c.id).label("newest"))
        .where(_between(m.comment, 0))
        .group_by(m.comment.c.post_id)
    )
)
# An empty range costs one look into its key's index.
_NOTICED = Prepared(
    lambda dialect, variant: sa.union(
        *(sa.select(t.c.recipient_id).where(_between(t, n)) for n, t in enumerate(_NOTICES))
    )
)


class Newest(NamedTuple):
    comment: int
    notice: tuple[int, int, int]  # the newest reply, mention and private message


async def newest(conn: Connection) -> Newest:
    row = (await conn.run(_NEWEST, {}))[0]
    comment, reply, mention, message = (int(row[t.name] or 0) for t in _TABLES)
    return Newest(comment, (reply, mention, message))


async def commented_between(conn: Connection, before: Newest, after: Newest) -> dict[int, int]:
    """The posts commented on between two readings, with each one's newest comment."""
    if after.comment <= before.comment:
        return {}
    rows = await conn.run(_COMMENTED, {"low0": before.comment, "high0": after.comment})
    return {int(r["post_id"]): int(r["newest"]) for r in rows}


async def noticed_between(conn: Connection, before: Newest, after: Newest) -> set[int]:
    """The people with a new reply, mention or private message between two readings."""
    if after.notice == before.notice:
        return set()
    params = {f"low{n}": low for n, low in enumerate(before.notice)}
    params.update({f"high{n}": high for n, high in enumerate(after.notice)})
    return {int(r["recipient_id"]) for r in await conn.run(_NOTICED, params)}
