"""Token buckets in PostgreSQL: moot/ratelimit.py's arithmetic, one statement per check.

For several processes on one database without Redis (moot/db_limits.py). A check is one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` over the request's buckets: a new bucket is
inserted full less the token taken; an existing one is refilled and gives a token only when
it has one (the `WHERE` of the update), so a bucket without a token is left as it is and
not returned. PostgreSQL runs the update on the row's latest version under its row lock:
two processes taking the last token at once wait for each other, and the second finds none.

Not refilling an empty bucket loses nothing: the refill is computed from `last_checked`
and the carried `credit`, and one step over the whole time gives what several steps would.
The clock is the database's, whole seconds, so every process counts on the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert

from moot.db import models as m
from moot.db.engine import Connection

__all__ = ["Group", "forget", "purge", "refund", "take"]

B = m.rate_limit_bucket

# (bucket, client, capacity, interval in seconds); capacity ≥ 1, interval ≥ 1.
Group = tuple[str, str, int, int]


def _now() -> sa.ColumnElement[int]:
    return sa.cast(sa.func.floor(sa.extract("epoch", sa.func.statement_timestamp())), sa.BigInteger)


def _take_statement() -> sa.Insert:
    now = _now()
    # The groups as arrays, unnested: one statement for any number of them, built once
    # (building it and its cache key cost more Python time than the round trip).
    kinds: tuple[Any, ...] = (ARRAY(sa.Text), ARRAY(sa.Text), ARRAY(sa.Integer), ARRAY(sa.Integer))
    arrays = [sa.bindparam(f"g{i}", type_=kind) for i, kind in enumerate(kinds)]
    given = (
        sa.func.unnest(*arrays)
        .table_valued(
            sa.column("bucket", sa.Text),
            sa.column("client", sa.Text),
            sa.column("capacity", sa.Integer),
            sa.column("interval_seconds", sa.Integer),
        )
        .render_derived("given")
    )
    new_bucket = sa.select(
        given.c.bucket,
        given.c.client,
        given.c.capacity,
        given.c.interval_seconds,
        given.c.capacity - 1,
        sa.literal(0, sa.BigInteger),
        now,
    )
    stmt = insert(B).from_select(
        ["bucket", "client", "capacity", "interval_seconds", "tokens", "credit", "last_checked"],
        new_bucket,
    )
    # The refill of moot/ratelimit.py's `_Bucket.refill`, on the stored row.
    earned = sa.func.greatest(0, now - B.c.last_checked) * B.c.capacity + B.c.credit
    refilled = B.c.tokens + earned // B.c.interval_seconds
    full = refilled >= B.c.capacity
    return stmt.on_conflict_do_update(
        index_elements=[B.c.bucket, B.c.client],
        set_={
            "tokens": sa.func.least(refilled, B.c.capacity) - 1,
            "credit": sa.case((full, 0), else_=earned % B.c.interval_seconds),
            "last_checked": now,
        },
        where=sa.func.least(refilled, B.c.capacity) >= 1,
    ).returning(B.c.bucket, B.c.client, B.c.tokens)


_TAKE = _take_statement()


async def take(conn: Connection, groups: Sequence[Group]) -> dict[tuple[str, str], int]:
    """A token from each of `groups` that has one: the (bucket, client) of each that gave
    one, with the tokens it has left. The caller refunds them if any group gave none."""
    params = {f"g{i}": [group[i] for group in groups] for i in range(4)}
    rows = await conn.fetch_all(_TAKE, params)
    return {(row["bucket"], row["client"]): int(row["tokens"]) for row in rows}


async def refund(conn: Connection, taken: Sequence[tuple[str, str]]) -> None:
    """Give back the tokens of a request refused by another of its groups, so that a
    client refused at its /64 does not drain the /56 and /48 it shares with neighbours."""
    # Rows locked in the order `take` locks them (its groups go from the widest, whose
    # client sorts first), so a refund and a check that meet cannot deadlock.
    key = sa.tuple_(B.c.bucket, B.c.client)
    locked = sa.select(B.c.bucket, B.c.client).where(key.in_(taken)).order_by(B.c.client)
    await conn.execute(
        sa.update(B)
        .where(key.in_(locked.with_for_update()))
        .values(tokens=sa.func.least(B.c.tokens + 1, B.c.capacity))
    )


async def forget(conn: Connection, bucket: str, client: str) -> None:
    """Start `client`'s bucket afresh (full)."""
    await conn.execute(sa.delete(B).where(B.c.bucket == bucket, B.c.client == client))


async def purge(conn: Connection) -> int:
    """Drop the buckets that are full again by now: a new one would be the same. A bucket
    refills completely within its interval. Returns how many were dropped."""
    return await conn.execute(sa.delete(B).where(B.c.last_checked + B.c.interval_seconds <= _now()))
