"""Connections to hosts someone else named (link previews, proxied pictures, federation).

A host name is resolved once per connection, every address it resolves to is checked, and
the connection goes to exactly an address that was checked. Checking first and letting the
HTTP library resolve again would let a DNS server answer a public address to the check and
a private one to the connect (DNS rebinding). The check lives in the network backend of the
httpx transport, so it covers every connection the client opens: each redirect hop, each
retry, each delivery. The URL keeps its host name, so the Host header, TLS SNI and the
certificate check are the name's, and pooled connections are keyed by it.

In federation test mode loopback instances are allowed, and MOOT_FEDERATION_TEST_HOSTS
names resolve to their configured addresses without DNS.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Mapping
from typing import Final

import httpcore
import httpx

__all__ = ["ForbiddenAddress", "checked_transport", "is_forbidden_address"]

_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


class ForbiddenAddress(httpcore.ConnectError):
    """The host resolved to an address moot does not connect to. httpx raises it as the
    `__cause__` of an `httpx.ConnectError`."""


def is_forbidden_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True if `address` is not a public unicast address we are willing to connect to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_forbidden_address(embedded)
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def refused(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # not an address we understand: refuse rather than guess
    return is_forbidden_address(parsed)


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses it has checked itself."""

    def __init__(self, *, allow_private: bool, host_map: Mapping[str, str]) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._host_map = dict(host_map)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._addresses(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        failure: Exception | None = None
        for address in addresses:  # in the resolver's order, as a plain connect would
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def _addresses(self, host: str, port: int) -> list[str]:
        mapped = self._host_map.get(host.lower())
        if mapped is not None:
            return [mapped]  # test mode's host map, configured by whoever runs the instance
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError):
            raise httpcore.ConnectError(f"{host} does not resolve") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        # One forbidden address refuses the host: a name that also points inside is hostile.
        if not self._allow_private and any(refused(address) for address in addresses):
            raise ForbiddenAddress(f"{host} resolves to a private or special address")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for outbound requests")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One for every client of the process: loading the certificate authorities takes a
    tenth of a second or more of CPU, and delivery alone builds a dozen clients at start
    (it held up the first request for seconds)."""
    return httpx.create_ssl_context()  # honours SSL_CERT_FILE and SSL_CERT_DIR


class _CheckedTransport(httpx.AsyncHTTPTransport):
    def __init__(
        self, limits: httpx.Limits, allow_private: bool, host_map: Mapping[str, str]
    ) -> None:
        super().__init__(verify=_ssl_context(), limits=limits)
        # httpx takes no network backend, so its pool is rebuilt with ours (same settings
        # as httpx's defaults). The rebinding tests fail if httpx stops using `_pool`.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedBackend(allow_private=allow_private, host_map=host_map),
        )


def checked_transport(
    *,
    allow_private: bool,
    host_map: Mapping[str, str] | None = None,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncBaseTransport:
    """An httpx transport whose every connection goes through `CheckedBackend`."""
    return _CheckedTransport(
        limits or httpx.Limits(max_connections=100, max_keepalive_connections=20),
        allow_private,
        host_map or {},
    )
