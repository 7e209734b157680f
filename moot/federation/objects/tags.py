"""Lemmy 1.0's community post tags on the wire: a Group lists the tags it offers in `tag`,
a Page lists the ones its post carries there too (beside its Hashtag and Mentions), each a
`CommunityPostTag` {id, preferredUsername: name, name: display name, content: summary,
color}. A remote community's tags are stored from its Group here, beside `store_group`."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.tags import NAME_MAX, SUMMARY_MAX, TAG_COLORS
from moot.db.types import utcnow
from moot.federation import urls
from moot.federation.protocol.common import Tag

KIND = "CommunityPostTag"


def tag_json(row: Row) -> Tag:
    return Tag(
        type=KIND,
        id=str(row["ap_id"]),
        preferred_username=str(row["name"]),
        name=row["display_name"] or None,
        content=row["summary"] or None,
        color=str(row["color"]),
    )


def community_tags_in(tags: Sequence[Tag] | None, owner: str) -> list[Tag]:
    """The CommunityPostTags of a `tag` list that the actor `owner` (a Group) may name:
    with an id on its own domain (another server's ids are not its to define)."""
    return [
        t
        for t in tags or ()
        if t.type == KIND
        and t.id
        and t.preferred_username
        and urls.same_domain(t.id, owner)
        and len(t.id) <= 2000
    ]


def _clip(value: str | None, most: int) -> str | None:
    text = (value or "").strip()[:most]
    return text or None


async def store_group_tags(conn: Connection, community: Row, tags: Sequence[Tag]) -> None:
    """A remote community's tags as its Group lists them (`community_tags_in`): each stored
    or refreshed on (community, name), the natural key, and the tags the Group no longer
    lists marked deleted (their posts keep the links, hidden, as for a local deletion)."""
    t = m.community_tag
    community_id = int(community["id"])
    now = utcnow()
    listed: list[str] = []
    for tag in tags:
        name = _clip(tag.preferred_username, NAME_MAX)
        if name is None or tag.id is None or tag.id in listed:
            continue
        values = {
            "ap_id": tag.id,
            "display_name": _clip(tag.name, NAME_MAX),
            "summary": _clip(tag.content, SUMMARY_MAX),
            "color": tag.color if tag.color in TAG_COLORS else TAG_COLORS[0],
            "deleted": False,
        }
        listed.append(tag.id)
        # Known by its id (its name is fixed in Lemmy): refreshed. Otherwise stored, on
        # the natural key, so a fetch and an activity storing it at once make one row.
        mine = sa.and_(t.c.ap_id == tag.id, t.c.community_id == community_id)
        if await conn.execute(sa.update(t).where(mine).values(**values, updated=now)):
            continue
        stmt = insert(t).values(community_id=community_id, name=name, published=now, **values)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.community_id, t.c.name], set_={**values, "updated": now}
            )
        )
    await conn.execute(
        sa.update(t)
        .where(t.c.community_id == community_id, ~t.c.deleted, t.c.ap_id.not_in(listed))
        .values(deleted=True, updated=now)
    )


def page_tag_urls(tags: Sequence[Tag] | None) -> list[str]:
    """The ids of the CommunityPostTags a received Page carries."""
    return [t.id for t in tags or () if t.type == KIND and t.id]
