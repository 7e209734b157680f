"""`GET /health`: is this process ready to answer (its database, Redis and picture store
reachable)? It also says how the read replica is (ok, lagging, unreachable), which does not
make the process unready. `GET /health/live`: is it running at all? For load balancers and service
managers; neither touches the site's data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from litestar import get
from litestar.response import Response

from moot.request_context import AnyRequest, state
from moot.state import Moot

log = logging.getLogger("moot.health")

CHECK_SECONDS = 3.0
# A name no picture has (names are random): the store answers "not found", or fails.
_PROBE_PICTURE = "moot-health-probe.png"


async def _database(moot: Moot) -> str:
    async with moot.db.connection() as conn:
        await conn.scalar(sa.select(sa.literal(1)))
    return "ok"


async def _redis(moot: Moot) -> str:
    if moot.redis is None:
        return "not configured"
    await moot.redis.ping()
    return "ok"


async def _replica(moot: Moot) -> str:
    """What the replica's watcher last found (no query here). Not a failure of this
    process: while the replica is behind or away, its reads go to the primary."""
    return "not configured" if moot.replica is None else moot.replica.status()


async def _storage(moot: Moot) -> str:
    await moot.media.get(_PROBE_PICTURE)
    return "ok"


_CHECKS: dict[str, Callable[[Moot], Awaitable[str]]] = {
    "database": _database,
    "redis": _redis,
    "storage": _storage,
    "replica": _replica,
}


async def _outcome(name: str, check: Callable[[Moot], Awaitable[str]], moot: Moot) -> str:
    try:
        return await asyncio.wait_for(check(moot), CHECK_SECONDS)
    except Exception as exc:
        log.warning("health: %s is not ready: %s", name, exc or type(exc).__name__)
        return "unavailable"


@get("/health", media_type="application/json")
async def health(request: AnyRequest) -> Response[dict[str, Any]]:
    moot = state(request)
    outcomes = await asyncio.gather(*(_outcome(n, c, moot) for n, c in _CHECKS.items()))
    checks = dict(zip(_CHECKS, outcomes, strict=True))
    ready = "unavailable" not in outcomes
    return Response(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


@get("/health/live", media_type="application/json")
async def live() -> dict[str, str]:
    return {"status": "ok"}


HANDLERS = [health, live]
