"""Multi-community feeds (Lemmy 1.0): a person's named list of communities, local or
remote, which anyone can read and members follow. Create, edit (or delete), add and
remove a community, follow: one path each, for API v4, the web and federation.

Counters (`communities`, `subscribers`, `subscribers_local`) move in the statement that
follows the row change which caused them, only when that statement changed a row, so two
requests at once count once (`moot admin recount` recomputes them: moot/db/recount.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from moot import auth, validation
from moot.actions.lookups import get_community
from moot.actions.site import load_site, local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent, insert_new
from moot.errors import ApiError, ErrorCode
from moot.federation import urls

# As Lemmy 1.0: a feed lists at most 50 communities (its listing reads one index range
# per community, so the bound is also the listing's cost bound).
ENTRY_LIMIT = 50
SUMMARY_MAX_CHARS = 255

f = m.multi_community.c


async def get_feed(conn: Connection, feed_id: int) -> Row:
    row = await conn.fetch_one(sa.select(m.multi_community).where(f.id == feed_id))
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_MULTI_COMMUNITY)
    return row


async def feed_by_name(conn: Connection, name: str, instance_id: int | None = None) -> Row:
    """A feed by its name: `name` alone is a local one, `name@domain` one from elsewhere."""
    where: list[sa.ColumnElement[bool]] = []
    if "@" in name:
        name, host = name.split("@", 1)
        domain = urls.hostname_domain(host)  # instances are told apart without the port
        i = m.instance.c
        where.append(f.instance_id == sa.select(i.id).where(i.domain == domain).scalar_subquery())
    elif instance_id is not None:
        where.append(f.instance_id == instance_id)
    else:
        where.append(f.local)
    row = await conn.fetch_one(sa.select(m.multi_community).where(f.name == name, *where))
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_MULTI_COMMUNITY)
    return row


def _text(changes: dict[str, Any], slurs: Any) -> dict[str, Any]:
    """The title, summary and sidebar `changes` sets; an empty one clears it."""
    values: dict[str, Any] = {}
    if changes.get("title") is not None:
        title = changes["title"].strip()
        values["title"] = validation.check_community_title(title) if title else None
    if changes.get("summary") is not None:
        summary = changes["summary"].strip()
        if len(summary) > SUMMARY_MAX_CHARS or "\n" in summary:
            raise ApiError(
                ErrorCode.INVALID_BODY_FIELD,
                f"a summary is one line of at most {SUMMARY_MAX_CHARS} characters",
            )
        values["summary"] = summary or None
    if changes.get("sidebar") is not None:
        sidebar = changes["sidebar"].strip()
        if sidebar:
            validation.check_body(sidebar)
        values["sidebar"] = sidebar or None
    for text in values.values():
        if text:
            validation.check_slurs(text, slurs)
    return values


async def create_feed(
    conn: Connection, settings: Settings, viewer: auth.Viewer, changes: dict[str, Any]
) -> Row:
    """A new local feed owned by the viewer. The name is unique on the site: two creations
    of one name at once make one feed, and the other is told it exists."""
    _, local = await load_site(conn)
    slurs = validation.compile_slur_filter(local["slur_filter_regex"])
    name = str(changes.get("name") or "")
    validation.check_actor_name(name, local["actor_name_max_length"])
    validation.check_slurs(name, slurs)
    values = _text(changes, slurs)
    ap_id = f"{settings.origin}/m/{name}"
    now = utcnow()
    feed_id = await insert_new(
        conn,
        m.multi_community,
        ("instance_id", "name"),
        {
            "creator_id": viewer.person_id,
            "instance_id": await local_instance_id(conn, settings.hostname),
            "name": name,
            "ap_id": ap_id,
            "following_url": f"{ap_id}/following",
            "local": True,
            "published": now,
            "last_refreshed_at": now,
            **values,
        },
    )
    if feed_id is None:
        raise ApiError(ErrorCode.MULTI_COMMUNITY_ALREADY_EXISTS)
    return await get_feed(conn, feed_id)


async def _owned(conn: Connection, viewer: auth.Viewer, feed_id: int) -> Row:
    """The feed, if the viewer may change it: its owner's, and kept here."""
    feed = await get_feed(conn, feed_id)
    if int(feed["creator_id"]) != viewer.person_id or not feed["local"]:
        raise ApiError(ErrorCode.MULTI_COMMUNITY_UPDATE_WRONG_USER)
    return feed


