"""Application: the instance's own actor at `/`, and the site rows of remote instances."""

from __future__ import annotations

from typing import Any

from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Connection, Row
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
from moot.federation.protocol.actors import Application
from moot.federation.protocol.common import Endpoints, LanguageTag, first_image
from moot.text.markdown import render_markdown


def application_json(
    site: Row, public_pem: str, origin: str, hostname: str, languages: list[LanguageTag]
) -> Application:
    actor = f"{origin}/"
    return Application(
        type="Application",
        id=actor,
        name=site["name"],
        preferred_username=urls.hostname_domain(hostname),
        summary=site["description"] or None,
        content=render_markdown(site["sidebar"]) if site["sidebar"] else None,
        media_type="text/html" if site["sidebar"] else None,
        source=source(site["sidebar"]),
        icon=image(site["icon"]),
        image=image(site["banner"]),
        inbox=f"{origin}/inbox",
        # Always empty, as Lemmy's.
        outbox=f"{origin}/site_outbox",
        endpoints=Endpoints(shared_inbox=f"{origin}/inbox"),
        public_key=public_key(actor, public_pem),
        language=languages or None,
        content_warning=site["content_warning"] or None,
        published=stamp(site["published"]),
        updated=stamp(site["updated"]),
    )


async def store_application(conn: Connection, shape: Application) -> Row:
    """Keep a remote instance's site actor: site-wide activities reach only such instances."""
    sidebar = markdown_of(shape.content, shape.media_type, shape.source) or None
    values: dict[str, Any] = {
        "name": shape.name[:20] or urls.domain(shape.id)[:20],
        "sidebar": sidebar,
        "description": clip(shape.summary, 150),
        "icon": web_url(first_image(shape.icon)),
        "banner": web_url(first_image(shape.image)),
        "inbox_url": shape.inbox,
        "public_key": shape.public_key.public_key_pem,
        "content_warning": shape.content_warning,
        "updated": parse_time(shape.updated),
        "last_refreshed_at": utcnow(),
    }
    return await upsert.store(
        conn,
        m.site,
        "actor_id",
        {"actor_id": shape.id, **values},
        on_insert={
            "instance_id": await instance_id_for(conn, urls.domain(shape.id)),
            "published": parse_time(shape.published) or utcnow(),
        },
    )
