"""Link previews: fetch a page and pull out what `GET /api/v3/post/site_metadata` reports.

The fetch is made on behalf of whoever typed the URL, so it is treated as hostile input:
only http(s), no private or loopback destinations (checked against every address the host
resolves to, on every redirect hop, and against the peer actually connected to), a hard
deadline for the whole exchange, at most five redirects and at most 1 MiB of body. Every
failure surfaces as an `ApiError`; callers never see an httpx or socket exception.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import logging
import re
import socket
import unicodedata
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec

from moot import __version__
from moot.errors import ApiError, ErrorCode

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REDIRECTS",
    "SiteMetadata",
    "fetch_site_metadata",
    "is_forbidden_address",
]

log = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 1024 * 1024
MAX_REDIRECTS: Final = 5
TITLE_MAX_CHARS: Final = 200
DESCRIPTION_MAX_CHARS: Final = 1000
URL_MAX_CHARS: Final = 2000
USER_AGENT: Final = f"Mozilla/5.0 (compatible; moot/{__version__}; link preview)"

_HTML_TYPES: Final = frozenset({"text/html", "application/xhtml+xml"})
_HEAD_END: Final = b"</head"
# Where a <meta charset> may be declared; browsers only look at the first 1024 bytes, we are
# a little more forgiving since we read the whole <head> anyway.
_CHARSET_SNIFF_BYTES: Final = 64 * 1024
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
# WHATWG treats these labels as windows-1252, and so do browsers.
_CHARSET_ALIASES: Final = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
# What may appear in an (IDNA-encoded) host name or a bracket-less IPv6 literal.
_HOST_CHARS: Final = re.compile(rb"[A-Za-z0-9._\-:]+")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


class SiteMetadata(msgspec.Struct, omit_defaults=True):
    title: str | None = None
    description: str | None = None
    image: str | None = None
    embed_video_url: str | None = None
    content_type: str | None = None


async def fetch_site_metadata(
    url: str,
    client: httpx.AsyncClient,
    *,
    allow_private_addresses: bool = False,
    total_timeout: float = 10.0,
    connect_timeout: float = 5.0,
) -> SiteMetadata:
    """Fetch `url` and describe it.

    `total_timeout` bounds the whole exchange (every hop, headers and body); `connect_timeout`
    bounds each TCP/TLS connect. Raises `ApiError(INVALID_URL)` for URLs we refuse to fetch
    and `ApiError(UNKNOWN, reason)` for anything that goes wrong on the way.
    """
    target = _parse_target(url)
    per_request = httpx.Timeout(total_timeout, connect=min(connect_timeout, total_timeout))
    try:
        async with asyncio.timeout(total_timeout):
            return await _fetch(target, client, per_request, allow_private_addresses)
    except ApiError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise ApiError(ErrorCode.UNKNOWN, "timed out fetching the page") from None
    except httpx.InvalidURL:
        raise ApiError(ErrorCode.INVALID_URL, "the URL could not be parsed") from None
    except httpx.HTTPError as exc:
        raise ApiError(ErrorCode.UNKNOWN, _describe_http_error(exc)) from None
    except OSError:
        raise ApiError(ErrorCode.UNKNOWN, "could not connect to the host") from None
    except Exception:
        # Deliberately broad: the contract is "ApiError or nothing", and a parser or codec
        # corner case must not become a 500.
        log.exception("site metadata fetch failed unexpectedly for %s", target)
        raise ApiError(ErrorCode.UNKNOWN, "could not fetch the page") from None


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


# --- fetching ---------------------------------------------------------------------------


def _parse_target(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ApiError(ErrorCode.INVALID_URL, "the URL could not be parsed") from None
    _check_scheme_and_host(parsed)
    return parsed


def _check_scheme_and_host(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise ApiError(ErrorCode.INVALID_URL, "only http and https URLs can be previewed")
    if not url.raw_host:
        raise ApiError(ErrorCode.INVALID_URL, "the URL has no host")
    if not _HOST_CHARS.fullmatch(url.raw_host):
        raise ApiError(ErrorCode.INVALID_URL, "the URL's host is malformed")


async def _fetch(
    url: httpx.URL,
    client: httpx.AsyncClient,
    request_timeout: httpx.Timeout,
    allow_private_addresses: bool,
) -> SiteMetadata:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    }
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
                raise ApiError(ErrorCode.UNKNOWN, f"the page answered HTTP {response.status_code}")
            return await _read_metadata(response)
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


def _describe_http_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "could not connect to the host"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported protocol"
    if isinstance(exc, httpx.DecodingError):
        return "could not decode the response"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return "the server sent an invalid HTTP response"
    return "could not fetch the page"


# --- reading ----------------------------------------------------------------------------


async def _read_metadata(response: httpx.Response) -> SiteMetadata:
    mime, header_charset = _parse_content_type(response.headers.get("content-type"))
    if mime is not None and mime not in _HTML_TYPES:
        return SiteMetadata(content_type=mime)
    body = await _read_head(response)
    if mime is None and not _looks_like_html(body):
        return SiteMetadata()
    text = body.decode(_choose_encoding(body, header_charset), errors="replace")
    return _extract(text, str(response.url), mime)


def _parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    mime, *params = header.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").strip() or None
    return mime.strip().lower() or None, charset


async def _read_head(response: httpx.Response) -> bytes:
    """Read until `</head` shows up, the body ends, or the cap is hit; never beyond it."""
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        scan_from = max(0, len(buffer) - len(_HEAD_END))
        buffer += chunk
        if len(buffer) >= MAX_BODY_BYTES:
            del buffer[MAX_BODY_BYTES:]
            break
        if _HEAD_END in bytes(buffer[scan_from:]).lower():
            break
    return bytes(buffer)


def _looks_like_html(body: bytes) -> bool:
    start = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<title"))


def _choose_encoding(body: bytes, header_charset: str | None) -> str:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in (header_charset, _sniff_meta_charset(body)):
        encoding = _known_encoding(candidate)
        if encoding is not None:
            return encoding
    return "utf-8"


def _sniff_meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body, 0, _CHARSET_SNIFF_BYTES)
    return match.group(1).decode("ascii") if match else None


def _known_encoding(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # A page that made it through a byte-oriented sniff can't really be UTF-16/32.
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return info.name


class _StopParsing(Exception):
    pass


class _HeadParser(HTMLParser):
    """Collects <meta>, the first <title> and <base href>, and gives up at </head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: str | None = None
        self.base_href: str | None = None
        self._title_parts: list[str] | None = None
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            content = values.get("content")
            if key and content is not None and key not in self.meta:
                self.meta[key] = content
        elif tag == "title":
            if self.title is None and self._title_parts is None and self._svg_depth == 0:
                self._title_parts = []
        elif tag == "base":
            if self.base_href is None and values.get("href"):
                self.base_href = values["href"]
        elif tag == "svg":
            self._svg_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title_parts is not None:
            self.title = "".join(self._title_parts)
            self._title_parts = None
        elif tag == "svg":
            self._svg_depth = max(0, self._svg_depth - 1)
        elif tag == "head":
            raise _StopParsing

    def handle_data(self, data: str) -> None:
        if self._title_parts is not None:
            self._title_parts.append(data)

    def finish(self) -> None:
        if self._title_parts is not None:  # <title> never closed: keep what we saw
            self.title = "".join(self._title_parts)
            self._title_parts = None


