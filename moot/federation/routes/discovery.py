"""WebFinger (acct: only, as Lemmy) and the NodeInfo usage numbers."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import msgspec
import sqlalchemy as sa
from litestar import Response, get

from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation.protocol.common import ACTIVITY_JSON
from moot.federation.urls import hostname_domain
from moot.request_context import AnyRequest, state

_NAME = re.compile(r"^[\w.-]+$")
_TYPE = "https://www.w3.org/ns/activitystreams#type"


def _links(actor_id: str, kind: str, origin: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = [
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor_id},
        {
            "rel": "self",
            "type": ACTIVITY_JSON,
            "href": actor_id,
            "properties": {_TYPE: kind},
        },
    ]
    if kind == "Person":
        links.append(
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": f"{origin}/activitypub/externalInteraction?uri={{uri}}",
            }
        )
    return links


@get("/.well-known/webfinger")
async def webfinger(request: AnyRequest, resource: str | None = None) -> Response[bytes]:
    moot = state(request)
    hostname = moot.settings.hostname.lower()
    if not resource or not resource.startswith("acct:") or "@" not in resource:
        raise ApiError(ErrorCode.INVALID_QUERY, "resource must be acct:name@host")
    name, _, host = resource[5:].rpartition("@")
    if host.lower() != hostname or not _NAME.match(name):
        raise ApiError(ErrorCode.INVALID_QUERY, f"no such resource on {hostname}")
    origin = moot.settings.origin
    links: list[dict[str, Any]] = []
    async with moot.db.connection() as conn:
        if name.lower() == hostname_domain(hostname) and ":" not in hostname:
            # The instance actor, for Mastodon's secure mode.
            links = _links(f"{origin}/", "none", origin)[:2]
        person = await conn.fetch_one(
            sa.select(m.person.c.actor_id).where(
                sa.func.lower(m.person.c.name) == name.lower(),
                m.person.c.local,
                ~m.person.c.deleted,
            )
        )
        community = await conn.fetch_one(
            sa.select(m.community.c.actor_id).where(
                sa.func.lower(m.community.c.name) == name.lower(),
                m.community.c.local,
                ~m.community.c.deleted,
                ~m.community.c.removed,
                # Local-only communities do not federate; private ones do (Lemmy 1.0).
                m.community.c.visibility != "LocalOnly",
            )
        )
    # Person links first, Group links last: Mastodon takes the last match.
    if person is not None:
        links += _links(str(person["actor_id"]), "Person", origin)
    if community is not None:
        links += _links(str(community["actor_id"]), "Group", origin)
    if not links:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, f"no actor named {name!r}")
    return Response(
        msgspec.json.encode({"subject": resource, "links": links}),
        media_type="application/jrd+json",
        headers={"Cache-Control": "public, max-age=259200"},
    )


async def usage(conn: Connection, local: dict[str, Any]) -> dict[str, Any]:
    """NodeInfo's usage: local users, the active ones by what they wrote, local content."""
    now = utcnow()

    async def active_since(days: int) -> int:
        since = now - timedelta(days=days)
        writers = sa.union(
            sa.select(m.post.c.creator_id.label("pid")).where(
                m.post.c.local, m.post.c.published > since
            ),
            sa.select(m.comment.c.creator_id.label("pid")).where(
                m.comment.c.local, m.comment.c.published > since
            ),
        ).subquery()
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(writers)) or 0)

    return {
        "users": {
            "total": int(local["users"]),
            "activeHalfyear": await active_since(182),
            "activeMonth": await active_since(30),
        },
        "localPosts": int(local["posts"]),
        "localComments": int(local["comments"]),
    }


HANDLERS = [webfinger]
