"""Purges: an admin deletes a person, community, post or comment for good.

Unlike removal, nothing is left to restore; the database's cascades delete what hangs off
the row (votes, saves, reports, modlog entries about it). Before a row goes, every counter
it is part of is moved back through `counters`, so `moot admin recount` agrees afterwards.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions import counters, votes
from moot.actions.actor import Actor
from moot.actions.authority import check_higher_admin, require_admin
from moot.actions.communities import drop_follower
from moot.actions.lookups import get_comment, get_community, get_person, get_post
from moot.actions.modlog import Kind, clean_reason, record
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import publish_moderation as publish


async def _drop_comment(conn: Connection, comment: Row, post: Row) -> None:
    """One comment goes; its replies stay where they are, as in Lemmy."""
    await counters.comment_purged(conn, comment, post, with_post=False)
    await conn.execute(sa.delete(m.comment).where(m.comment.c.id == comment["id"]))


async def _drop_post(conn: Connection, post: Row) -> None:
    """A post goes with its whole thread."""
    thread = await conn.fetch_all(sa.select(m.comment).where(m.comment.c.post_id == post["id"]))
    for comment in thread:
        await counters.comment_purged(conn, comment, post, with_post=True)
    await counters.post_purged(conn, post)
    await conn.execute(sa.delete(m.post).where(m.post.c.id == post["id"]))


async def _drop_community(conn: Connection, community: Row) -> None:
    for post in await conn.fetch_all(
        sa.select(m.post).where(m.post.c.community_id == community["id"])
    ):
        await _drop_post(conn, post)
    if community["local"] and not community["deleted"]:
        await counters.site_counted(conn, "communities", -1)
    await conn.execute(sa.delete(m.community).where(m.community.c.id == community["id"]))


async def purge_comment(
    conn: Connection, actor: Actor, comment_id: int, reason: str | None
) -> None:
    require_admin(actor)
    comment = await get_comment(conn, comment_id)
    post = await get_post(conn, int(comment["post_id"]))
    reason = await clean_reason(conn, reason)
    # Lemmy tells the other instances of a purge as of a removal.
    await publish.comment_removed(conn, actor, comment, post, True, reason)
    await _drop_comment(conn, comment, post)
    await record(
        conn, Kind.ADMIN_PURGE_COMMENT, actor.person_id, post_id=int(post["id"]), reason=reason
    )


async def purge_post(conn: Connection, actor: Actor, post_id: int, reason: str | None) -> None:
    require_admin(actor)
    post = await get_post(conn, post_id)
    reason = await clean_reason(conn, reason)
    await publish.post_removed(conn, actor, post, True, reason)
    await _drop_post(conn, post)
    await record(
        conn,
        Kind.ADMIN_PURGE_POST,
        actor.person_id,
        community_id=int(post["community_id"]),
        reason=reason,
    )


async def purge_community(
    conn: Connection, actor: Actor, community_id: int, reason: str | None
) -> None:
    require_admin(actor)
    community = await get_community(conn, community_id)
    reason = await clean_reason(conn, reason)
    await _drop_community(conn, community)
    await record(conn, Kind.ADMIN_PURGE_COMMUNITY, actor.person_id, reason=reason)


async def purge_person(conn: Connection, actor: Actor, person_id: int, reason: str | None) -> None:
    """The person and everything they wrote, voted and followed."""
    require_admin(actor)
    if person_id == actor.person_id:
        # The modlog entry names the admin who purged; it cannot outlive them.
        raise ApiError(ErrorCode.NOT_HIGHER_ADMIN)
    person = await get_person(conn, person_id)
    await check_higher_admin(conn, actor.person_id, [person_id])
    reason = await clean_reason(conn, reason)
    # Told as Lemmy tells it: a site ban taking the person's content with it (a local
    # person), or bans from the local communities they wrote in (a remote one).
    await publish.site_ban(conn, actor, person, True, remove_data=True, reason=reason, until=None)
    await publish.bans_in_local_communities(
        conn, actor, person, True, remove_data=True, reason=reason
    )
    await votes.withdraw_all_votes(conn, person_id)
    p, c = m.post.c, m.comment.c
    for post in await conn.fetch_all(sa.select(m.post).where(p.creator_id == person_id)):
        await _drop_post(conn, post)
    for comment in await conn.fetch_all(
        sa.select(m.comment).where(c.creator_id == person_id).order_by(c.id)
    ):
        await _drop_comment(conn, comment, await get_post(conn, int(comment["post_id"])))
    follows = await conn.fetch_all(
        sa.select(m.community_follower.c.community_id).where(
            m.community_follower.c.person_id == person_id
        )
    )
    for row in follows:
        await drop_follower(conn, int(row["community_id"]), person_id)
    if await conn.scalar(
        sa.select(sa.func.count())
        .select_from(m.local_user)
        .where(m.local_user.c.person_id == person_id)
    ):
        await counters.site_counted(conn, "users", -1)
    await conn.execute(sa.delete(m.person).where(m.person.c.id == person_id))
    await record(conn, Kind.ADMIN_PURGE_PERSON, actor.person_id, reason=reason)
