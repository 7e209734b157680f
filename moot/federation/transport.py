"""The HTTP client federation uses, and test mode's host map.

Every connection goes through `moot.outbound.checked_transport`: resolved once, private and
special addresses refused (outside test mode), connected to the address checked.

Lemmy tells instances apart by host name without the port, so loopback test instances need
names (moot-alpha, moot-beta, …). With MOOT_FEDERATION_TEST_MODE=1 and
MOOT_FEDERATION_TEST_HOSTS those names resolve to the given addresses (the URL, Host header
and SNI keep the name), so no /etc/hosts entry is needed.
"""

from __future__ import annotations

import asyncio

import httpx

from moot import __version__
from moot.config import Settings
from moot.outbound import checked_transport


def parse_host_map(value: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {name.strip().lower(): address.strip() for name, address in pairs}


def user_agent(settings: Settings) -> str:
    return f"moot/{__version__} (Lemmy/0.19; +{settings.origin})"


def make_client(
    settings: Settings, *, connections: int = 100, timeout: float = 10.0
) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    test_mode = settings.federation_test_mode
    host_map = parse_host_map(settings.federation_test_hosts) if test_mode else {}
    transport = checked_transport(allow_private=test_mode, host_map=host_map, limits=limits)
    return httpx.AsyncClient(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        headers={"User-Agent": user_agent(settings)},
        timeout=httpx.Timeout(timeout),
    )


class DeliveryClient:
    """Several small httpx pools instead of one large one.

    Measured here (bench/slow_peer.py, 500 ms peer): one pool of 100 connections delivered
    31 requests/s, eight pools of 16 delivered 178/s: httpcore's pool bookkeeping grows
    with the connections and waiting requests it holds. Each pool is kept at or below its
    size, so no request waits inside httpx.
    """

    SHARD = 16

    def __init__(self, settings: Settings, connections: int, timeout: float) -> None:
        shards = max(1, -(-connections // self.SHARD))
        self._clients = [
            make_client(settings, connections=self.SHARD, timeout=timeout) for _ in range(shards)
        ]
        self._free = [asyncio.Semaphore(self.SHARD) for _ in range(shards)]

    async def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
        # The pool with the most free connections (Semaphore exposes no public count).
        index = max(range(len(self._free)), key=lambda i: self._free[i]._value)
        async with self._free[index]:
            return await self._clients[index].post(url, content=content, headers=headers)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()
