"""What Lemmy reads after fetching a remote community (reference §2): its moderators
(which replace the local list), its follower count, up to 50 posts from its outbox, and
its featured posts (which become exactly the posts it has pinned here).

Run in the background (Federation.read_collections, after each fetch of the community): a
failure only means the community shows less until the next fetch.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from moot.actions.actor import RemoteActor
from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Conflict, Connection, Row, retrying
from moot.db.types import utcnow
from moot.errors import ApiError
from moot.federation import resolve
from moot.federation.fetch import FetchError
from moot.federation.inbox import ingest
from moot.federation.protocol.objects import Page
from moot.federation.protocol.parse import ParseError, parse_object
from moot.federation.resolve import Context

log = logging.getLogger("moot.federation")
OUTBOX_ITEMS = 50


async def refresh(ctx: Context, community: Row) -> None:
    for step in (_moderators, _followers, _outbox, _featured):
        try:
            await step(Context(ctx.fed), community)
        except (FetchError, ParseError, ApiError, Conflict) as exc:
            reason = getattr(exc, "reason", str(exc))
            log.info("%s of %s: %s", step.__name__, community["actor_id"], reason)


def _items(doc: dict[str, Any]) -> list[Any]:
    items = doc.get("orderedItems", doc.get("items"))
    return items if isinstance(items, list) else []


async def _moderators(ctx: Context, community: Row) -> None:
    if not community["moderators_url"]:
        return
    doc = await ctx.fed.fetcher.get(str(community["moderators_url"]), ctx.budget)
    mods = []
    for url in _items(doc)[:OUTBOX_ITEMS]:
        if isinstance(url, str):
            mods.append(await resolve.person(ctx, url))
    t = m.community_moderator

    async def replace(tx: Connection) -> None:
        await tx.execute(sa.delete(t).where(t.c.community_id == community["id"]))
        for person in mods:
            # A person listed twice is appointed once.
            await upsert.insert_new(
                tx,
                t,
                ("community_id", "person_id"),
                {"community_id": community["id"], "person_id": person["id"], "published": utcnow()},
            )

    # Two fetches of the community may refresh its moderators at once.
    await retrying(ctx.fed.db, replace, what=f"moderators of {community['actor_id']}")


async def _followers(ctx: Context, community: Row) -> None:
    if not community["followers_url"]:
        return
    doc = await ctx.fed.fetcher.get(str(community["followers_url"]), ctx.budget)
    total = doc.get("totalItems")
    if isinstance(total, int) and total >= 0:
        async with ctx.fed.db.transaction() as tx:
            await tx.execute(
                sa.update(m.community)
                .where(m.community.c.id == community["id"])
                .values(subscribers=total)
            )


async def _outbox(ctx: Context, community: Row) -> None:
    """The newest posts, from the Announce{Create{Page}} the outbox lists."""
    doc = await ctx.fed.fetcher.get(f"{community['actor_id']}/outbox", ctx.budget)
    for item in _items(doc)[:OUTBOX_ITEMS]:
        create = item.get("object") if isinstance(item, dict) else None
        if isinstance(create, dict) and create.get("type") == "Create":
            await _store_page(ctx, community, create.get("object"))


async def _featured(ctx: Context, community: Row) -> None:
    """The pinned posts, as Pages (Lemmy 0.19's `featured` collection): stored if new; the
    community's pins here become exactly these."""
    if not community["featured_url"]:
        return
    doc = await ctx.fed.fetcher.get(str(community["featured_url"]), ctx.budget)
    pinned = []
    for item in _items(doc)[:OUTBOX_ITEMS]:
        ap_id = await _store_page(ctx, community, item)
        if ap_id is not None:
            pinned.append(ap_id)
    p = m.post.c

    async def pin(tx: Connection) -> None:
        # Only this community's posts: a Page of another community pins nothing here.
        await tx.execute(
            sa.update(m.post)
            .where(p.community_id == community["id"], p.featured_community, p.ap_id.not_in(pinned))
            .values(featured_community=False)
        )
        await tx.execute(
            sa.update(m.post)
            .where(p.community_id == community["id"], ~p.featured_community, p.ap_id.in_(pinned))
            .values(featured_community=True)
        )

    await retrying(ctx.fed.db, pin, what=f"featured posts of {community['actor_id']}")


async def _store_page(ctx: Context, community: Row, page_doc: Any) -> str | None:
    """The id of the Page `page_doc`, stored if new; None when it is not a usable Page."""
    if not isinstance(page_doc, dict):
        return None
    try:
        page = parse_object(page_doc)
        if not isinstance(page, Page):
            return None
        async with ctx.fed.db.connection() as conn:
            known = await conn.scalar(sa.select(m.post.c.id).where(m.post.c.ap_id == page.id))
        if known is None:
            creator = await resolve.person(ctx, ingest.creator_url(page.attributed_to))
            apply = await ingest.prepare_object(ctx, page, RemoteActor(creator), community)
            # Its Create may be arriving at the same moment; whichever stores it first wins.
            await retrying(ctx.fed.db, apply, what=f"collection item {page.id}")
        return page.id
    except (FetchError, ParseError, ApiError, Conflict) as exc:
        log.info("a post of %s: %s", community["actor_id"], getattr(exc, "reason", exc))
        return None
