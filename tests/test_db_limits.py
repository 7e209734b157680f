"""Rate limits and failed-login counts in PostgreSQL (moot/db_limits.py), for several
processes without Redis: parallel checks from two connection pools (two processes) take
exactly the tokens there are; the refill is moot/ratelimit.py's, credit carried; an IPv6
client refused at its /64 leaves its /56 and /48 as they were; one statement per check.
And the site's generation in the database (moot/shared_site.py): another process's
change is seen once this one's second is up, and the limits are read again then.

Time passes by moving a bucket's `last_checked` back: the database's clock is the one used.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from moot.db import models as m
from moot.db import rate_buckets
from moot.db.engine import Database
from moot.db.statement_count import counting
from moot.db_limits import DatabaseLoginThrottle, DatabaseRateLimiter
from moot.errors import ApiError, ErrorCode
from moot.ratelimit import BucketConfig, RateLimitBucket
from moot.shared_site import DatabaseSiteGeneration
from tests.servers import migrated_database

B = m.rate_limit_bucket
POST = RateLimitBucket.POST


@pytest.fixture(scope="module")
async def migrated() -> AsyncIterator[Database]:
    async with migrated_database("postgresql") as database:
        yield database


@pytest.fixture
async def db(migrated: Database) -> Database:
    async with migrated.connection() as conn:
        await conn.execute(sa.delete(B))
        await conn.execute(sa.delete(m.generation))
    return migrated


async def _rows(db: Database) -> dict[str, int]:
    async with db.connection() as conn:
        rows = await conn.fetch_all(sa.select(B.c.client, B.c.tokens))
    return {row["client"]: row["tokens"] for row in rows}


async def _later(db: Database, seconds: int) -> None:
    async with db.connection() as conn:
        await conn.execute(sa.update(B).values(last_checked=B.c.last_checked - seconds))


async def test_parallel_checks_from_two_processes_take_exactly_the_tokens_there_are(
    db: Database,
) -> None:
    other = Database(db.url)  # a second process's pool on the same database
    await other.connect()
    try:
        limiters = [DatabaseRateLimiter(db), DatabaseRateLimiter(other)]
        for limiter in limiters:
            limiter.set_limits({POST: BucketConfig(6, 3600)})
        answers = await asyncio.gather(
            *(limiters[n % 2].take(POST, "198.51.100.7") for n in range(40))
        )
    finally:
        await other.close()
    assert answers.count(True) == 6
    assert await _rows(db) == {"4:32:c6336407": 0}


async def test_parallel_ipv6_checks_refused_at_their_64_give_back_what_they_took(
    db: Database,
) -> None:
    other = Database(db.url)
    await other.connect()
    try:
        limiters = [DatabaseRateLimiter(db), DatabaseRateLimiter(other)]
        for limiter in limiters:
            limiter.set_limits({POST: BucketConfig(1, 3600)})  # /64: 1, /56: 4, /48: 16
        # Ten /64s of one /56, three requests each: most are refused at their /64.
        answers = await asyncio.gather(
            *(limiters[n % 2].take(POST, f"2001:db8:0:{n % 10:x}::1") for n in range(30))
        )
    finally:
        await other.close()
    taken = answers.count(True)
    assert 1 <= taken <= 4
    async with db.connection() as conn:
        wide = await conn.scalar(sa.select(B.c.tokens).where(B.c.client.like("6:56:%")))
    assert wide == 4 - taken  # every refused request's token came back


async def test_the_refill_is_the_in_memory_arithmetic_with_credit_carried(
    db: Database,
) -> None:
    limiter = DatabaseRateLimiter(db)
    limiter.set_limits({POST: BucketConfig(6, 600)})  # a token every 100 s
    assert [await limiter.take(POST, "192.0.2.1") for _ in range(7)] == [True] * 6 + [False]
    await _later(db, 60)
    assert not await limiter.take(POST, "192.0.2.1")  # 0.6 of a token, kept as credit
    await _later(db, 40)
    assert await limiter.take(POST, "192.0.2.1")  # 0.6 + 0.4
    assert not await limiter.take(POST, "192.0.2.1")
    await _later(db, 150)
    assert await limiter.take(POST, "192.0.2.1")  # 1.5: one whole token, half a one kept
    assert not await limiter.take(POST, "192.0.2.1")
    await _later(db, 50)
    assert await limiter.take(POST, "192.0.2.1")  # 0.5 + 0.5
    await _later(db, 10_000)
    assert [await limiter.take(POST, "192.0.2.1") for _ in range(7)] == [True] * 6 + [False]


async def test_an_ipv6_client_refused_at_its_64_leaves_the_wider_groups_as_they_were(
    db: Database,
) -> None:
    limiter = DatabaseRateLimiter(db)
    limiter.set_limits({POST: BucketConfig(2, 3600)})  # /64: 2, /56: 8, /48: 32
    answers = [await limiter.take(POST, "2001:db8:1:100::1") for _ in range(4)]
    assert answers == [True, True, False, False]
    rows = await _rows(db)
    assert sorted(rows.values()) == [0, 6, 30]
    # A neighbour in the same /56 has its own /64.
    assert await limiter.take(POST, "2001:db8:1:101::1")


async def test_one_statement_a_check(db: Database) -> None:
    limiter = DatabaseRateLimiter(db)
    await limiter.take(POST, "192.0.2.2")
    with counting() as seen:
        assert await limiter.take(POST, "192.0.2.2")
        assert await limiter.take(POST, "2001:db8::1")
    assert len(seen) == 2, seen


async def test_a_limit_of_zero_refuses_without_counting(db: Database) -> None:
    limiter = DatabaseRateLimiter(db)
    limiter.set_limits({POST: BucketConfig(0, 600)})
    assert not await limiter.take(POST, "192.0.2.3")
    assert await _rows(db) == {}


async def test_a_changed_limit_starts_fresh_buckets(db: Database) -> None:
    limiter = DatabaseRateLimiter(db)
    limiter.set_limits({POST: BucketConfig(1, 600)})
    assert await limiter.take(POST, "192.0.2.4")
    assert not await limiter.take(POST, "192.0.2.4")
    limiter.set_limits({POST: BucketConfig(2, 600)})
    assert await limiter.take(POST, "192.0.2.4")


async def test_purge_drops_only_buckets_full_again(db: Database) -> None:
    limiter = DatabaseRateLimiter(db)
    limiter.set_limits({POST: BucketConfig(6, 600)})
    await limiter.take(POST, "192.0.2.5")
    assert await limiter.purge() == 0
    await _later(db, 599)
    assert await limiter.purge() == 0
    await _later(db, 1)
    await limiter.take(POST, "192.0.2.6")
    assert await limiter.purge() == 1
    assert list(await _rows(db)) == ["4:32:c0000206"]


async def test_failed_logins_per_account(db: Database) -> None:
    throttle = DatabaseLoginThrottle(db, limit=3, window=900)
    for _ in range(3):
        await throttle.attempt("person 1", "192.0.2.7")
    with pytest.raises(ApiError) as refused:
        await throttle.attempt("person 1", "192.0.2.8")
    assert refused.value.code == ErrorCode.RATE_LIMIT_ERROR
    await throttle.attempt("person 2", "192.0.2.7")  # another account
    await throttle.succeeded("person 1")
    await throttle.attempt("person 1", "192.0.2.7")  # a success forgets the failures


async def test_the_refund_reaches_only_the_groups_that_gave(db: Database) -> None:
    async with db.connection() as conn:
        groups = [("b:1:60", "wide", 4, 60), ("b:1:60", "narrow", 1, 60)]
        assert len(await rate_buckets.take(conn, groups)) == 2
        taken = await rate_buckets.take(conn, groups)
        assert list(taken) == [("b:1:60", "wide")]
        await rate_buckets.refund(conn, list(taken))
    assert await _rows(db) == {"wide": 3, "narrow": 0}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_change_in_another_process_is_seen_within_a_second(db: Database) -> None:
    clock = Clock()
    here, there = DatabaseSiteGeneration(db, clock), DatabaseSiteGeneration(db)
    assert await here.read() == 0
    await there.bump()
    with counting() as seen:
        assert await here.read() == 0  # read 0.5 s ago: no statement
        clock.now += 0.5
        assert await here.read() == 0
    assert seen == []
    clock.now += 0.5
    assert await here.read() == 1
    await here.bump()
    assert await here.read() == 2  # its own change at once


async def test_limits_are_read_again_when_the_site_changed(db: Database) -> None:
    clock = Clock()
    limits = [{POST: BucketConfig(1, 600)}]

    async def reload() -> dict[RateLimitBucket, BucketConfig]:
        return limits[-1]

    site = DatabaseSiteGeneration(db, clock)
    limiter = DatabaseRateLimiter(db, site, reload)
    assert [await limiter.take(POST, "192.0.2.9") for _ in range(2)] == [True, False]
    limits.append({POST: BucketConfig(3, 600)})
    await DatabaseSiteGeneration(db).bump()  # the admin's change, in another process
    assert not await limiter.take(POST, "192.0.2.9")
    clock.now += 1
    answers = [await limiter.take(POST, "192.0.2.9") for _ in range(4)]
    assert answers == [True, True, True, False]
