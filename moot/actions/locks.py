"""The one order in which a write transaction takes row locks.

PostgreSQL holds a row lock to the end of the transaction. Two transactions that take the
same two rows in opposite orders wait for each other forever (PostgreSQL breaks the tie by
failing one: a deadlock). Every write therefore takes its rows in this order:

    comment (by id) → post (by id) → community (by id) → person (by id) → local_site

— the row acted on before what summarises it (a comment's counters live on its ancestors,
its post, its community, its creator and the site, in that order), and rows of one table by
ascending id. An action that touches one item follows the order by writing its statements in
it (moot/actions/counters.py); an action that touches many (a purge, a ban that takes
content down) first locks every row it will change here, in the order, before changing any.

Rows that only one person writes (their votes, saves, read marks, follows, blocks) are not
part of the order: an upsert on their natural key is the whole of their concurrency story.
A member's own `local_user` row is locked only by their settings and filters (after their
person row, which a settings save writes first): it orders two saves of the member's
keyword list or instance-person blocks (moot/actions/keyword_blocks.py, instance_blocks.py).
SQLite has one writer at a time, so there is nothing to order there and these are no-ops.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import PATH_WIDTH
from moot.db.prepared import Prepared

_ORDER = (m.comment, m.post, m.community, m.person)


async def lock_rows(
    conn: Connection,
    *,
    comments: Iterable[int] = (),
    posts: Iterable[int] = (),
    communities: Iterable[int] = (),
    persons: Iterable[int] = (),
    for_delete: bool = False,
) -> None:
    """Lock these rows in the order, ahead of changing them. `for_delete`: they are about to
    be deleted (a stronger lock, which also waits for inserts that refer to them)."""
    if conn.dialect_name == "sqlite":
        return
    for table, ids in zip(_ORDER, (comments, posts, communities, persons), strict=True):
        wanted = sorted(set(ids))
        if wanted:
            await conn.fetch_all(
                sa.select(table.c.id)
                .where(table.c.id.in_(wanted))
                .order_by(table.c.id)
                .with_for_update(key_share=not for_delete)
            )


async def lock_thread(conn: Connection, parent_id: int) -> list[Row]:
    """`lock_rows` of a comment and its ancestors (a reply's thread), in one statement
    that returns them as they are once locked (one purged meanwhile is missing): their
    ids are the segments of the comment's path (moot/db/paths.py), read in the
    statement's snapshot. PostgreSQL only: on SQLite a transaction's first reading is
    already its last word."""
    return await conn.run(_THREAD, {"parent_id": parent_id})


def _thread_statement(dialect: str, variant: None) -> sa.Select[Any]:
    """`lock_thread`'s statement, built once: the comment's id is its parameter."""
    t, replied = m.comment, m.comment.alias("replied")
    last = sa.func.length(replied.c.path, type_=sa.Integer) // PATH_WIDTH - 1
    at = sa.func.generate_series(0, last, type_=sa.Integer).column_valued("k")
    ids = sa.select(
        sa.cast(sa.func.substr(replied.c.path, 1 + PATH_WIDTH * at, PATH_WIDTH), sa.Integer)
    ).where(replied.c.id == sa.bindparam("parent_id", type_=sa.Integer))
    return sa.select(t).where(t.c.id.in_(ids)).order_by(t.c.id).with_for_update(key_share=True)


_THREAD = Prepared(_thread_statement)


async def lock_site(conn: Connection) -> None:
    """Lock the local site's row, last in the order: for a transaction that decides on the
    site's state (the first account becomes the admin) and changes no other counted row
    after it. Every registration takes it first, so registrations take turns; they all
    move its user count anyway, so none waits longer than it did."""
    if conn.dialect_name == "sqlite":
        return
    await conn.fetch_all(sa.select(m.local_site.c.id).with_for_update(key_share=True))
