"""What a search for `!community@host`, `@person@host` or a URL finds, fetched if unknown.

The API's /resolve_object and the web interface's search box both ask here, so a remote
community found in either is the same row, followable the same way.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import resolve, urls
from moot.federation.fetch import FetchError
from moot.federation.inbox.ingest import object_by_url
from moot.federation.objects import feed
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context
from moot.federation.runtime import Federation

_FINDERS = (("community", queries.community_by_name), ("person", queries.person_by_name))
# This instance's page of a post or comment, wherever its home is.
_OUR_PAGE = re.compile(r"^/(post|comment)/(\d+)/?$")


def is_url(query: str) -> bool:
    words = query.strip()
    return words.startswith(("http://", "https://")) and " " not in words


def is_lookup(query: str) -> bool:
    """Whether a search box's words name an object rather than words in titles."""
    words = query.strip()
    if words.startswith(("http://", "https://")):
        return " " not in words
    name, at, host = words.lstrip("!@").partition("@")
    return words[:1] in "!@" and bool(name and at and host) and " " not in words


async def look_up(fed: Federation, query: str, *, signed_in: bool) -> tuple[str, Row]:
    """("community" | "person" | "post" | "comment", row) for `query`.

    Only signed-in people make moot fetch from other servers (as Lemmy); anonymous
    visitors find what the instance already knows.
    """
    ctx = Context(fed)
    words = query.strip()
    try:
        if words.startswith(("http://", "https://")):
            if not signed_in and not _is_local(ctx, words):
                raise ApiError(ErrorCode.NOT_LOGGED_IN, "log in to fetch from other servers")
            kind, row = await _by_url(ctx, words)
        else:
            kind, row = await _by_name(ctx, words, may_fetch=signed_in)
    except (FetchError, ParseError) as exc:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, exc.reason) from exc
    # What was deleted or removed is not found (as Lemmy 0.19's resolve_object).
    if row["deleted"] or row.get("removed"):
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, f"the {kind} was deleted or removed")
    return kind, row


async def _by_name(ctx: Context, query: str, *, may_fetch: bool) -> tuple[str, Row]:
    """`!community@host`, `@person@host` or `name@host`, through WebFinger."""
    wanted = {"!": "community", "@": "person"}.get(query[:1])
    name, _, host = query.lstrip("!@").partition("@")
    if not name or not host:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "write !community@host or @person@host")
    # Instances are told apart by domain, without the port (as Lemmy does).
    domain = urls.hostname_domain(host)
    is_here = domain == ctx.fed.local_domain
    if is_here or not may_fetch:
        async with ctx.fed.db.connection() as conn:
            for kind, finder in _FINDERS:
                if wanted in (None, kind):
                    row = await finder(conn, name if is_here else f"{name}@{domain}")
                    if row is not None:
                        return kind, row
        if is_here:
            raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
        raise ApiError(ErrorCode.NOT_LOGGED_IN, "log in to look up other servers")
    candidates = await resolve.webfinger(ctx, name, host)
    failure: Exception | None = None
    for url in candidates:
        try:
            kind, row = await resolve.actor(ctx, url)
        except (FetchError, ParseError, ApiError) as exc:
            failure = exc
            continue
        if wanted in (None, kind):
            return kind, row
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, str(failure or "no such actor"))


async def _by_url(ctx: Context, url: str) -> tuple[str, Row]:
    async with ctx.fed.db.connection() as conn:
        found = await resolve.find_actor(conn, url) or await _our_page(ctx, conn, url)
    if found is not None and found[0] != "site":
        return found
    try:
        return await object_by_url(ctx, url)
    except ParseError:
        pass
    kind, row = await resolve.actor(ctx, url)
    if kind == "site":
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "an instance is not an object to show")
    return kind, row


async def _our_page(ctx: Context, conn: Connection, url: str) -> tuple[str, Row] | None:
    """The post or comment at this instance's `/post/ID` or `/comment/ID`: the object
    itself, also when its home is another instance (that URL answers with a redirect)."""
    page = _OUR_PAGE.match(urlsplit(url).path) if _is_local(ctx, url) else None
    if page is None:
        return None
    table = m.post if page[1] == "post" else m.comment
    row = await conn.fetch_one(sa.select(table).where(table.c.id == int(page[2])))
    return None if row is None else (page[1], row)


async def look_up_feed(fed: Federation, url: str, *, signed_in: bool) -> Row:
    """The multi-community feed at `url` (Lemmy 1.0's `Feed` actor), fetched if unknown:
    API v4's resolve_object asks here when `url` is no other object."""
    ctx = Context(fed)
    url = url.strip()
    async with fed.db.connection() as conn:
        found = await feed.known_feed(conn, url)
    if found is None and not signed_in and not _is_local(ctx, url):
        raise ApiError(ErrorCode.NOT_LOGGED_IN, "log in to fetch from other servers")
    try:
        row = found if found is not None and found["local"] else await feed.resolve_feed(ctx, url)
    except (FetchError, ParseError) as exc:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, exc.reason) from exc
    if row["deleted"]:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "the feed was deleted")
    return row


def _is_local(ctx: Context, url: str) -> bool:
    try:
        return ctx.is_local(url)
    except ParseError:
        return False
