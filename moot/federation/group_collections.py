"""What Lemmy reads after fetching a remote community (reference §2): its moderators
(which replace the local list), its follower count, and up to 50 posts from its outbox.

Run in the background: a failure only means the community shows less until the next fetch.
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
    for step in (_moderators, _followers, _outbox):
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
        if not isinstance(create, dict) or create.get("type") != "Create":
            continue
        page_doc = create.get("object")
        if not isinstance(page_doc, dict):
            continue
        try:
            page = parse_object(page_doc)
            if not isinstance(page, Page):
                continue
            async with ctx.fed.db.connection() as conn:
                known = await conn.scalar(sa.select(m.post.c.id).where(m.post.c.ap_id == page.id))
            if known is not None:
                continue
            creator = await resolve.person(ctx, ingest.creator_url(page.attributed_to))
            apply = await ingest.prepare_object(ctx, page, RemoteActor(creator), community)
            # Its Create may be arriving at the same moment; whichever stores it first wins.
            await retrying(ctx.fed.db, apply, what=f"outbox item {page.id}")
        except (FetchError, ParseError, ApiError, Conflict) as exc:
            log.info("outbox item of %s: %s", community["actor_id"], getattr(exc, "reason", exc))