def _extract(text: str, final_url: str, mime: str | None) -> SiteMetadata:
    parser = _HeadParser()
    try:
        parser.feed(text)
        parser.close()
    except _StopParsing:
        pass
    except Exception:  # html.parser is lenient, but keep whatever it found if it chokes
        log.debug("html.parser gave up on %s", final_url, exc_info=True)
    parser.finish()
    meta = parser.meta

    base = final_url
    if parser.base_href:
        resolved_base = _absolute_http_url(parser.base_href, final_url)
        if resolved_base is not None:
            base = resolved_base

    title = _first_text(
        TITLE_MAX_CHARS, meta.get("og:title"), meta.get("twitter:title"), parser.title
    )
    description = _first_text(
        DESCRIPTION_MAX_CHARS,
        meta.get("og:description"),
        meta.get("twitter:description"),
        meta.get("description"),
    )
    image = _first_url(
        base,
        meta.get("og:image"),
        meta.get("og:image:url"),
        meta.get("og:image:secure_url"),
        meta.get("twitter:image"),
        meta.get("twitter:image:src"),
    )
    video = _first_url(
        base, meta.get("og:video:secure_url"), meta.get("og:video"), meta.get("og:video:url")
    )
    return SiteMetadata(
        title=title,
        description=description,
        image=image,
        embed_video_url=video,
        content_type=mime,
    )


def _first_text(limit: int, *candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate is None:
            continue
        cleaned = _clean_text(candidate)
        if cleaned:
            return cleaned[:limit].rstrip()
    return None


def _clean_text(value: str) -> str:
    without_controls = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value)
    return " ".join(without_controls.split())


def _first_url(base: str, *candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate is None:
            continue
        absolute = _absolute_http_url(candidate, base)
        if absolute is not None:
            return absolute
    return None


def _absolute_http_url(value: str, base: str) -> str | None:
    value = value.strip().replace(" ", "%20")
    if not value:
        return None
    try:
        absolute = urljoin(base, value)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if len(absolute) > URL_MAX_CHARS or any(ch.isspace() for ch in absolute):
        return None
    return absolute
