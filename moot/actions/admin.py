"""What only admins do: appoint and dismiss admins, hide and remove communities.

Site bans are in `bans`, purges in `purge`, registration applications in `registrations`.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions.actor import Actor
from moot.actions.authority import check_higher_admin, require_admin
from moot.actions.lookups import get_community, get_person
from moot.actions.modlog import Kind, clean_reason, record
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import publish_moderation as publish


async def set_admin(conn: Connection, actor: Actor, person_id: int, added: bool) -> None:
    require_admin(actor)
    await get_person(conn, person_id)
    local_user_id = await conn.scalar(
        sa.select(m.local_user.c.id).where(m.local_user.c.person_id == person_id)
    )
    if local_user_id is None:
        raise ApiError(ErrorCode.OBJECT_NOT_LOCAL)
    if not added:
        await check_higher_admin(conn, actor.person_id, [person_id])
    await conn.execute(
        sa.update(m.local_user).where(m.local_user.c.id == local_user_id).values(admin=added)
    )
    await record(conn, Kind.MOD_ADD, actor.person_id, flag=not added, other_person_id=person_id)


async def leave_admin(conn: Connection, actor: Actor) -> None:
    """An admin steps down, unless they are the last one."""
    require_admin(actor)
    # Locking the admins' rows makes two admins leaving at once take turns: the second
    # counts after the first has gone, and one admin always stays.
    admins = await conn.fetch_all(
        sa.select(m.local_user.c.id, m.local_user.c.person_id)
        .where(m.local_user.c.admin)
        .order_by(m.local_user.c.id)
        .with_for_update(key_share=True)
    )
    # The actor was read before the lock: a leave of theirs that committed meanwhile (the
    # same request sent twice) has made them a member, and this one has nothing to do.
    if all(int(row["person_id"]) != actor.person_id for row in admins):
        raise ApiError(ErrorCode.NOT_AN_ADMIN)
    if len(admins) <= 1:
        raise ApiError(ErrorCode.CANNOT_LEAVE_ADMIN)
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.person_id == actor.person_id)
        .values(admin=False)
    )
    await record(conn, Kind.MOD_ADD, actor.person_id, flag=True, other_person_id=actor.person_id)


async def hide_community(
    conn: Connection, actor: Actor, community_id: int, hidden: bool, reason: str | None
) -> None:
    """A hidden community stays reachable but leaves the All and Local listings."""
    require_admin(actor)
    await get_community(conn, community_id)
    reason = await clean_reason(conn, reason)
    await conn.execute(
        sa.update(m.community).where(m.community.c.id == community_id).values(hidden=hidden)
    )
    await record(
        conn,
        Kind.MOD_HIDE_COMMUNITY,
        actor.person_id,
        flag=hidden,
        community_id=community_id,
        reason=reason,
    )
    await publish.community_hidden(conn, actor, await get_community(conn, community_id))


async def apply_community_removal(
    conn: Connection, mod_person_id: int, community: Row, removed: bool, reason: str | None
) -> None:
    """Remove or restore a community, already authorised, and log it."""
    await conn.execute(
        sa.update(m.community).where(m.community.c.id == community["id"]).values(removed=removed)
    )
    await record(
        conn,
        Kind.MOD_REMOVE_COMMUNITY,
        mod_person_id,
        flag=removed,
        community_id=int(community["id"]),
        reason=reason,
    )


async def remove_community(
    conn: Connection, actor: Actor, community_id: int, removed: bool, reason: str | None
) -> Row:
    require_admin(actor)
    community = await get_community(conn, community_id)
    reason = await clean_reason(conn, reason)
    await apply_community_removal(conn, actor.person_id, community, removed, reason)
    await publish.community_removed(conn, actor, community, removed, reason)
    return await get_community(conn, community_id)
