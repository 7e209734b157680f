"""Rate limits and failed-login counts shared by every process, in Redis (MOOT_REDIS_URL).

Several `moot serve` processes behind one proxy each see part of a client's requests; with
limits in each process's memory a client would get N times its share. Here each check is
one Lua script run atomically in Redis, with Redis's clock, so the same token-bucket
arithmetic as moot/ratelimit.py holds across processes and machines. A bucket's key names
its capacity and interval: when an admin changes a limit, clients start on fresh buckets,
as they do in memory. Keys expire once they would be full again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from moot.errors import ApiError, ErrorCode
from moot.login_throttle import LoginThrottle
from moot.ratelimit import BucketConfig, RateLimitBucket, RateLimiter

__all__ = ["RedisLoginThrottle", "RedisRateLimiter", "generation_key", "prefix"]

log = logging.getLogger("moot.security")

# KEYS: the site's generation (moot/shared_site.py), then one bucket per address group.
# ARGV: capacity and interval of each bucket, in KEYS order. Every bucket is refilled; a
# token is taken from each only if each has one. Returns that, and the site's generation:
# the limits are the site's settings, which another process may have changed.
_TAKE = """
local now = tonumber(redis.call('TIME')[1])
local states = {}
local allowed = 1
local buckets = {}
for i = 2, #KEYS do buckets[i - 1] = KEYS[i] end
for i, key in ipairs(buckets) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local interval = tonumber(ARGV[2 * i])
  local saved = redis.call('HMGET', key, 'tokens', 'credit', 'last')
  local tokens, credit, last = capacity, 0, now
  if saved[1] then
    tokens, credit, last = tonumber(saved[1]), tonumber(saved[2]), tonumber(saved[3])
  end
  local earned = math.max(0, now - last) * capacity + credit
  tokens = tokens + math.floor(earned / interval)
  credit = earned % interval
  if tokens >= capacity then tokens, credit = capacity, 0 end
  if tokens < 1 then allowed = 0 end
  states[i] = {tokens, credit, interval}
end
for i, key in ipairs(buckets) do
  local tokens = states[i][1] - allowed
  redis.call('HSET', key, 'tokens', tokens, 'credit', states[i][2], 'last', now)
  redis.call('EXPIRE', key, states[i][3] + 1)
end
return {allowed, tonumber(redis.call('GET', KEYS[1]) or 0)}
"""


_last_warning = 0.0


def _unreachable(exc: RedisError) -> None:
    """Say so, once a minute at most: every request would."""
    global _last_warning
    if time.monotonic() - _last_warning > 60:
        _last_warning = time.monotonic()
        log.error("Redis is unreachable (%s): each process limits on its own meanwhile", exc)


def prefix(hostname: str) -> str:
    """Keys of one instance: several may share a Redis server."""
    return f"moot:{hostname}:"


def generation_key(hostname: str) -> str:
    """Where the site's generation is counted (moot/shared_site.py)."""
    return f"{prefix(hostname)}site_generation"


Limits = Mapping[RateLimitBucket, BucketConfig]


class RedisRateLimiter(RateLimiter):
    """`reload` reads the site's limits afresh: called when the site's generation moved,
    so a limit an admin changed through another process holds here from the next request."""

    def __init__(
        self, redis: Redis, hostname: str, reload: Callable[[], Awaitable[Limits]]
    ) -> None:
        super().__init__({})
        self._prefix = prefix(hostname)
        self._generation_key = generation_key(hostname)
        self._generation: int | None = None
        self._reload = reload
        self._take: Any = redis.register_script(_TAKE)

    async def take(self, bucket: RateLimitBucket, ip: str) -> bool:
        groups = self.shaped_groups(bucket, ip)
        keys = [
            f"{self._prefix}rate:{name}:{capacity}:{interval}"
            for name, capacity, interval in groups
        ]
        limits = [number for _, capacity, interval in groups for number in (capacity, interval)]
        try:
            allowed, generation = await self._take(keys=[self._generation_key, *keys], args=limits)
        except RedisError as exc:
            # Serving goes on: this process counts on its own until Redis is back.
            _unreachable(exc)
            return self.check(bucket, ip)
        if generation != self._generation:
            # Counted again under the limits as they are now (the token just taken was
            # from the old limits' bucket, which nobody uses any more).
            self._generation = generation
            self.set_limits(await self._reload())
            return await self.take(bucket, ip)
        return bool(allowed)

    def collect_garbage(self) -> int:
        return 0  # the keys expire in Redis


# KEYS: the account's failures (a sorted set of times). ARGV: limit, window in seconds.
# Counts this attempt as a failure unless the account already has `limit` recent ones.
_ATTEMPT = """
local now = redis.call('TIME')
local at = tonumber(now[1]) + tonumber(now[2]) / 1e6
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - window)
local recent = redis.call('ZCARD', KEYS[1])
if recent >= limit then return -1 end
local member = redis.call('INCR', KEYS[1] .. ':n')
redis.call('ZADD', KEYS[1], at, member)
redis.call('EXPIRE', KEYS[1], math.ceil(window))
redis.call('EXPIRE', KEYS[1] .. ':n', math.ceil(window))
return recent + 1
"""


class RedisLoginThrottle(LoginThrottle):
    def __init__(self, redis: Redis, hostname: str, limit: int = 10, window: float = 900.0) -> None:
        super().__init__(limit, window)
        self._redis = redis
        self._prefix = prefix(hostname)
        self._attempt: Any = redis.register_script(_ATTEMPT)

    async def attempt(self, account: str, ip: str | None) -> None:
        try:
            recent = int(
                await self._attempt(keys=[self._key(account)], args=[self.limit, self.window])
            )
        except RedisError as exc:
            _unreachable(exc)
            return await super().attempt(account, ip)
        if recent < 0:
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR)
        if recent == self.limit:
            self.log_throttled(account, ip)

    async def succeeded(self, account: str) -> None:
        key = self._key(account)
        await super().succeeded(account)
        try:
            await self._redis.delete(key, f"{key}:n")
        except RedisError as exc:
            _unreachable(exc)

    def _key(self, account: str) -> str:
        return f"{self._prefix}login:{account}"
