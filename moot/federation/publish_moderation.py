"""What moderator and admin actions send, as Lemmy 0.19 sends it (reference §4).

Community-scoped activities (removals, locks, featured posts, moderators, community bans)
go through `publish.in_community`: to the community's inbox when it lives elsewhere, in an
Announce to its followers when it lives here, and a remote moderator's activity received
here is announced as it came. Site bans go to every known instance; reports only to the
community and to the reported person's instance, never announced.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from moot.actions.actor import Actor, RemoteActor
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.federation import compose, render
from moot.federation.compose import Json
from moot.federation.objects.common import stamp
from moot.federation.outbox import enqueue, inbox_of
from moot.federation.publish import (
    actor_id_of,
    community_edited,
    community_of,
    in_community,
)


def _collection(community: Row, name: str) -> str:
    """A community's moderators or featured collection (Lemmy's URLs for local ones)."""
    stored = community.get(f"{name}_url")
    return str(stored) if stored else f"{community['actor_id']}/{name}"


async def removed(
    conn: Connection, actor: Actor, ap_id: str, community: Row, removed: bool, reason: str | None
) -> None:
    """A moderator's removal is a Delete with a `summary` ("" without a reason); a restore
    is the Undo of a new one."""

    async def build(origin: str) -> Json:
        delete = compose.delete(
            origin, actor_id_of(actor), ap_id, str(community["actor_id"]), reason or ""
        )
        return delete if removed else compose.undo(origin, delete)

    await in_community(conn, actor, community, build)


async def post_removed(
    conn: Connection, actor: Actor, post: Row, removed_: bool, reason: str | None
) -> None:
    community = await community_of(conn, post)
    await removed(conn, actor, str(post["ap_id"]), community, removed_, reason)


async def comment_removed(
    conn: Connection, actor: Actor, comment: Row, post: Row, removed_: bool, reason: str | None
) -> None:
    community = await community_of(conn, post)
    await removed(conn, actor, str(comment["ap_id"]), community, removed_, reason)


async def community_removed(
    conn: Connection, actor: Actor, community: Row, removed_: bool, reason: str | None
) -> None:
    """Only a community's own instance may remove it, so only a local one is announced."""
    if community["local"]:
        await removed(conn, actor, str(community["actor_id"]), community, removed_, reason)


async def community_hidden(conn: Connection, actor: Actor, community: Row) -> None:
    """Lemmy sends the community again (an Update{Group} by the admin), though the Group
    has no hidden flag: receivers refresh it and nothing else."""
    await community_edited(conn, actor, community)


async def locked(conn: Connection, actor: Actor, post: Row, locked_: bool) -> None:
    community = await community_of(conn, post)

    async def build(origin: str) -> Json:
        lock = compose.lock(
            origin, actor_id_of(actor), str(post["ap_id"]), str(community["actor_id"])
        )
        return lock if locked_ else compose.undo(origin, lock)

    await in_community(conn, actor, community, build)


async def comment_locked(
    conn: Connection,
    actor: Actor,
    comment: Row,
    community: Row,
    locked_: bool,
    reason: str | None,
) -> None:
    """Lemmy 1.0's comment lock: a `Lock` of the Note (lock_note.json), announced by the
    community; unlocking is the Undo of a new one, the reason on the Undo
    (undo_lock_note.json)."""

    async def build(origin: str) -> Json:
        actor_id, community_id = actor_id_of(actor), str(community["actor_id"])
        if locked_:
            return compose.lock_comment(
                origin, actor_id, str(comment["ap_id"]), community_id, reason
            )
        lock = compose.lock_comment(origin, actor_id, str(comment["ap_id"]), community_id)
        undo = compose.undo(origin, lock)
        if reason:
            undo["summary"] = reason
        return undo

    await in_community(conn, actor, community, build)


async def _collection_change(
    conn: Connection,
    actor: Actor,
    community: Row,
    added: bool,
    object_id: str,
    collection: str,
    also_to: Sequence[int] = (),
) -> None:
    async def build(origin: str) -> Json:
        return compose.collection_change(
            "Add" if added else "Remove",
            origin,
            actor_id_of(actor),
            object_id,
            _collection(community, collection),
            str(community["actor_id"]),
        )

    await in_community(conn, actor, community, build, also_to=also_to)


async def featured(conn: Connection, actor: Actor, post: Row, featured_: bool) -> None:
    """Featured in its community (an admin's front-page feature does not federate)."""
    community = await community_of(conn, post)
    await _collection_change(conn, actor, community, featured_, str(post["ap_id"]), "featured")


async def moderator_changed(
    conn: Connection, actor: Actor, community: Row, person: Row, added: bool
) -> None:
    """The person appointed or dismissed gets a copy, wherever they live."""
    await _collection_change(
        conn,
        actor,
        community,
        added,
        str(person["actor_id"]),
        "moderators",
        also_to=[int(person["id"])],
    )


