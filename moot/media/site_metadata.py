"""Link previews: fetch a page and pull out what `GET /api/v3/post/site_metadata` reports.

The fetch is made on behalf of whoever typed the URL, so it goes through `guarded_get`
(public addresses only, a deadline, few redirects) and reads at most 1 MiB of body.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec

from moot import __version__
from moot.media.guarded_fetch import MAX_REDIRECTS, guarded_get, is_forbidden_address

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REDIRECTS",
    "SiteMetadata",
    "fetch_site_metadata",
    "is_forbidden_address",
]

log = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 1024 * 1024
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
    total_timeout: float = 10.0,
    connect_timeout: float = 5.0,
) -> SiteMetadata:
    """Fetch `url` and describe it (the limits are `guarded_get`'s, and 1 MiB of body).

    Raises `ApiError(INVALID_URL)` for URLs we refuse to fetch and `ApiError(UNKNOWN,
    reason)` for anything that goes wrong on the way.
    """
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    }
    return await guarded_get(
        url,
        client,
        _read_metadata,
        headers=headers,
        total_timeout=total_timeout,
        connect_timeout=connect_timeout,
    )


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
