"""Multi-community feeds over ActivityPub, as Lemmy 1.0 federates them.

A feed is an actor of type `Feed` at its `ap_id` (`/m/NAME`), with its home's inbox and
the site's public key (a feed signs nothing of its own), its owner in `attributedTo`, and
its communities as the `following` collection (`/m/NAME/following`: a `Collection` of the
communities' ids). Another instance resolves a feed by fetching both: it keeps a copy of
the feed (upsert on `ap_id`), fetches each community it does not know yet, and stores the
entries as the collection lists them. The copy is read again when it is resolved and more
than a day old (20 s in test mode), which is how a remote feed's changed entries arrive.

Fields, from Lemmy 1.0's `Feed` (crates/apub/objects/src/protocol/multi_community.rs):
`preferredUsername` the name, `name` the title, `summary` the one-line summary, `content`
the sidebar rendered, with its Markdown in `source`. Read leniently: what is absent is None.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.actions.multi_communities import ENTRY_LIMIT, set_entries
from moot.db import models as m
from moot.db.engine import Connection, Row, retrying
from moot.db.types import utcnow
from moot.federation import resolve, urls
from moot.federation.fetch import FetchError
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context
from moot.text.markdown import render_markdown

Json = dict[str, Any]


def feed_json(feed: Row, owner_ap_id: str, site_pem: str, origin: str) -> Json:
    """A local feed's `Feed` actor."""
    ap_id = str(feed["ap_id"])
    out: Json = {
        "type": "Feed",
        "id": ap_id,
        "inbox": f"{origin}/inbox",
        "publicKey": {"id": f"{ap_id}#main-key", "owner": ap_id, "publicKeyPem": site_pem},
        "following": str(feed["following_url"] or f"{ap_id}/following"),
        "preferredUsername": str(feed["name"]),
        "attributedTo": owner_ap_id,
    }
    if feed["title"]:
        out["name"] = feed["title"]
    if feed["summary"]:
        out["summary"] = feed["summary"]
    if feed["sidebar"]:
        out["content"] = render_markdown(str(feed["sidebar"]))
        out["mediaType"] = "text/html"
        out["source"] = {"content": feed["sidebar"], "mediaType": "text/markdown"}
    return out


def following_json(feed: Row, community_ap_ids: list[str]) -> Json:
    """A local feed's communities: its `following` collection."""
    return {
        "type": "Collection",
        "id": str(feed["following_url"] or f"{feed['ap_id']}/following"),
        "totalItems": len(community_ap_ids),
        "items": community_ap_ids,
    }


def _text(doc: Json, key: str, limit: int) -> str | None:
    value = doc.get(key)
    return value[:limit] if isinstance(value, str) and value.strip() else None


def _sidebar(doc: Json) -> str | None:
    source = doc.get("source")
    if isinstance(source, dict) and isinstance(source.get("content"), str):
        return str(source["content"]) or None
    return _text(doc, "content", 50_000)


async def known_feed(conn: Connection, url: str) -> Row | None:
    return await conn.fetch_one(
        sa.select(m.multi_community).where(m.multi_community.c.ap_id == url)
    )


def _fresh(row: Row, ctx: Context) -> bool:
    refreshed = row.get("last_refreshed_at")
    limit = timedelta(seconds=20) if ctx.fed.test_mode else timedelta(hours=24)
    return refreshed is not None and utcnow() - refreshed <= limit


async def resolve_feed(ctx: Context, url: str) -> Row:
    """The feed at `url`: this instance's own, a copy fresh enough, or fetched and kept
    (raises ParseError when the document is not a Feed, FetchError when unreachable)."""
    async with ctx.fed.db.connection() as conn:
        found = await known_feed(conn, url)
    if found is not None and (found["local"] or _fresh(found, ctx)):
        return found
    if ctx.is_local(url):
        raise ParseError(f"no local feed {url}")
    try:
        doc = await ctx.fed.fetcher.get(url, ctx.budget)
    except FetchError:
        if found is not None:
            return found  # keep what we knew: its home may be down for a while
        raise
    if doc.get("type") != "Feed" or doc.get("id") != url:
        raise ParseError(f"{url} is not a Feed")
    name = _text(doc, "preferredUsername", 255)
    owner_url, following = doc.get("attributedTo"), doc.get("following")
    if name is None or not isinstance(owner_url, str) or not isinstance(following, str):
        raise ParseError(f"the Feed at {url} lacks its name, owner or following")
    if urls.domain(owner_url) != urls.domain(url) or urls.domain(following) != urls.domain(url):
        raise ParseError(f"the Feed at {url} names an owner or collection elsewhere")
    owner = await resolve.person(ctx, owner_url)
    listed = await ctx.fed.fetcher.get(following, ctx.budget)
    items = listed.get("items")
    community_ids: list[int] = []
    for item in (items if isinstance(items, list) else [])[:ENTRY_LIMIT]:
        item_url = (
            item if isinstance(item, str) else item.get("id") if isinstance(item, dict) else None
        )
        if not isinstance(item_url, str):
            continue
        try:
            community_ids.append(int((await resolve.community(ctx, item_url))["id"]))
        except (FetchError, ParseError):
            continue  # as Lemmy: a community that cannot be fetched is left out
    values = {
        "creator_id": owner["id"],
        "instance_id": owner["instance_id"],
        "name": name,
        "title": _text(doc, "name", 255),
        "summary": _text(doc, "summary", 255),
        "sidebar": _sidebar(doc),
        "following_url": following,
        "last_refreshed_at": utcnow(),
    }

    async def store(tx: Connection) -> Row:
        stmt = insert(m.multi_community).values(
            ap_id=url, local=False, published=utcnow(), **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[m.multi_community.c.ap_id], set_={**values, "updated": utcnow()}
        )
        feed_id = int(await tx.scalar(stmt.returning(m.multi_community.c.id)))
        await set_entries(tx, feed_id, community_ids)
        row = await known_feed(tx, url)
        assert row is not None
        return row

    return await retrying(ctx.fed.db, store, what=f"storing {url}")
