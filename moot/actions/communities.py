"""Communities: create, edit, follow, block, delete."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from moot import auth, validation
from moot.actions import counters
from moot.actions.actor import Actor, RemoteActor
from moot.actions.lookups import get_community
from moot.actions.site import load_site, local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.private import PRIVATE
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.federation import publish
from moot.text.markdown import render_markdown_aside


async def is_moderator(conn: Connection, community_id: int, person_id: int) -> bool:
    t = m.community_moderator
    found = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.community_id == community_id, t.c.person_id == person_id)
    )
    return bool(found)


async def shown_to(conn: Connection, community: Row, viewer: auth.Viewer | None) -> bool:
    """Whether `viewer` may open the community: a removed or deleted one is kept for its
    moderators and the admins (who may restore it), and is gone for everyone else."""
    if not (community["removed"] or community["deleted"]):
        return True
    if viewer is None:
        return False
    return viewer.is_admin or await is_moderator(conn, int(community["id"]), viewer.person_id)


async def check_mod_or_admin(conn: Connection, actor: Actor, community_id: int) -> None:
    if actor.is_admin:
        return
    if not await is_moderator(conn, community_id, actor.person_id):
        raise ApiError(ErrorCode.NOT_A_MOD_OR_ADMIN)


async def is_banned_from(conn: Connection, community_id: int, person_id: int) -> bool:
    t = m.community_person_ban
    found = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(t)
        .where(
            t.c.community_id == community_id,
            t.c.person_id == person_id,
            sa.or_(t.c.expires.is_(None), t.c.expires > utcnow()),
        )
    )
    return bool(found)


async def _text_fields(changes: dict[str, Any], slurs: Any, values: dict[str, Any]) -> None:
    if "title" in changes and changes["title"] is not None:
        title = validation.check_community_title(changes["title"])
        validation.check_slurs(title, slurs)
        values["title"] = title
    if changes.get("description") is not None:
        description = changes["description"].strip() or None
        if description is not None:
            validation.check_slurs(description, slurs)
            validation.check_body(description)
        values["description"] = description
        values["description_html"] = (
            await render_markdown_aside(description) if description else None
        )
    for key in ("icon", "banner"):
        if changes.get(key) is not None:
            url = changes[key].strip()
            values[key] = validation.clean_url(url) if url else None
    for key in ("nsfw", "posting_restricted_to_mods"):
        if changes.get(key) is not None:
            values[key] = bool(changes[key])
    if changes.get("visibility") is not None:
        values["visibility"] = changes["visibility"]


async def create_community(
    conn: Connection, settings: Settings, viewer: auth.Viewer, changes: dict[str, Any]
) -> Row:
    _, local = await load_site(conn)
    if local["community_creation_admin_only"] and not viewer.is_admin:
        raise ApiError(ErrorCode.ONLY_ADMINS_CAN_CREATE_COMMUNITIES)
    slurs = validation.compile_slur_filter(local["slur_filter_regex"])
    name = changes["name"]
    validation.check_slurs(name, slurs)
    validation.check_actor_name(name, local["actor_name_max_length"])
    values: dict[str, Any] = {}
    await _text_fields(changes, slurs, values)
    if values.get("nsfw") and not local["enable_nsfw"]:
        values["nsfw"] = False
    taken = await queries.community_by_name(conn, name) is not None
    if taken:
        raise ApiError(ErrorCode.COMMUNITY_ALREADY_EXISTS)
    now = utcnow()
    actor_id = f"{settings.origin}/c/{name}"
    community_id = await conn.scalar(
        sa.insert(m.community)
        .values(
            name=name,
            published=now,
            actor_id=actor_id,
            inbox_url=f"{actor_id}/inbox",
            followers_url=f"{actor_id}/followers",
            instance_id=await local_instance_id(conn, settings.hostname),
            local=True,
            **values,
        )
        .returning(m.community.c.id)
    )
    # The creator moderates it and follows it, as in Lemmy.
    await conn.execute(
        sa.insert(m.community_moderator).values(
            community_id=community_id, person_id=viewer.person_id, published=now
        )
    )
    await follow(conn, viewer, community_id, True)
    await counters.site_counted(conn, "communities", +1)
    return await get_community(conn, int(community_id))


async def edit_community(
    conn: Connection, viewer: Actor, community_id: int, changes: dict[str, Any]
) -> Row:
    community = await get_community(conn, community_id)
    await check_mod_or_admin(conn, viewer, community_id)
    # v3 shows a private community as Public (moot/api/v3/shapes.py): sent back, it
    # changes nothing.
    keep = changes.get("keep_private") and changes.get("visibility") == "Public"
    if keep and community["visibility"] == PRIVATE:
        changes = {**changes, "visibility": None}
    _, local = await load_site(conn)
    values: dict[str, Any] = {}
    await _text_fields(changes, validation.compile_slur_filter(local["slur_filter_regex"]), values)
    if values:
        await conn.execute(
            sa.update(m.community)
            .where(m.community.c.id == community["id"])
            .values(**values, updated=utcnow())
        )
    community = await get_community(conn, community_id)
    if values:
        await publish.community_edited(conn, viewer, community)
    return community


async def follow(conn: Connection, viewer: Actor, community_id: int, follow: bool) -> Row:
    community = await get_community(conn, community_id)
    t = m.community_follower
    if follow:
        existing = await conn.scalar(
            sa.select(t.c.id).where(
                t.c.community_id == community_id, t.c.person_id == viewer.person_id
            )
        )
        if existing is None:
            # Only a local community checks its bans: a remote one decides itself, and the
            # copy of a ban kept here may have been lifted there (as Lemmy 0.19).
            if community["local"] and await is_banned_from(conn, community_id, viewer.person_id):
                raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
            if community["deleted"] or community["removed"]:
                raise ApiError(ErrorCode.DELETED)
        # Remote communities answer with an Accept; until then the follow is pending. A
        # private community's follow waits for a moderator (Lemmy 1.0's ApprovalRequired,
        # here and at a remote private community's follower alike) and is not counted
        # until approved. The subscriber count moves only when this statement is the one
        # that inserted the row.
        # Its moderators (its creator, following it as it is made) do not wait.
        waits = community["visibility"] == PRIVATE and not await is_moderator(
            conn, community_id, viewer.person_id
        )
        inserted = await insert_if_absent(
            conn,
            t,
            ("community_id", "person_id"),
            community_id=community_id,
            person_id=viewer.person_id,
            published=utcnow(),
            pending=not community["local"],
            approval_required=waits,
        )
        if inserted and not waits:
            await _count_subscriber(
                conn, community_id, +1, local=not isinstance(viewer, RemoteActor)
            )
        # A repeated Follow is answered again: the first Accept may have been lost. A
        # follow still waiting for approval is answered when a moderator decides.
        if not (
            waits and community["local"] and await _awaits_approval(conn, community_id, viewer)
        ):
            await publish.followed(conn, viewer, community, True)
    elif await drop_follower(conn, community_id, viewer.person_id):
        await publish.followed(conn, viewer, community, False)
    return await get_community(conn, community_id)


async def drop_follower(conn: Connection, community_id: int, person_id: int) -> bool:
    """Unfollow on the person's behalf (they left, were banned, or are purged); False when
    they did not follow (or a concurrent unfollow got there first)."""
    t = m.community_follower
    gone = await conn.fetch_one(
        sa.delete(t)
        .where(t.c.community_id == community_id, t.c.person_id == person_id)
        .returning(t.c.id, t.c.approval_required)
    )
    if gone is None:
        return False
    if not gone["approval_required"]:  # a follow awaiting approval was never counted
        local = await conn.scalar(sa.select(m.person.c.local).where(m.person.c.id == person_id))
        await _count_subscriber(conn, community_id, -1, local=bool(local))
    return True


async def follow_accepted(conn: Connection, community_id: int, person_id: int) -> bool:
    """The follow is accepted: by the remote community (its Accept), or by a moderator of a
    private community here. False when there is no such follow (it was cancelled).
    Only the statement that ends the wait for approval counts the subscriber, so of two
    racing approvals one counts."""
    t = m.community_follower
    mine = (t.c.community_id == community_id, t.c.person_id == person_id)
    approved = await conn.fetch_one(
        sa.update(t)
        .where(*mine, t.c.approval_required)
        .values(pending=False, approval_required=False)
        .returning(t.c.id)
    )
    if approved is not None:
        local = await conn.scalar(sa.select(m.person.c.local).where(m.person.c.id == person_id))
        await _count_subscriber(conn, community_id, +1, local=bool(local))
        return True
    return bool(await conn.execute(sa.update(t).where(*mine).values(pending=False)))


async def _awaits_approval(conn: Connection, community_id: int, actor: Actor) -> bool:
    t = m.community_follower
    waits = await conn.scalar(
        sa.select(t.c.approval_required).where(
            t.c.community_id == community_id, t.c.person_id == actor.person_id
        )
    )
    return bool(waits)


async def _count_subscriber(
    conn: Connection, community_id: int, delta: int, *, local: bool
) -> None:
    c = m.community.c
    values = {"subscribers": c.subscribers + delta}
    if local:
        values["subscribers_local"] = c.subscribers_local + delta
    await conn.execute(sa.update(m.community).where(c.id == community_id).values(**values))


async def block(conn: Connection, viewer: auth.Viewer, community_id: int, block: bool) -> Row:
    community = await get_community(conn, community_id)
    t = m.community_block
    if block:
        if await insert_if_absent(
            conn,
            t,
            ("person_id", "community_id"),
            person_id=viewer.person_id,
            community_id=community_id,
            published=utcnow(),
        ):
            # Blocking a community also unfollows it, as in Lemmy.
            await follow(conn, viewer, community_id, False)
    else:
        await conn.execute(
            sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.community_id == community_id)
        )
    return community


async def delete(conn: Connection, viewer: Actor, community_id: int, deleted: bool) -> Row:
    community = await get_community(conn, community_id)
    top = await conn.scalar(
        sa.select(m.community_moderator.c.person_id)
        .where(m.community_moderator.c.community_id == community_id)
        .order_by(m.community_moderator.c.published, m.community_moderator.c.id)
        .limit(1)
    )
    if top != viewer.person_id:
        raise ApiError(ErrorCode.NOT_TOP_MOD)
    # The update names the old state: of two racing requests, one changes the row and
    # moves the site's count.
    changed = await conn.execute(
        sa.update(m.community)
        .where(m.community.c.id == community_id, m.community.c.deleted == (not deleted))
        .values(deleted=deleted, updated=utcnow())
    )
    if changed and community["local"]:
        await counters.site_counted(conn, "communities", -1 if deleted else +1)
    if changed:
        await publish.deleted(conn, viewer, str(community["actor_id"]), community, deleted)
    return await get_community(conn, community_id)