def _block(
    origin: str,
    actor: Actor,
    person: Row,
    target: str,
    cc: list[str],
    community: str | None,
    ban: bool,
    remove_data: bool,
    reason: str | None,
    until: datetime | None,
) -> Json:
    """Block, or (lifting the ban) the Undo of a new Block without data or expiry."""
    if ban:
        return compose.block(
            origin,
            actor_id_of(actor),
            str(person["actor_id"]),
            target,
            cc,
            community=community,
            remove_data=remove_data,
            summary=reason,
            expires=stamp(until),
        )
    inner = compose.block(
        origin,
        actor_id_of(actor),
        str(person["actor_id"]),
        target,
        cc,
        community=community,
        remove_data=None,
        summary=reason,
        expires=None,
    )
    return compose.undo_block(origin, inner, remove_data)


async def community_ban(
    conn: Connection,
    actor: Actor,
    community: Row,
    person: Row,
    ban: bool,
    *,
    remove_data: bool,
    reason: str | None,
    until: datetime | None,
) -> None:
    """Through the community, and to the banned person."""
    community_actor = str(community["actor_id"])

    async def build(origin: str) -> Json:
        return _block(
            origin,
            actor,
            person,
            community_actor,
            [community_actor],
            community_actor,
            ban,
            remove_data,
            reason,
            until,
        )

    await in_community(conn, actor, community, build, also_to=[int(person["id"])])


async def _remote_sites(conn: Connection) -> list[str]:
    local = sa.select(m.local_site.c.site_id)
    rows = await conn.fetch_all(
        sa.select(m.site.c.actor_id).where(m.site.c.id.not_in(local)).order_by(m.site.c.id)
    )
    return [str(r["actor_id"]) for r in rows]


async def site_ban(
    conn: Connection,
    actor: Actor,
    person: Row,
    ban: bool,
    *,
    remove_data: bool,
    reason: str | None,
    until: datetime | None,
) -> None:
    """A ban from this site reaches every instance, for this instance's own users only; a
    remote person's ban travels as community bans (`bans_in_local_communities`)."""
    if isinstance(actor, RemoteActor) or not person["local"]:
        return
    origin = await queries.local_origin(conn)
    activity = _block(
        origin,
        actor,
        person,
        f"{origin}/",
        await _remote_sites(conn),
        None,
        ban,
        remove_data,
        reason,
        until,
    )
    await enqueue(conn, activity, actor_id_of(actor), all_instances=True)


async def bans_in_local_communities(
    conn: Connection,
    actor: Actor,
    person: Row,
    ban: bool,
    *,
    remove_data: bool,
    reason: str | None,
) -> None:
    """Lemmy's answer to site bans federating only for local users: a remote person banned
    (or purged) here is banned from each local community they wrote in, so the instances
    following those communities take their content there down too."""
    if isinstance(actor, RemoteActor) or person["local"]:
        return
    p, c = m.post.c, m.comment.c
    wrote_posts = sa.select(p.community_id).where(p.creator_id == person["id"])
    wrote_comments = (
        sa.select(p.community_id)
        .join(m.comment, c.post_id == p.id)
        .where(c.creator_id == person["id"])
    )
    communities = await conn.fetch_all(
        sa.select(m.community)
        .where(
            m.community.c.local,
            sa.or_(m.community.c.id.in_(wrote_posts), m.community.c.id.in_(wrote_comments)),
        )
        .order_by(m.community.c.id)
    )
    for community in communities:
        await community_ban(
            conn, actor, community, person, ban, remove_data=remove_data, reason=reason, until=None
        )


async def reported(
    conn: Connection, actor: Actor, ap_id: str, creator_id: int, community: Row, reason: str
) -> None:
    """A Flag to the community (when it lives elsewhere) and to the site inbox of the
    reported person's instance (when moot knows it); never announced."""
    if isinstance(actor, RemoteActor):
        return
    inboxes = [] if community["local"] else [inbox_of(community)]
    creator = await render.one(conn, m.person, creator_id)
    if not creator["local"]:
        site_inbox = await conn.scalar(
            sa.select(m.site.c.inbox_url).where(m.site.c.instance_id == creator["instance_id"])
        )
        if site_inbox:
            inboxes.append(str(site_inbox))
    if not inboxes:
        return
    origin = await queries.local_origin(conn)
    activity = compose.flag(origin, actor_id_of(actor), ap_id, str(community["actor_id"]), reason)
    await enqueue(conn, activity, actor_id_of(actor), inboxes=inboxes)


async def warned(
    conn: Connection, actor: Actor, ap_id: str, author_id: int, community: Row, reason: str
) -> None:
    """A local moderator's warning reaches a remote author at their own inbox, as Lemmy 1.0
    sends it: never announced, nobody else gets a copy."""
    if isinstance(actor, RemoteActor):
        return
    author = await render.one(conn, m.person, author_id)
    if author["local"]:
        return
    origin = await queries.local_origin(conn)
    activity = compose.warn(
        origin,
        actor_id_of(actor),
        ap_id,
        str(author["actor_id"]),
        str(community["actor_id"]),
        reason,
    )
    await enqueue(conn, activity, actor_id_of(actor), inboxes=[inbox_of(author)])
