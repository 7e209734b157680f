"""Purges: an admin deletes a person, community, post or comment for good.

Unlike removal, nothing is left to restore; the database's cascades delete what hangs off
the row (votes, saves, reports, modlog entries about it). Before a row goes, every counter
it is part of is moved back through `counters`, so `moot admin recount` agrees afterwards.

A purge touches many rows, so it first finds them all, locks them in the order of
moot/actions/locks.py (and the stronger lock that deletion needs, which also holds back new
replies and votes that would refer to them), then reads them again: what it counts back is
what it deletes. If a row joined the set between the first look and the lock (a reply that
committed in between), the purge starts over rather than let a cascade take an uncounted
row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from moot.actions import counters, votes
from moot.actions.actor import Actor
from moot.actions.authority import check_higher_admin, require_admin
from moot.actions.communities import drop_follower
from moot.actions.locks import lock_rows
from moot.actions.lookups import get_comment, get_community, get_person, get_post
from moot.actions.modlog import Kind, clean_reason, record
from moot.db import models as m
from moot.db.engine import Conflict, Connection, Row
from moot.db.paths import ancestor_ids
from moot.errors import ApiError, ErrorCode
from moot.federation import publish_moderation as publish

P, C = m.post.c, m.comment.c


@dataclass
class _Doomed:
    """The rows a purge changes or deletes, as ids per table."""

    comments: set[int] = field(default_factory=set)
    posts: set[int] = field(default_factory=set)
    communities: set[int] = field(default_factory=set)
    persons: set[int] = field(default_factory=set)

    def add_comments(self, rows: list[Row]) -> None:
        """Comments with what their counters live on: ancestors, post, creator."""
        for row in rows:
            self.comments.update([int(row["id"]), *ancestor_ids(row["path"])])
            self.posts.add(int(row["post_id"]))
            self.persons.add(int(row["creator_id"]))

    def add_posts(self, rows: list[Row]) -> None:
        for row in rows:
            self.posts.add(int(row["id"]))
            self.communities.add(int(row["community_id"]))
            self.persons.add(int(row["creator_id"]))


async def _with_communities(conn: Connection, doomed: _Doomed) -> _Doomed:
    """Every post's community joins the set (a comment's post may be outside it)."""
    if doomed.posts:
        rows = await conn.fetch_all(sa.select(P.community_id).where(P.id.in_(sorted(doomed.posts))))
        doomed.communities.update(int(r["community_id"]) for r in rows)
    return doomed


async def _lock_stable(conn: Connection, find: Callable[[], Awaitable[_Doomed]]) -> None:
    """Lock the rows `find` names, then make sure it names no new one."""
    before = await _with_communities(conn, await find())
    await lock_rows(
        conn,
        comments=before.comments,
        posts=before.posts,
        communities=before.communities,
        persons=before.persons,
        for_delete=True,
    )
    after = await _with_communities(conn, await find())
    if not (
        after.comments <= before.comments
        and after.posts <= before.posts
        and after.communities <= before.communities
        and after.persons <= before.persons
    ):
        raise Conflict("rows joined a purge while it locked them")


def _thread_of(post_ids: sa.ColumnElement[bool]) -> sa.Select[tuple[object, ...]]:
    return sa.select(C.id, C.path, C.post_id, C.creator_id).where(post_ids)


async def _drop_comment(conn: Connection, comment: Row, post: Row) -> None:
    """One comment goes; its replies stay where they are, as in Lemmy."""
    await counters.comment_purged(conn, comment, post, with_post=False)
    await conn.execute(sa.delete(m.comment).where(C.id == comment["id"]))


async def _drop_posts(conn: Connection, where: sa.ColumnElement[bool]) -> None:
    """The posts `where` picks go with their whole threads (the rows are locked)."""
    for post in await conn.fetch_all(sa.select(m.post).where(where).order_by(P.id)):
        thread = await conn.fetch_all(
            sa.select(m.comment).where(C.post_id == post["id"]).order_by(C.id)
        )
        for comment in thread:
            await counters.comment_purged(conn, comment, post, with_post=True)
        await counters.post_purged(conn, post)
        await conn.execute(sa.delete(m.post).where(P.id == post["id"]))


async def purge_comment(
    conn: Connection, actor: Actor, comment_id: int, reason: str | None
) -> None:
    require_admin(actor)
    reason = await clean_reason(conn, reason)

    async def find() -> _Doomed:
        doomed = _Doomed()
        doomed.add_comments([await get_comment(conn, comment_id)])
        return doomed

    await _lock_stable(conn, find)
    comment = await get_comment(conn, comment_id)
    post = await get_post(conn, int(comment["post_id"]))
    # Lemmy tells the other instances of a purge as of a removal.
    await publish.comment_removed(conn, actor, comment, post, True, reason)
    await _drop_comment(conn, comment, post)
    await record(
        conn, Kind.ADMIN_PURGE_COMMENT, actor.person_id, post_id=int(post["id"]), reason=reason
    )


async def purge_post(conn: Connection, actor: Actor, post_id: int, reason: str | None) -> None:
    require_admin(actor)
    reason = await clean_reason(conn, reason)

    async def find() -> _Doomed:
        doomed = _Doomed()
        doomed.add_posts([await get_post(conn, post_id)])
        doomed.add_comments(await conn.fetch_all(_thread_of(C.post_id == post_id)))
        return doomed

    await _lock_stable(conn, find)
    post = await get_post(conn, post_id)
    await publish.post_removed(conn, actor, post, True, reason)
    await _drop_posts(conn, P.id == post_id)
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
    reason = await clean_reason(conn, reason)

    async def find() -> _Doomed:
        await get_community(conn, community_id)
        doomed = _Doomed(communities={community_id})
        doomed.add_posts(
            await conn.fetch_all(sa.select(m.post).where(P.community_id == community_id))
        )
        in_community = sa.select(P.id).where(P.community_id == community_id)
        doomed.add_comments(await conn.fetch_all(_thread_of(C.post_id.in_(in_community))))
        return doomed

    await _lock_stable(conn, find)
    community = await get_community(conn, community_id)
    await _drop_posts(conn, P.community_id == community_id)
    if community["local"] and not community["deleted"]:
        await counters.site_counted(conn, "communities", -1)
    await conn.execute(sa.delete(m.community).where(m.community.c.id == community_id))
    await record(conn, Kind.ADMIN_PURGE_COMMUNITY, actor.person_id, reason=reason)


async def _person_rows(conn: Connection, person_id: int) -> _Doomed:
    """What purging a person touches: their posts with the threads under them, their
    comments, what they voted on (whose creators' scores move), and the person."""
    await get_person(conn, person_id)
    doomed = _Doomed(persons={person_id})
    doomed.add_posts(await conn.fetch_all(sa.select(m.post).where(P.creator_id == person_id)))
    theirs = sa.select(P.id).where(P.creator_id == person_id)
    doomed.add_comments(await conn.fetch_all(_thread_of(C.post_id.in_(theirs))))
    doomed.add_comments(await conn.fetch_all(_thread_of(C.creator_id == person_id)))
    pl, cl = m.post_like, m.comment_like
    doomed.add_posts(
        await conn.fetch_all(
            sa.select(m.post).join(pl, pl.c.post_id == P.id).where(pl.c.person_id == person_id)
        )
    )
    doomed.add_comments(
        await conn.fetch_all(
            sa.select(C.id, C.path, C.post_id, C.creator_id)
            .join(cl, cl.c.comment_id == C.id)
            .where(cl.c.person_id == person_id)
        )
    )
    follows = await conn.fetch_all(
        sa.select(m.community_follower.c.community_id).where(
            m.community_follower.c.person_id == person_id
        )
    )
    doomed.communities.update(int(r["community_id"]) for r in follows)
    return doomed


async def purge_person(conn: Connection, actor: Actor, person_id: int, reason: str | None) -> None:
    """The person and everything they wrote, voted and followed."""
    require_admin(actor)
    if person_id == actor.person_id:
        # The modlog entry names the admin who purged; it cannot outlive them.
        raise ApiError(ErrorCode.NOT_HIGHER_ADMIN)
    await check_higher_admin(conn, actor.person_id, [person_id])
    reason = await clean_reason(conn, reason)
    await _lock_stable(conn, lambda: _person_rows(conn, person_id))
    person = await get_person(conn, person_id)
    # Told as Lemmy tells it: a site ban taking the person's content with it (a local
    # person), or bans from the local communities they wrote in (a remote one).
    await publish.site_ban(conn, actor, person, True, remove_data=True, reason=reason, until=None)
    await publish.bans_in_local_communities(
        conn, actor, person, True, remove_data=True, reason=reason
    )
    await votes.withdraw_all_votes(conn, person_id)
    await _drop_posts(conn, P.creator_id == person_id)
    for comment in await conn.fetch_all(
        sa.select(m.comment).where(C.creator_id == person_id).order_by(C.id)
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
