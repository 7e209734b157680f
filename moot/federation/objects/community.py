"""Group: local communities as JSON, remote communities as rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Connection, Row
from moot.db.private import PRIVATE
from moot.db.types import utcnow
from moot.federation import urls
from moot.federation.objects.common import (
    clip,
    image,
    instance_id_for,
    markdown_of,
    parse_time,
    source,
    stamp,
    web_url,
)
from moot.federation.objects.person import public_key
from moot.federation.objects.tags import community_tags_in, store_group_tags, tag_json
from moot.federation.protocol.actors import Group
from moot.federation.protocol.common import Endpoints, LanguageTag, first_image
from moot.text.markdown import render_markdown


def group_json(
    row: Row, public_pem: str, origin: str, languages: list[LanguageTag], tags: Sequence[Row] = ()
) -> Group:
    """`tags`: the community's live post tags (Lemmy 1.0 lists them in `tag`)."""
    actor = str(row["actor_id"])
    return Group(
        type="Group",
        id=actor,
        preferred_username=row["name"],
        name=row["title"],
        summary=row["description_html"] or None,
        source=source(row["description"]),
        icon=image(row["icon"]),
        image=image(row["banner"]),
        sensitive=bool(row["nsfw"]),
        posting_restricted_to_mods=bool(row["posting_restricted_to_mods"]),
        manually_approves_followers=True if row["visibility"] == PRIVATE else None,
        inbox=row["inbox_url"],
        outbox=f"{actor}/outbox",
        followers=f"{actor}/followers",
        featured=f"{actor}/featured",
        # Lemmy's convention: the moderators collection's URL.
        attributed_to=f"{actor}/moderators",
        endpoints=Endpoints(shared_inbox=f"{origin}/inbox"),
        public_key=public_key(actor, public_pem),
        language=languages,
        tag=[tag_json(t) for t in tags] or None,
        published=stamp(row["published"]),
        updated=stamp(row["updated"]),
    )


def moderators_url(shape: Group) -> str | None:
    """Lemmy's moderators URL in `attributedTo`; PeerTube's list of objects is ignored."""
    return shape.attributed_to if isinstance(shape.attributed_to, str) else None


def group_fields(shape: Group) -> dict[str, Any]:
    """What an Update{Group} may change through the edit-community action."""
    description = markdown_of(shape.summary, "text/html", shape.source)
    return {
        "title": (shape.name or shape.preferred_username).strip()[:255] or shape.preferred_username,
        "description": description,
        "icon": web_url(first_image(shape.icon)) or "",
        "banner": web_url(first_image(shape.image)) or "",
        "nsfw": bool(shape.sensitive),
        "posting_restricted_to_mods": bool(shape.posting_restricted_to_mods),
        # A remote group is Public or, approving its followers, Private (Lemmy 1.0).
        "visibility": PRIVATE if shape.manually_approves_followers else "Public",
    }


async def store_group(conn: Connection, shape: Group) -> Row:
    """Insert or refresh a remote community's actor fields (keys, inboxes, looks)."""
    fields = group_fields(shape)
    description = fields["description"] or None
    values: dict[str, Any] = {
        "name": shape.preferred_username[:255],
        "title": fields["title"],
        "description": description,
        "description_html": render_markdown(description) if description else None,
        "icon": fields["icon"] or None,
        "banner": fields["banner"] or None,
        "nsfw": fields["nsfw"],
        "posting_restricted_to_mods": fields["posting_restricted_to_mods"],
        "visibility": fields["visibility"],
        "inbox_url": shape.inbox,
        "shared_inbox_url": shape.endpoints.shared_inbox if shape.endpoints else None,
        "followers_url": clip(shape.followers, 2000),
        "featured_url": clip(shape.featured, 2000),
        "moderators_url": clip(moderators_url(shape), 2000),
        "public_key": shape.public_key.public_key_pem,
        "updated": parse_time(shape.updated),
        "last_refreshed_at": utcnow(),
    }
    t = m.community
    row = await upsert.store(
        conn,
        t,
        "actor_id",
        {"actor_id": shape.id, **values},
        on_insert={
            "local": False,
            "instance_id": await instance_id_for(conn, urls.domain(shape.id)),
            "published": parse_time(shape.published) or utcnow(),
        },
        only_if=~t.c.local,  # a local community is never overwritten from outside
    )
    if not row["local"]:
        await store_group_tags(conn, row, community_tags_in(shape.tag, shape.id))
    return row
