"""The site state's generation number (moot/actions/site_state.py): how several
`moot serve` processes on one database learn that one of them changed the site. In Redis,
read on every request; without Redis, in the database, read at most once a second."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from moot.db import generations
from moot.db.engine import Database
from moot.shared_limits import generation_key

log = logging.getLogger("moot.shared_site")

# How stale the site's settings may be in another process than the one that changed them
# (without Redis): a statement a second per process instead of one per request.
DATABASE_CHECK_SECONDS = 1.0


class RedisSiteGeneration:
    def __init__(self, redis: Redis, hostname: str) -> None:
        self._redis = redis
        self._key = generation_key(hostname)

    async def read(self) -> int | None:
        try:
            value = await self._redis.get(self._key)
        except RedisError as exc:
            log.debug("site generation unreadable (%s): the site is read afresh", exc)
            return None
        return int(value or 0)

    async def bump(self) -> None:
        try:
            await self._redis.incr(self._key)
        except RedisError as exc:
            # The others keep their state until Redis answers again and the next change.
            log.error("the site changed, and Redis could not tell the other processes: %s", exc)


class DatabaseSiteGeneration:
    """The number in the `generation` table, as read at most DATABASE_CHECK_SECONDS ago.
    A bump is committed after the change it announces (it runs once that transaction has
    ended), so a process that sees the new number reads the changed site."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._clock = clock
        self._value = 0
        self._read_at: float | None = None

    async def read(self) -> int | None:
        now = self._clock()
        if self._read_at is None or now - self._read_at >= DATABASE_CHECK_SECONDS:
            async with self._db.connection() as conn:
                self._value = await generations.read(conn, "site")
            self._read_at = now
        return self._value

    async def bump(self) -> None:
        async with self._db.connection() as conn:
            await generations.bump(conn, "site")
        self._read_at = None  # this process reads the new number at once
