"""Person: local users as JSON, remote users as rows."""

from __future__ import annotations

from typing import Any

from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.federation import urls
from moot.federation.objects.common import (
    clip,
    display_with_pronouns,
    image,
    instance_id_for,
    markdown_of,
    parse_time,
    source,
    split_pronouns,
    stamp,
    web_url,
)
from moot.federation.protocol.actors import Person
from moot.federation.protocol.common import Endpoints, PublicKey, first_image
from moot.text.markdown import render_markdown


def public_key(actor_id: str, pem: str) -> PublicKey:
    return PublicKey(id=f"{actor_id}#main-key", owner=actor_id, public_key_pem=pem)


def person_json(row: Row, public_pem: str, origin: str) -> Person:
    actor = str(row["actor_id"])
    pronouns = row.get("pronouns")
    return Person(
        type="Service" if row["bot_account"] else "Person",
        id=actor,
        preferred_username=row["name"],
        name=display_with_pronouns(row["display_name"], pronouns),
        summary=row["bio_html"] or None,
        source=source(row["bio"]),
        icon=image(row["avatar"]),
        image=image(row["banner"]),
        matrix_user_id=row["matrix_user_id"] or None,
        inbox=row["inbox_url"],
        outbox=f"{actor}/outbox",
        endpoints=Endpoints(shared_inbox=f"{origin}/inbox"),
        public_key=public_key(actor, public_pem),
        attachment=(
            [{"type": "PropertyValue", "name": "Pronouns", "value": pronouns}] if pronouns else None
        ),
        published=stamp(row["published"]),
        updated=stamp(row["updated"]),
    )


def _pronouns_field(attachment: list[dict[str, Any]] | None) -> str | None:
    for item in attachment or []:
        if (
            isinstance(item, dict)
            and item.get("type") == "PropertyValue"
            and str(item.get("name", "")).strip().lower() == "pronouns"
            and isinstance(item.get("value"), str)
        ):
            return item["value"].strip()[:50] or None
    return None


async def store_person(conn: Connection, shape: Person) -> Row:
    """Insert or refresh a remote person from its JSON."""
    display_name, named_pronouns = split_pronouns(shape.name)
    bio = markdown_of(shape.summary, "text/html", shape.source) or None
    values: dict[str, Any] = {
        "name": shape.preferred_username[:255],
        "display_name": clip(display_name, 255),
        "pronouns": _pronouns_field(shape.attachment) or named_pronouns,
        "avatar": web_url(first_image(shape.icon)),
        "banner": web_url(first_image(shape.image)),
        "bio": bio,
        "bio_html": render_markdown(bio) if bio else None,
        "matrix_user_id": clip(shape.matrix_user_id, 255),
        "bot_account": shape.type == "Service",
        "inbox_url": shape.inbox,
        "shared_inbox_url": shape.endpoints.shared_inbox if shape.endpoints else None,
        "public_key": shape.public_key.public_key_pem,
        "updated": parse_time(shape.updated),
        "last_refreshed_at": utcnow(),
    }
    t = m.person
    # One statement: a fetch and an inbox activity bringing the same person store one row.
    return await upsert.store(
        conn,
        t,
        "actor_id",
        {"actor_id": shape.id, **values},
        on_insert={
            "local": False,
            "instance_id": await instance_id_for(conn, urls.domain(shape.id)),
            "published": parse_time(shape.published) or utcnow(),
        },
        only_if=~t.c.local,  # a local person is never overwritten from outside
    )
