"""A local multi-community feed as ActivityPub: the `Feed` actor at its address (the same
URL as its web page, by content negotiation) and its communities, the `following`
collection (moot/federation/objects/feed.py)."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Response, get

from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import render
from moot.federation.negotiation import AP_PREFIX
from moot.federation.objects.feed import feed_json, following_json
from moot.federation.routes.responses import activity_json, gone
from moot.request_context import AnyRequest, state


async def _local_feed(conn: Connection, name: str) -> Row:
    t = m.multi_community.c
    row = await conn.fetch_one(sa.select(m.multi_community).where(t.name == name, t.local))
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_MULTI_COMMUNITY)
    return row


@get(f"{AP_PREFIX}/m/{{name:str}}")
async def feed_actor(request: AnyRequest, name: str) -> Response[bytes]:
    moot = state(request)
    async with moot.db.connection() as conn:
        feed = await _local_feed(conn, name)
        owner = await conn.scalar(
            sa.select(m.person.c.actor_id).where(m.person.c.id == feed["creator_id"])
        )
        site, _ = await load_site(conn)
    if feed["deleted"]:
        return gone(str(feed["ap_id"]))
    pem = await render.public_pem_of(moot.db, m.site, site)
    return activity_json(feed_json(feed, str(owner), pem, moot.settings.origin))


@get("/m/{name:str}/following")
async def feed_following(request: AnyRequest, name: str) -> Response[bytes]:
    async with state(request).db.connection() as conn:
        feed = await _local_feed(conn, name)
        e, c = m.multi_community_entry.c, m.community.c
        rows = await conn.fetch_all(
            sa.select(c.actor_id)
            .join(m.multi_community_entry, e.community_id == c.id)
            .where(e.multi_community_id == feed["id"])
            .order_by(c.id)
        )
    if feed["deleted"]:
        return gone(str(feed["following_url"]))
    return activity_json(following_json(feed, [str(r["actor_id"]) for r in rows]))


HANDLERS = [feed_actor, feed_following]
