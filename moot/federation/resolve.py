"""Actors by URL: from the database, or fetched from their home and kept (reference §6).

Remote actors are refetched when used after a day (20 s in test mode, as a debug Lemmy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row, retrying
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import urls
from moot.federation.fetch import Budget, FetchError
from moot.federation.objects.community import store_group
from moot.federation.objects.person import store_person
from moot.federation.objects.site import store_application
from moot.federation.protocol.actors import Application, Group, Person
from moot.federation.protocol.parse import ParseError, parse_object

if TYPE_CHECKING:
    # The runtime wires this module to group_collections, which resolves through it.
    from moot.federation.runtime import Federation

ActorShape = Person | Group | Application
_TABLES = {"person": m.person, "community": m.community, "site": m.site}


@dataclass
class Context:
    """One activity's (or one resolve's) share of federation: its fetch budget."""

    fed: Federation
    budget: Budget = field(default_factory=Budget)

    def is_local(self, url: str) -> bool:
        return urls.domain(url) == self.fed.local_domain


def _stale(row: Row, fed: Federation) -> bool:
    refreshed = row.get("last_refreshed_at")
    limit = timedelta(seconds=20) if fed.test_mode else timedelta(hours=24)
    return refreshed is None or utcnow() - refreshed > limit


async def find_actor(conn: Connection, url: str) -> tuple[str, Row] | None:
    for kind, table in _TABLES.items():
        row = await conn.fetch_one(sa.select(table).where(table.c.actor_id == url))
        if row is not None:
            return kind, row
    return None


async def fetch_actor(ctx: Context, url: str) -> ActorShape:
    doc = await ctx.fed.fetcher.get(url, ctx.budget)
    shape = parse_object(doc)
    if not isinstance(shape, Person | Group | Application):
        raise ParseError(f"{url} is a {type(shape).__name__}, not an actor")
    return shape


async def store_actor(conn: Connection, shape: ActorShape) -> tuple[str, Row]:
    if isinstance(shape, Person):
        return "person", await store_person(conn, shape)
    if isinstance(shape, Group):
        return "community", await store_group(conn, shape)
    return "site", await store_application(conn, shape)


async def actor(ctx: Context, url: str, *, refresh: bool = True) -> tuple[str, Row]:
    """The actor at `url` as a row, fetched if unknown or stale."""
    async with ctx.fed.db.connection() as conn:
        found = await find_actor(conn, url)
    if ctx.is_local(url):
        if found is None:
            raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, f"no local actor {url}")
        return found
    if found is not None and not (refresh and _stale(found[1], ctx.fed)):
        return found
    try:
        shape = await fetch_actor(ctx, url)
    except (FetchError, ParseError):
        if found is not None:
            return found  # keep what we knew: the server may be down for a while
        raise
    stored = await retrying(ctx.fed.db, lambda tx: store_actor(tx, shape), what=f"storing {url}")
    await remember_instance(ctx, url)
    if stored[0] == "community":
        ctx.fed.read_collections(stored[1])
    return stored


async def person(ctx: Context, url: str) -> Row:
    kind, row = await actor(ctx, url)
    if kind != "person":
        raise ParseError(f"{url} is a {kind}, not a person")
    return row


async def community(ctx: Context, url: str) -> Row:
    kind, row = await actor(ctx, url)
    if kind != "community":
        raise ParseError(f"{url} is a {kind}, not a community")
    return row


async def remember_instance(ctx: Context, url: str) -> None:
    """Keep the site actor of an instance seen for the first time: site-wide activities
    (account deletions, site bans) go only to instances moot has a site row for."""
    scheme, _, _ = urls.split(url)
    root = f"{scheme}://{urls.authority(url)}/"
    async with ctx.fed.db.connection() as conn:
        known = await conn.scalar(sa.select(m.site.c.id).where(m.site.c.actor_id == root))
    if known is not None:
        return
    try:
        shape = await fetch_actor(ctx, root)
    except (FetchError, ParseError):
        return  # the domain is still recorded as an instance
    if isinstance(shape, Application):
        await retrying(ctx.fed.db, lambda tx: store_application(tx, shape), what=f"storing {root}")


async def webfinger(ctx: Context, name: str, host: str) -> list[str]:
    """The actor URLs `name@host` stands for, in the order Lemmy tries them."""
    scheme = "http" if ctx.fed.test_mode else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{name}@{host}"
    doc = await ctx.fed.fetcher.get(url, ctx.budget, accept="application/jrd+json")
    links = doc.get("links")
    found = []
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and str(link.get("type", "")).startswith("application/")
            and isinstance(link.get("href"), str)
        ):
            found.append(str(link["href"]))
    if not found:
        raise ParseError(f"WebFinger names no actor for {name}@{host}")
    return found
