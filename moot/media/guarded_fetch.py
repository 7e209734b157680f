"""Fetching a URL someone else chose (a link preview, a picture for the image proxy).

Such a fetch is treated as hostile input: only http(s), no private or loopback
destinations, a hard deadline for the whole exchange and at most five redirects. The
addresses are checked by the client's transport (`moot.outbound.checked_transport`), which
connects to exactly the address it checked, on every hop. Every failure surfaces as an
`ApiError`; callers never see an httpx or socket exception. What to read from the
answer, and how much, is the caller's.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import httpx

from moot.errors import ApiError, ErrorCode
from moot.outbound import ForbiddenAddress, is_forbidden_address

__all__ = ["MAX_REDIRECTS", "guarded_get", "is_forbidden_address"]

log = logging.getLogger(__name__)

MAX_REDIRECTS: Final = 5
# What may appear in an (IDNA-encoded) host name or a bracket-less IPv6 literal.
_HOST_CHARS: Final = re.compile(rb"[A-Za-z0-9._\-:]+")

T = TypeVar("T")


async def guarded_get(
    url: str,
    client: httpx.AsyncClient,
    read: Callable[[httpx.Response], Awaitable[T]],
    *,
    headers: dict[str, str],
    total_timeout: float = 10.0,
    connect_timeout: float = 5.0,
    what: str = "page",
) -> T:
    """GET `url` with `client` (whose transport must be a `checked_transport`), following
    redirects, and hand the successful answer (streaming, not yet read) to `read`.

    `total_timeout` bounds the whole exchange (every hop, headers and body); `connect_timeout`
    bounds each TCP/TLS connect. Raises `ApiError(INVALID_URL)` for URLs we refuse to fetch
    and `ApiError(UNKNOWN, reason)` for anything that goes wrong on the way; `what` names
    the thing fetched in those reasons.
    """
    target = _parse_target(url)
    per_request = httpx.Timeout(total_timeout, connect=min(connect_timeout, total_timeout))
    try:
        async with asyncio.timeout(total_timeout):
            return await _fetch(target, client, read, headers, per_request, what)
    except ApiError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise ApiError(ErrorCode.UNKNOWN, f"timed out fetching the {what}") from None
    except httpx.InvalidURL:
        raise ApiError(ErrorCode.INVALID_URL, "the URL could not be parsed") from None
    except httpx.ConnectError as exc:
        if isinstance(exc.__cause__, ForbiddenAddress):
            raise ApiError(ErrorCode.INVALID_URL, "the URL points at a private address") from None
        raise ApiError(ErrorCode.UNKNOWN, "could not connect to the host") from None
    except httpx.HTTPError as exc:
        raise ApiError(ErrorCode.UNKNOWN, _describe_http_error(exc, what)) from None
    except OSError:
        raise ApiError(ErrorCode.UNKNOWN, "could not connect to the host") from None
    except Exception:
        # Deliberately broad: the contract is "ApiError or nothing", and a parser or codec
        # corner case must not become a 500.
        log.exception("fetching a %s failed unexpectedly for %s", what, target)
        raise ApiError(ErrorCode.UNKNOWN, f"could not fetch the {what}") from None


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
    what: str,
) -> T:
    for _hop in range(MAX_REDIRECTS + 1):
        request = client.build_request("GET", url, headers=headers, timeout=request_timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
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


def _describe_http_error(exc: httpx.HTTPError, what: str) -> str:
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported protocol"
    if isinstance(exc, httpx.DecodingError):
        return "could not decode the response"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return "the server sent an invalid HTTP response"
    return f"could not fetch the {what}"
