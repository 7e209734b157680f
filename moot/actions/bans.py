"""Bans: from one community (its moderators) or from the whole site (admins), for good or
until a date, optionally taking the person's content down with them (and back on unban).

A ban stops applying when its time is up: every check compares the expiry with now, and
the scheduler clears expired bans (`clear_expired_bans`) so the flags read right too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from moot import auth
from moot.actions.actor import Actor
from moot.actions.admin import apply_community_removal
from moot.actions.authority import (
    check_higher_admin,
    check_outranks,
    require_admin,
    require_mod_action,
    top_moderator,
)
from moot.actions.communities import drop_follower
from moot.actions.content import Written, written_by
from moot.actions.locks import lock_rows
from moot.actions.lookups import get_community, get_person, get_post
from moot.actions.moderation import apply_comment_removal, apply_post_removal
from moot.actions.modlog import Kind, clean_reason, record
from moot.db import models as m
from moot.db.engine import Connection, Database, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import publish_moderation as publish

# Lemmy's longest ban term: an expiry further away than this is a ban for good.
MAX_BAN_TERM = timedelta(days=10 * 365)


def ban_expiry(expires: int | None) -> datetime | None:
    """`expires` (unix seconds) as the stored expiry; None is a ban without end."""
    if expires is None:
        return None
    try:
        when = datetime.fromtimestamp(expires, UTC)
    except (OverflowError, OSError, ValueError):
        raise ApiError(ErrorCode.INVALID_UNIX_TIME) from None
    now = utcnow()
    if when < now:
        raise ApiError(ErrorCode.BAN_EXPIRATION_IN_PAST)
    return None if when > now + MAX_BAN_TERM else when


async def ban_from_community(
    conn: Connection,
    actor: Actor,
    community_id: int,
    person_id: int,
    ban: bool,
    *,
    remove_data: bool = False,
    reason: str | None = None,
    expires: int | None = None,
) -> Row:
    """Ban (or lift the ban on) a person in one community; returns the person."""
    community = await get_community(conn, community_id)
    await require_mod_action(conn, actor, community)
    person = await get_person(conn, person_id)
    await check_outranks(conn, actor, community, [person_id])
    until = ban_expiry(expires) if ban else None
    reason = await clean_reason(conn, reason)
    # What the ban changes is locked before its first write (moot/actions/content.py).
    content = await _content(conn, person_id, ban, remove_data, community_id)
    t = m.community_person_ban
    if ban:
        # An upsert: a second ban (or one racing it) renews the first's term.
        banned = pg.insert(t).values(
            community_id=community_id, person_id=person_id, published=utcnow(), expires=until
        )
        await conn.execute(
            banned.on_conflict_do_update(
                index_elements=[t.c.community_id, t.c.person_id],
                set_={"published": banned.excluded.published, "expires": banned.excluded.expires},
            )
        )
        await drop_follower(conn, community_id, person_id)
    else:
        await conn.execute(
            sa.delete(t).where(t.c.community_id == community_id, t.c.person_id == person_id)
        )
    await _take_down(conn, actor.person_id, content, ban, reason)
    await record(
        conn,
        Kind.MOD_BAN_FROM_COMMUNITY,
        actor.person_id,
        flag=ban,
        other_person_id=person_id,
        community_id=community_id,
        reason=reason,
        expires=until,
    )
    await publish.community_ban(
        conn, actor, community, person, ban, remove_data=remove_data, reason=reason, until=until
    )
    return person


async def ban_from_site(
    conn: Connection,
    actor: Actor,
    person_id: int,
    ban: bool,
    *,
    remove_data: bool = False,
    reason: str | None = None,
    expires: int | None = None,
) -> Row:
    """Ban (or lift the ban on) a person everywhere on this instance; returns the person."""
    require_admin(actor)
    person = await get_person(conn, person_id)
    await check_higher_admin(conn, actor.person_id, [person_id])
    until = ban_expiry(expires) if ban else None
    reason = await clean_reason(conn, reason)
    led = await _led_communities(conn, person_id) if remove_data else []
    content = await _content(conn, person_id, ban, remove_data, None, [int(c["id"]) for c in led])
    await conn.execute(
        sa.update(m.person).where(m.person.c.id == person_id).values(banned=ban, ban_expires=until)
    )
    if ban:
        # Logged-in sessions end with the ban, as in Lemmy.
        local_user_id = await conn.scalar(
            sa.select(m.local_user.c.id).where(m.local_user.c.person_id == person_id)
        )
        if local_user_id is not None:
            await auth.revoke_all_tokens(conn, int(local_user_id))
    await _take_down(conn, actor.person_id, content, ban, reason)
    for community in led:
        await apply_community_removal(conn, actor.person_id, community, ban, reason)
    await record(
        conn,
        Kind.MOD_BAN,
        actor.person_id,
        flag=ban,
        other_person_id=person_id,
        reason=reason,
        expires=until,
    )
    await publish.site_ban(
        conn, actor, person, ban, remove_data=remove_data, reason=reason, until=until
    )
    await publish.bans_in_local_communities(
        conn, actor, person, ban, remove_data=remove_data, reason=reason
    )
    return await get_person(conn, person_id)


async def _take_down(
    conn: Connection, mod_person_id: int, written: Written, removed: bool, reason: str | None
) -> None:
    """One by one through the same removal as a moderator's, modlog entries included."""
    for post in written.posts:
        await apply_post_removal(conn, mod_person_id, post, removed, reason)
    for comment in written.comments:
        parent = await get_post(conn, int(comment["post_id"]))
        await apply_comment_removal(conn, mod_person_id, comment, parent, removed, reason)


async def _content(
    conn: Connection,
    person_id: int,
    removed: bool,
    remove_data: bool,
    community_id: int | None,
    led: list[int] | None = None,
) -> Written:
    """What a ban with `remove_data` takes down (or an unban puts back), locked with the
    community or the communities the person leads; without, only the person is locked."""
    if not remove_data:
        await lock_rows(
            conn, communities=[] if community_id is None else [community_id], persons=[person_id]
        )
        return Written([], [])
    return await written_by(conn, person_id, "removed", removed, community_id, led or [])


async def _led_communities(conn: Connection, person_id: int) -> list[Row]:
    """The local communities the person leads (top moderator): they go down with a site
    ban that removes content."""
    t = m.community_moderator
    moderated = await conn.fetch_all(
        sa.select(m.community)
        .join(t, t.c.community_id == m.community.c.id)
        .where(t.c.person_id == person_id, m.community.c.local)
        .order_by(m.community.c.id)
    )
    return [c for c in moderated if await top_moderator(conn, int(c["id"])) == person_id]


async def clear_expired_bans(db: Database) -> int:
    """Lift the bans whose time is up; returns how many."""
    now = utcnow()
    async with db.transaction() as tx:
        people = await tx.execute(
            sa.update(m.person)
            .where(m.person.c.banned, m.person.c.ban_expires <= now)
            .values(banned=False, ban_expires=None)
        )
        t = m.community_person_ban
        communities = await tx.execute(sa.delete(t).where(t.c.expires <= now))
    return people + communities