async def edit_feed(
    conn: Connection, viewer: auth.Viewer, feed_id: int, changes: dict[str, Any]
) -> Row:
    """Change a feed's texts, or delete (`deleted`) or restore it; its owner only."""
    await _owned(conn, viewer, feed_id)
    _, local = await load_site(conn)
    values = _text(changes, validation.compile_slur_filter(local["slur_filter_regex"]))
    if changes.get("deleted") is not None:
        values["deleted"] = bool(changes["deleted"])
    if values:
        await conn.execute(
            sa.update(m.multi_community).where(f.id == feed_id).values(**values, updated=utcnow())
        )
    return await get_feed(conn, feed_id)


async def add_community(
    conn: Connection, viewer: auth.Viewer, feed_id: int, community_id: int
) -> Row:
    """Put a community in the viewer's feed (again: nothing changes). Returns the community.

    The count moves in the statement that also checks the limit, under the feed row's lock:
    adds racing for the last place leave at most ENTRY_LIMIT, and the refused one's insert
    is rolled back with its transaction."""
    await _owned(conn, viewer, feed_id)
    community = await get_community(conn, community_id)
    if community["deleted"] or community["removed"]:
        raise ApiError(ErrorCode.DELETED)
    t = m.multi_community_entry
    if await insert_if_absent(
        conn,
        t,
        ("multi_community_id", "community_id"),
        multi_community_id=feed_id,
        community_id=community_id,
    ):
        counted = await conn.scalar(
            sa.update(m.multi_community)
            .where(f.id == feed_id, f.communities < ENTRY_LIMIT)
            .values(communities=f.communities + 1, updated=utcnow())
            .returning(f.id)
        )
        if counted is None:
            raise ApiError(ErrorCode.MULTI_COMMUNITY_ENTRY_LIMIT_REACHED)
    return community


async def remove_community(
    conn: Connection, viewer: auth.Viewer, feed_id: int, community_id: int
) -> None:
    """Take a community out of the viewer's feed (not in it: nothing changes)."""
    await _owned(conn, viewer, feed_id)
    t = m.multi_community_entry
    gone = await conn.scalar(
        sa.delete(t)
        .where(t.c.multi_community_id == feed_id, t.c.community_id == community_id)
        .returning(t.c.id)
    )
    if gone is not None:
        await conn.execute(
            sa.update(m.multi_community)
            .where(f.id == feed_id)
            .values(communities=f.communities - 1, updated=utcnow())
        )


async def set_entries(conn: Connection, feed_id: int, community_ids: list[int]) -> None:
    """A remote feed's entries as its home says they are now (its `following` collection,
    moot/federation/objects/feed.py); the count is set from the rows in one statement."""
    t = m.multi_community_entry
    wanted = sorted(set(community_ids))[:ENTRY_LIMIT]
    await conn.execute(
        sa.delete(t).where(t.c.multi_community_id == feed_id, t.c.community_id.not_in(wanted))
    )
    for community_id in wanted:
        await insert_if_absent(
            conn,
            t,
            ("multi_community_id", "community_id"),
            multi_community_id=feed_id,
            community_id=community_id,
        )
    await conn.execute(
        sa.update(m.multi_community)
        .where(f.id == feed_id)
        .values(
            communities=sa.select(sa.func.count())
            .select_from(t)
            .where(t.c.multi_community_id == feed_id)
            .scalar_subquery()
        )
    )


async def follow_feed(conn: Connection, viewer: auth.Viewer, feed_id: int, follow: bool) -> Row:
    """Follow or stop following a feed (its posts then list under the member's feeds). A
    repeated follow or unfollow changes nothing."""
    feed = await get_feed(conn, feed_id)
    t = m.multi_community_follow
    delta = 0
    if follow:
        if feed["deleted"]:
            raise ApiError(ErrorCode.DELETED)
        inserted = await insert_if_absent(
            conn,
            t,
            ("multi_community_id", "person_id"),
            multi_community_id=feed_id,
            person_id=viewer.person_id,
            published=utcnow(),
        )
        delta = 1 if inserted else 0
    else:
        gone = await conn.scalar(
            sa.delete(t)
            .where(t.c.multi_community_id == feed_id, t.c.person_id == viewer.person_id)
            .returning(t.c.id)
        )
        delta = -1 if gone is not None else 0
    if delta:
        await conn.execute(
            sa.update(m.multi_community)
            .where(f.id == feed_id)
            .values(
                subscribers=f.subscribers + delta, subscribers_local=f.subscribers_local + delta
            )
        )
    return await get_feed(conn, feed_id)


async def entry_ids(conn: Connection, feed_id: int) -> list[int]:
    t = m.multi_community_entry
    rows = await conn.fetch_all(
        sa.select(t.c.community_id)
        .where(t.c.multi_community_id == feed_id)
        .order_by(t.c.community_id)
    )
    return [int(r["community_id"]) for r in rows]
