"""The site state's generation number in Redis (moot/actions/site_state.py): how several
`moot serve` processes on one database learn that one of them changed the site."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from moot.shared_limits import generation_key

log = logging.getLogger("moot.shared_site")


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
