"""What a rate-limit check costs in memory, in PostgreSQL (moot/db_limits.py) and in Redis
(moot/shared_limits.py): checks one after another from one process, each from its own
address (IPv4: one bucket), and as many from one IPv6 /64 (three buckets). Reports the
wall time and this process's CPU time per check; the database's or Redis's own CPU is not
in the second number (on this machine they share the two cores).

    .venv/bin/python -m bench.rate_limit_cost --checks 3000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from moot.db_limits import DatabaseRateLimiter
from moot.ratelimit import DEFAULT_LIMITS, RateLimitBucket, RateLimiter
from moot.shared_limits import RedisRateLimiter
from tests.servers import migrated_database

MESSAGE = RateLimitBucket.MESSAGE  # what most API requests take a token from


async def _measure(name: str, checks: int, take: Callable[[int], Awaitable[bool]]) -> None:
    for n in range(200):  # warm: statements prepared, connections open
        await take(-n - 1)
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(checks):
        await take(n)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{name:34} {wall / checks * 1e6:8.1f} µs wall {cpu / checks * 1e6:8.1f} µs CPU")


def _ipv4(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _ipv6(n: int) -> str:
    return f"2001:db8:{(n >> 16) & 0xFFFF:x}:{n & 0xFFFF:x}::1"


async def main(checks: int) -> None:
    memory = RateLimiter(DEFAULT_LIMITS)
    await _measure("memory, IPv4", checks, lambda n: memory.take(MESSAGE, _ipv4(n)))
    await _measure("memory, IPv6", checks, lambda n: memory.take(MESSAGE, _ipv6(n)))
    async with migrated_database("postgresql") as db:
        database = DatabaseRateLimiter(db)
        await _measure("PostgreSQL, IPv4", checks, lambda n: database.take(MESSAGE, _ipv4(n)))
        await _measure("PostgreSQL, IPv6", checks, lambda n: database.take(MESSAGE, _ipv6(n)))
        await _measure(
            "PostgreSQL, IPv4, one address", checks, lambda n: database.take(MESSAGE, "10.9.9.9")
        )
    redis = Redis.from_url("redis://127.0.0.1:6379/0")

    async def limits() -> dict[RateLimitBucket, object]:
        return {}

    shared = RedisRateLimiter(redis, f"bench-{time.time_ns()}.test", limits)  # type: ignore[arg-type]
    await _measure("Redis, IPv4", checks, lambda n: shared.take(MESSAGE, _ipv4(n)))
    await _measure("Redis, IPv6", checks, lambda n: shared.take(MESSAGE, _ipv6(n)))
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checks", type=int, default=3000)
    asyncio.run(main(parser.parse_args().checks))
