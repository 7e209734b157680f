"""Rate limits and failed-login counts shared by several processes through PostgreSQL, when
there is no Redis (MOOT_SEVERAL_PROCESSES, set by `moot serve --processes N`).

The same token buckets as moot/ratelimit.py, kept in the `rate_limit_bucket` table
(moot/db/rate_buckets.py): one statement per limited request. A bucket's name carries its
capacity and interval, so a limit an admin changes starts fresh buckets, as in memory and
in Redis; and the site's generation (moot/shared_site.py) is looked at, at most once a
second, so that a limit changed through another process holds here soon after. Failed
logins are a bucket per account: `limit` tries, refilled over `window`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from moot.db import rate_buckets
from moot.db.engine import Database
from moot.errors import ApiError, ErrorCode
from moot.login_throttle import LoginThrottle
from moot.ratelimit import BucketConfig, RateLimitBucket, RateLimiter
from moot.shared_site import DatabaseSiteGeneration

__all__ = ["DatabaseLoginThrottle", "DatabaseRateLimiter"]


Limits = Mapping[RateLimitBucket, BucketConfig]


class DatabaseRateLimiter(RateLimiter):
    """`reload` reads the site's limits afresh, when `site` says the site changed."""

    def __init__(
        self,
        db: Database,
        site: DatabaseSiteGeneration | None = None,
        reload: Callable[[], Awaitable[Limits]] | None = None,
    ) -> None:
        super().__init__({})
        self._db = db
        self._site = site
        self._reload = reload
        self._generation: int | None = None

    async def take(self, bucket: RateLimitBucket, ip: str) -> bool:
        if self._site is not None and self._reload is not None:
            generation = await self._site.read()
            if generation != self._generation:
                self._generation = generation
                self.set_limits(await self._reload())
        groups: list[rate_buckets.Group] = []
        for name, capacity, interval in self.shaped_groups(bucket, ip):
            if capacity < 1:
                return False  # a limit of 0: nothing to count
            kind, _, client = name.partition(":")
            groups.append((f"{kind}:{capacity}:{interval}", client, capacity, interval))
        async with self._db.connection() as conn:
            taken = await rate_buckets.take(conn, groups)
            if len(taken) == len(groups):
                return True
            if taken:  # an IPv6 client refused by one of its groups only
                await rate_buckets.refund(conn, list(taken))
        return False

    def collect_garbage(self) -> int:
        return 0  # `purge`: the table's rows, for every process

    async def purge(self) -> int:
        async with self._db.connection() as conn:
            return await rate_buckets.purge(conn)


class DatabaseLoginThrottle(LoginThrottle):
    def __init__(self, db: Database, limit: int = 10, window: float = 900.0) -> None:
        super().__init__(limit, window)
        self._db = db
        self._bucket = f"login:{limit}:{int(window)}"

    async def attempt(self, account: str, ip: str | None) -> None:
        group = (self._bucket, account, self.limit, max(1, int(self.window)))
        async with self._db.connection() as conn:
            taken = await rate_buckets.take(conn, [group])
        if not taken:
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR)
        if next(iter(taken.values())) == 0:
            self.log_throttled(account, ip)

    async def succeeded(self, account: str) -> None:
        async with self._db.connection() as conn:
            await rate_buckets.forget(conn, self._bucket, account)
