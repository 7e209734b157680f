"""Fetching a URL someone else chose (a link preview, a picture for the image proxy).

Such a fetch is treated as hostile input: only http(s), no private or loopback
destinations (checked against every address the host resolves to, on every redirect hop,
and against the peer actually connected to), a hard deadline for the whole exchange and
at most five redirects. Every failure surfaces as an `ApiError`; callers never see an
httpx or socket exception. What to read from the answer, and how much, is the caller's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import httpx

from moot.errors import ApiError, ErrorCode

__all__ = ["MAX_REDIRECTS", "guarded_get", "is_forbidden_address"]

log = logging.getLogger(__name__)

MAX_REDIRECTS: Final = 5
# What may appear in an (IDNA-encoded) host name or a bracket-less IPv6 literal.
_HOST_CHARS: Final = re.compile(rb"[A-Za-z0-9._\-:]+")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")

T = TypeVar("T")


async def guarded_get(
    url: str,
    client: httpx.AsyncClient,
    read: Callable[[httpx.Response], Awaitable[T]],
    *,
    headers: dict[str, str],
    allow_private_addresses: bool = False,
    total_timeout: float = 10.0,
    connect_timeout: float = 5.0,
    what: str = "page",
) -> T:
    """GET `url`, following redirects, and hand the successful answer (streaming, not yet
    read) to `read`.

    `total_timeout` bounds the whole exchange (every hop, headers and body); `connect_timeout`
    bounds each TCP/TLS connect. Raises `ApiError(INVALID_URL)` for URLs we refuse to fetch
    and `ApiError(UNKNOWN, reason)` for anything that goes wrong on the way; `what` names
    the thing fetched in those reasons.
    """
    target = _parse_target(url)
    per_request = httpx.Timeout(total_timeout, connect=min(connect_timeout, total_timeout))
    try:
        async with asyncio.timeout(total_timeout):
            return await _fetch(
                target, client, read, headers, per_request, allow_private_addresses, what
            )
    except ApiError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise ApiError(ErrorCode.UNKNOWN, f"timed out fetching the {what}") from None
    except httpx.InvalidURL:
        raise ApiError(ErrorCode.INVALID_URL, "the URL could not be parsed") from None
    except httpx.HTTPError as exc:
        raise ApiError(ErrorCode.UNKNOWN, _describe_http_error(exc, what)) from None
    except OSError:
        raise ApiError(ErrorCode.UNKNOWN, "could not connect to the host") from None
    except Exception:
        # Deliberately broad: the contract is "ApiError or nothing", and a parser or codec
        # corner case must not become a 500.
        log.exception("fetching a %s failed unexpectedly for %s", what, target)
        raise ApiError(ErrorCode.UNKNOWN, f"could not fetch the {what}") from None


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


def _parse_target(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ApiError(ErrorCode.INVALID_URL, "the URL could not be parsed") from None
    _check_scheme_and_host(parsed)
    return parsed


def _check_scheme_and_host(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise ApiError(ErrorCode.INVALID_URL, "only http and https URLs can be fetched")
    if not url.raw_host:
        raise ApiError(ErrorCode.INVALID_URL, "the URL has no host")
    if not _HOST_CHARS.fullmatch(url.raw_host):
        raise ApiError(ErrorCode.INVALID_URL, "the URL's host is malformed")


async def _fetch(
    url: httpx.URL,
    client: httpx.AsyncClient,
    read: Callable[[httpx.Response], Awaitable[T]],
    headers: dict[str, str],
    request_timeout: httpx.Timeout,
    allow_private_addresses: bool,
    what: str,
) -> T:
    for _hop in range(MAX_REDIRECTS + 1):
        if not allow_private_addresses:
            await _check_resolved_addresses(url)
        request = client.build_request("GET", url, headers=headers, timeout=request_timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if not allow_private_addresses:
                _check_peer_address(response)
            if response.next_request is not None:
                url = response.next_request.url
                _check_scheme_and_host(url)
                continue
            if not response.is_success:
                raise ApiError(
                    ErrorCode.UNKNOWN, f"the {what} answered HTTP {response.status_code}"
                )
            return await read(response)
        finally:
            await response.aclose()
    raise ApiError(ErrorCode.UNKNOWN, f"more than {MAX_REDIRECTS} redirects")


async def _check_resolved_addresses(url: httpx.URL) -> None:
    host = url.raw_host.decode("ascii")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        if is_forbidden_address(literal):
            raise ApiError(ErrorCode.INVALID_URL, "the URL points at a private address")
        return
    port = url.port or (443 if url.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ApiError(ErrorCode.UNKNOWN, "could not resolve the host") from None
    if not infos:
        raise ApiError(ErrorCode.UNKNOWN, "could not resolve the host")
    for _family, _type, _proto, _canonname, sockaddr in infos:
        if _forbidden_text_address(str(sockaddr[0])):
            raise ApiError(ErrorCode.INVALID_URL, "the URL points at a private address")


def _check_peer_address(response: httpx.Response) -> None:
    """Re-check the address we actually connected to (defeats DNS rebinding between our
    lookup and httpx's). Transports that don't expose the socket are trusted as-is."""
    stream = response.extensions.get("network_stream")
    get_extra_info = getattr(stream, "get_extra_info", None)
    if get_extra_info is None:
        return
    peer = get_extra_info("server_addr")
    if isinstance(peer, tuple) and peer and _forbidden_text_address(str(peer[0])):
        raise ApiError(ErrorCode.INVALID_URL, "the URL points at a private address")


def _forbidden_text_address(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return True  # not an address we understand: refuse rather than guess
    return is_forbidden_address(address)


def _describe_http_error(exc: httpx.HTTPError, what: str) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "could not connect to the host"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported protocol"
    if isinstance(exc, httpx.DecodingError):
        return "could not decode the response"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return "the server sent an invalid HTTP response"
    return f"could not fetch the {what}"
