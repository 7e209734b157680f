"""The HTTP client federation uses, and test mode's host map.

Lemmy tells instances apart by host name without the port, so loopback test instances need
names (moot-alpha, moot-beta, …). With MOOT_FEDERATION_TEST_MODE=1 and
MOOT_FEDERATION_TEST_HOSTS the transport sends requests for those names to the given
addresses, keeping the Host header, so no /etc/hosts entry is needed.
"""

from __future__ import annotations

import httpx

from moot import __version__
from moot.config import Settings


def parse_host_map(value: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {name.strip().lower(): address.strip() for name, address in pairs}


class MappedHosts(httpx.AsyncBaseTransport):
    def __init__(self, hosts: dict[str, str], inner: httpx.AsyncBaseTransport) -> None:
        self._hosts = hosts
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        address = self._hosts.get(request.url.host.lower())
        if address is not None:
            # The Host header was set from the original URL and stays as it is.
            request.url = request.url.copy_with(host=address)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def user_agent(settings: Settings) -> str:
    return f"moot/{__version__} (Lemmy/0.19; +{settings.origin})"


def make_client(settings: Settings, *, connections: int = 100) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    transport: httpx.AsyncBaseTransport = httpx.AsyncHTTPTransport(limits=limits)
    if settings.federation_test_mode and settings.federation_test_hosts:
        transport = MappedHosts(parse_host_map(settings.federation_test_hosts), transport)
    return httpx.AsyncClient(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        headers={"User-Agent": user_agent(settings)},
        timeout=httpx.Timeout(10.0),
    )
