"""Rewriting remote pictures to this instance's image proxy (image mode ProxyAllImages).

As Lemmy 0.19 does, the rewrite happens when content is written: a post's link and
thumbnail, and the pictures (`![alt](url)`) in Markdown, become
`https://HOST/api/v3/image_proxy?url=<url, percent-encoded>` unless they are already on
this host. Every rewritten link is returned so the caller can record it (`remote_image`);
the proxy fetches nothing else.

The Markdown is changed in its source, not in rendered HTML, since API clients render the
stored source themselves. The parser says which picture addresses a text really has (code
spans and code blocks have none); a scan of the source then finds where each is written,
inline (`![alt](url "title")`) or as a reference definition (`[ref]: url`).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, urlsplit

from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

from moot.text.markdown import PARSER

__all__ = ["LINK_MAX_CHARS", "is_remote", "proxied", "rewrite_markdown_images"]

PROXY_PATH: Final = "/api/v3/image_proxy"
# A recorded link is a primary key; longer ones are left out of the text.
LINK_MAX_CHARS: Final = 2000

_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*(?:\n[ \t]*)?(<[^<>\n]*>|\S+)", re.M)


def is_remote(link: str, hostname: str) -> bool:
    """An http(s) link to a host other than this one."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    host = parts.netloc.rpartition("@")[2].lower()
    return host != hostname.lower()


def proxied(link: str, origin: str) -> str:
    """`link` as the image proxy serves it (characters other than A-Z a-z 0-9 - _ . ~
    percent-encoded, as Lemmy's `urlencoding::encode` does)."""
    return f"{origin}{PROXY_PATH}?url={quote(link, safe='')}"


def rewrite_markdown_images(text: str, origin: str, hostname: str) -> tuple[str, list[str]]:
    """The text with its remote pictures proxied, and the links it rewrote.

    A remote picture whose address is over `LINK_MAX_CHARS` loses its address (Lemmy
    drops addresses it cannot take), so nothing in the text still loads from elsewhere.
    """
    wanted = {src for src in _image_sources(text) if is_remote(src, hostname)}
    if not wanted:
        return text, []
    rewritten: list[str] = []
    pieces: list[str] = []
    copied = 0
    for start, end in sorted(_destinations(text)):
        if start < copied:
            continue
        written = text[start:end]
        inner = written[1:-1] if written.startswith("<") else written
        link = normalizeLink(unescapeAll(inner))
        if link not in wanted:
            continue
        pieces.append(text[copied:start])
        if len(link) <= LINK_MAX_CHARS:
            pieces.append(proxied(link, origin))
            if link not in rewritten:
                rewritten.append(link)
        copied = end
    pieces.append(text[copied:])
    return "".join(pieces), rewritten


def _image_sources(text: str) -> set[str]:
    found: set[str] = set()

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type == "image":
                found.add(str(token.attrs.get("src", "")))
            if token.children:
                walk(token.children)

    walk(PARSER.parse(text, {"emojis": None}))
    return found


def _destinations(text: str) -> list[tuple[int, int]]:
    """Where link destinations are written: after `![...](`, and in reference definitions."""
    spans = [(m.start(1), m.end(1)) for m in _REFERENCE.finditer(text)]
    at = text.find("![")
    while at != -1:
        close = _closing_bracket(text, at + 2)
        if close is not None and close + 1 < len(text) and text[close + 1] == "(":
            span = _destination(text, close + 2)
            if span is not None:
                spans.append(span)
        at = text.find("![", at + 2)
    return spans


def _closing_bracket(text: str, at: int) -> int | None:
    depth = 1
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    return None


def _destination(text: str, at: int) -> tuple[int, int] | None:
    line_start = False  # a quote's `>` markers may follow a line break
    while at < len(text) and (text[at] in " \t\n" or (line_start and text[at] == ">")):
        line_start = text[at] == "\n" or (line_start and text[at] in " \t>")
        at += 1
    if at >= len(text):
        return None
    if text[at] == "<":
        end = text.find(">", at)
        return None if end == -1 or "\n" in text[at:end] else (at, end + 1)
    start, depth = at, 0
    while at < len(text):
        char = text[at]
        if char == "\\" and at + 1 < len(text):
            at += 2
            continue
        if char.isspace() or ord(char) < 0x20:
            break
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        at += 1
    return (start, at) if at > start else None
