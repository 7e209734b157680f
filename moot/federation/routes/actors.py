"""The site, person and community actors, and the collections Lemmy reads from them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Response, get

from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import compose, render
from moot.federation.compose import plain
from moot.federation.negotiation import AP_PREFIX
from moot.federation.objects.site import application_json
from moot.federation.routes.private_fetch import require_fetchable
from moot.federation.routes.responses import activity_json, gone
from moot.request_context import AnyRequest, state

OUTBOX_SIZE = 20


@get(AP_PREFIX)
async def site_actor(request: AnyRequest) -> Response[bytes]:
    moot = state(request)
    async with moot.db.connection() as conn:
        site, _ = await load_site(conn)
    pem = await render.public_pem_of(moot.db, m.site, site)
    shape = application_json(site, pem, moot.settings.origin, moot.settings.hostname, [])
    return activity_json(plain(shape))


@get("/site_outbox")
async def site_outbox(request: AnyRequest) -> Response[bytes]:
    return activity_json(_ordered(f"{state(request).settings.origin}/site_outbox", []))


def _ordered(collection_id: str, items: list[Any], total: int | None = None) -> dict[str, Any]:
    return {
        "type": "OrderedCollection",
        "id": collection_id,
        "totalItems": len(items) if total is None else total,
        "orderedItems": items,
    }


async def _local_person(conn: Connection, name: str) -> Row:
    row = await conn.fetch_one(
        sa.select(m.person).where(sa.func.lower(m.person.c.name) == name.lower(), m.person.c.local)
    )
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    return row


async def _local_community(conn: Connection, name: str) -> Row:
    c = m.community.c
    row = await conn.fetch_one(
        sa.select(m.community).where(sa.func.lower(c.name) == name.lower(), c.local)
    )
    # Local-only communities are not served to other servers.
    if row is None or row["visibility"] == "LocalOnly":
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    return row


@get(f"{AP_PREFIX}/u/{{name:str}}")
async def person_actor(request: AnyRequest, name: str) -> Response[bytes]:
    moot = state(request)
    async with moot.db.connection() as conn:
        row = await _local_person(conn, name)
    if row["deleted"]:
        return gone(str(row["actor_id"]))
    pem = await render.public_pem_of(moot.db, m.person, row)
    return activity_json(render.person(row, pem, moot.settings.origin))


@get("/u/{name:str}/outbox")
async def person_outbox(request: AnyRequest, name: str) -> Response[bytes]:
    async with state(request).db.connection() as conn:
        row = await _local_person(conn, name)
    # Always empty, as Lemmy's.
    return activity_json(_ordered(f"{row['actor_id']}/outbox", []))


@get(f"{AP_PREFIX}/c/{{name:str}}")
async def community_actor(request: AnyRequest, name: str) -> Response[bytes]:
    moot = state(request)
    async with moot.db.connection() as conn:
        row = await _local_community(conn, name)
        tags = await render.group_tags(conn, row)
    if row["deleted"] or row["removed"]:
        return gone(str(row["actor_id"]))
    pem = await render.public_pem_of(moot.db, m.community, row)
    return activity_json(render.group(row, pem, moot.settings.origin, tags))


def _visible_posts(community_id: int) -> sa.Select[Any]:
    p = m.post.c
    return sa.select(m.post).where(p.community_id == community_id, ~p.deleted, ~p.removed)


@get("/c/{name:str}/outbox")
async def community_outbox(request: AnyRequest, name: str) -> Response[bytes]:
    """The newest posts, each as the Announce{Create{Page}} followers received."""
    moot = state(request)
    origin = moot.settings.origin
    async with moot.db.connection() as conn:
        community = await _local_community(conn, name)
    await require_fetchable(request, community)
    async with moot.db.connection() as conn:
        posts = await conn.fetch_all(
            _visible_posts(int(community["id"]))
            .order_by(m.post.c.published.desc(), m.post.c.id.desc())
            .limit(OUTBOX_SIZE)
        )
        items = []
        for post in posts:
            creator = await render.one(conn, m.person, int(post["creator_id"]))
            create = compose.create_or_update(
                "Create",
                origin,
                str(creator["actor_id"]),
                await render.page(conn, post),
                str(community["actor_id"]),
                [],
                None,
            )
            items.append(compose.announce(origin, str(community["actor_id"]), create))
    return activity_json(_ordered(f"{community['actor_id']}/outbox", items))


@get("/c/{name:str}/followers")
async def community_followers(request: AnyRequest, name: str) -> Response[bytes]:
    async with state(request).db.connection() as conn:
        community = await _local_community(conn, name)
    # Lemmy gives only the count.
    return activity_json(
        {
            "id": f"{community['actor_id']}/followers",
            "type": "Collection",
            "totalItems": int(community["subscribers"]),
            "items": [],
        }
    )


@get("/c/{name:str}/featured")
async def community_featured(request: AnyRequest, name: str) -> Response[bytes]:
    async with state(request).db.connection() as conn:
        community = await _local_community(conn, name)
    await require_fetchable(request, community)
    async with state(request).db.connection() as conn:
        posts = await conn.fetch_all(
            _visible_posts(int(community["id"]))
            .where(m.post.c.featured_community)
            .order_by(m.post.c.published.desc())
            .limit(50)
        )
        items = [await render.page(conn, post) for post in posts]
    return activity_json(_ordered(f"{community['actor_id']}/featured", items))


@get("/c/{name:str}/moderators")
async def community_moderators(request: AnyRequest, name: str) -> Response[bytes]:
    t = m.community_moderator
    async with state(request).db.connection() as conn:
        community = await _local_community(conn, name)
        rows = await conn.fetch_all(
            sa.select(m.person.c.actor_id)
            .join(t, t.c.person_id == m.person.c.id)
            .where(t.c.community_id == community["id"])
            .order_by(t.c.published, t.c.id)
        )
    return activity_json(
        {
            "type": "OrderedCollection",
            "id": f"{community['actor_id']}/moderators",
            "orderedItems": [str(r["actor_id"]) for r in rows],
        }
    )


# The instance actor is answered to anyone: it is the key other servers check signed
# fetches with (routes/signed_fetch.py guards the rest).
OPEN = [site_actor, site_outbox]
HANDLERS = [
    person_actor,
    person_outbox,
    community_actor,
    community_outbox,
    community_followers,
    community_featured,
    community_moderators,
]
