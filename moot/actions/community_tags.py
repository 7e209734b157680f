"""Lemmy 1.0's community post tags: a community's moderators define them (name, display
name, summary, one of ten colours), authors and moderators put them on posts, listings
filter by them. A remote community's tags arrive with its Group
(moot/federation/objects/tags.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.actions.actor import Actor
from moot.actions.communities import check_mod_or_admin
from moot.actions.lookups import get_community, get_post
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.tags import NAME_MAX, SUMMARY_MAX, TAG_COLORS
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import publish

# More tags than a page can sensibly show on one post; Lemmy sets no number, a bound keeps
# a request from writing thousands of rows.
POST_TAGS_MAX = 20


def tag_url(community: Row, name: str) -> str:
    """A local tag's ActivityPub id, under its community's as Lemmy names them."""
    return f"{community['actor_id']}/tag/{quote(name, safe='')}"


def _text(value: str | None, most: int, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > most:
        raise ApiError(
            ErrorCode.INVALID_BODY_FIELD, f"a tag's {field} has at most {most} characters"
        )
    return text or None


def _color(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in TAG_COLORS:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a tag's colour is one of color01..color10")
    return value


async def get_tag(conn: Connection, tag_id: int) -> Row:
    row = await conn.fetch_one(sa.select(m.community_tag).where(m.community_tag.c.id == tag_id))
    if row is None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such tag")
    return row


async def _local_community_moderated(conn: Connection, actor: Actor, community_id: int) -> Row:
    """The community, when `actor` may change its tags: its moderators and the admins, and
    only here, where it lives (a remote community's tags come with its Group)."""
    community = await get_community(conn, community_id)
    await check_mod_or_admin(conn, actor, community_id)
    if not community["local"]:
        raise ApiError(ErrorCode.OBJECT_NOT_LOCAL)
    return community


async def create_tag(
    conn: Connection,
    actor: Actor,
    community_id: int,
    name: str,
    *,
    display_name: str | None = None,
    summary: str | None = None,
    color: str | None = None,
) -> Row:
    """A new tag. The same name created twice (at once or not) is one tag: the second
    answers `already_exists`; a deleted tag of that name comes back with the new fields."""
    community = await _local_community_moderated(conn, actor, community_id)
    clean = _text(name, NAME_MAX, "name")
    if clean is None:
        raise ApiError(ErrorCode.INVALID_NAME)
    now = utcnow()
    fields: dict[str, Any] = {
        "display_name": _text(display_name, NAME_MAX, "display name"),
        "summary": _text(summary, SUMMARY_MAX, "summary"),
        "color": _color(color) or TAG_COLORS[0],
    }
    t = m.community_tag
    stmt = insert(t).values(
        community_id=community_id,
        name=clean,
        ap_id=tag_url(community, clean),
        published=now,
        **fields,
    )
    # On the natural key; a live tag is left alone (no row returned), a deleted one revived.
    row = await conn.fetch_one(
        stmt.on_conflict_do_update(
            index_elements=[t.c.community_id, t.c.name],
            set_={**fields, "deleted": False, "updated": now},
            where=t.c.deleted,
        ).returning(t)
    )
    if row is None:
        raise ApiError(ErrorCode.ALREADY_EXISTS, "the community has a tag of that name")
    await publish.community_edited(conn, actor, community)
    return row


async def edit_tag(
    conn: Connection,
    actor: Actor,
    tag_id: int,
    *,
    display_name: str | None = None,
    summary: str | None = None,
    color: str | None = None,
) -> Row:
    """Change what is given; an empty display name or summary clears it."""
    tag = await get_tag(conn, tag_id)
    community = await _local_community_moderated(conn, actor, int(tag["community_id"]))
    values: dict[str, Any] = {}
    if display_name is not None:
        values["display_name"] = _text(display_name, NAME_MAX, "display name")
    if summary is not None:
        values["summary"] = _text(summary, SUMMARY_MAX, "summary")
    if color is not None:
        values["color"] = _color(color)
    if not values:
        return tag
    t = m.community_tag
    row = await conn.fetch_one(
        sa.update(t).where(t.c.id == tag_id).values(**values, updated=utcnow()).returning(t)
    )
    assert row is not None  # tags are never deleted as rows, only with their community
    await publish.community_edited(conn, actor, community)
    return row


async def delete_tag(conn: Connection, actor: Actor, tag_id: int, delete: bool) -> Row:
    """Delete (or bring back) a tag. Posts keep their links to it, which every read leaves
    out while it is deleted, so undeleting it puts it back on them."""
    tag = await get_tag(conn, tag_id)
    community = await _local_community_moderated(conn, actor, int(tag["community_id"]))
    t = m.community_tag
    row = await conn.fetch_one(
        sa.update(t)
        .where(t.c.id == tag_id, t.c.deleted == (not delete))
        .values(deleted=delete, updated=utcnow())
        .returning(t)
    )
    if row is None:  # already so (maybe by a request at the same moment)
        return await get_tag(conn, tag_id)
    await publish.community_edited(conn, actor, community)
    return row


async def set_post_tags(conn: Connection, post_id: int, tag_ids: Collection[int]) -> bool:
    """Make `tag_ids` (live tags of the post's community) the post's tags; whether they
    changed. The post row is locked first, so two edits of its tags at once apply one
    after the other; a tag deleted meanwhile stays linked, and hidden, as any deleted tag."""
    wanted = sorted(set(tag_ids))
    if len(wanted) > POST_TAGS_MAX:
        raise ApiError(ErrorCode.TOO_MANY_ITEMS, f"a post has at most {POST_TAGS_MAX} tags")
    post = await get_post(conn, post_id, lock=True)
    t, pt = m.community_tag, m.post_tag
    if wanted:
        found = await conn.fetch_all(
            sa.select(t.c.id).where(
                t.c.id.in_(wanted), t.c.community_id == post["community_id"], ~t.c.deleted
            )
        )
        if len(found) != len(wanted):
            raise ApiError(ErrorCode.TAG_NOT_IN_COMMUNITY)
    having = {
        int(r["tag_id"])
        for r in await conn.fetch_all(sa.select(pt.c.tag_id).where(pt.c.post_id == post_id))
    }
    # Links to deleted tags are nobody's to see or to drop: they stay, hidden.
    hidden = await _deleted_among(conn, having)
    if set(wanted) == having - hidden:
        return False
    gone = having - hidden - set(wanted)
    if gone:
        await conn.execute(sa.delete(pt).where(pt.c.post_id == post_id, pt.c.tag_id.in_(gone)))
    new = [tag for tag in wanted if tag not in having]
    if new:
        await conn.execute(
            insert(pt)
            .values([{"post_id": post_id, "tag_id": tag} for tag in new])
            .on_conflict_do_nothing()
        )
    tagged = bool(wanted) or bool(hidden)
    if tagged != bool(post["tagged"]):
        await conn.execute(sa.update(m.post).where(m.post.c.id == post_id).values(tagged=tagged))
    return True


async def mod_edit_post(
    conn: Connection,
    actor: Actor,
    post_id: int,
    *,
    nsfw: bool | None = None,
    tags: Collection[int] | None = None,
) -> Row:
    """A moderator's (or admin's) change of a post's NSFW flag and tags (Lemmy 1.0's
    ModEditPost), sent on as an Update of the post by the moderator. Lemmy 1.0 keeps no
    modlog entry for it (ModlogKind has none), nor does moot."""
    post = await get_post(conn, post_id)
    await check_mod_or_admin(conn, actor, int(post["community_id"]))
    changed = False
    if nsfw is not None:
        _, local = await load_site(conn)
        value = bool(nsfw) and bool(local["enable_nsfw"])
        changed = (
            await conn.execute(
                sa.update(m.post)
                .where(m.post.c.id == post_id, m.post.c.nsfw == (not value))
                .values(nsfw=value)
            )
            > 0
        )
    if tags is not None:
        changed = await set_post_tags(conn, post_id, tags) or changed
    post = await get_post(conn, post_id)
    if changed:
        await publish.post_saved(conn, actor, post, "Update")
    return post


async def _deleted_among(conn: Connection, tag_ids: Collection[int]) -> set[int]:
    if not tag_ids:
        return set()
    t = m.community_tag
    rows = await conn.fetch_all(sa.select(t.c.id).where(t.c.id.in_(tag_ids), t.c.deleted))
    return {int(r["id"]) for r in rows}


async def ids_by_url(conn: Connection, community_id: int, urls: Sequence[str]) -> list[int]:
    """The ids of the community's live tags named by these ActivityPub ids (a received
    Page's); tags not known here are left out, as Lemmy does."""
    if not urls:
        return []
    t = m.community_tag
    rows = await conn.fetch_all(
        sa.select(t.c.id).where(
            t.c.ap_id.in_(list(urls)), t.c.community_id == community_id, ~t.c.deleted
        )
    )
    return [int(r["id"]) for r in rows]
