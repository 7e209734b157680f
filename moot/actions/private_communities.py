"""Private communities (Lemmy 1.0): follows wait for a moderator's approval, and the
content is read only by approved followers, moderators and admins.

Which rows a listing shows is decided in its own statement (moot/db/private.py); here are
the rules for opening one thing, taking part, and the moderator's decision on a follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot.actions import communities
from moot.actions.actor import Actor
from moot.actions.authority import require_mod_action, require_mod_somewhere_or_admin
from moot.actions.lookups import get_community
from moot.auth import Viewer
from moot.db import models as m
from moot.db import private
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import publish


async def require_readable(
    conn: Connection, viewer: Viewer | None, community: Row | int, code: ErrorCode
) -> None:
    """`code` (a not-found) unless the viewer may read the community's content. Given the
    community's row, a community that is not private costs no statement."""
    if not isinstance(community, int):
        if community["visibility"] != private.PRIVATE:
            return
        community = int(community["id"])
    if not await private.readable(conn, community, viewer.person_id if viewer else None):
        raise ApiError(code)


def may_take_part(
    community: Row, actor: Actor, *, approved_follower: bool, moderator: bool
) -> bool:
    """Whether the actor may post, comment, vote or report in the community: in a private
    one only approved followers, its moderators and admins (to the others it is hidden)."""
    if community["visibility"] != private.PRIVATE:
        return True
    return approved_follower or moderator or actor.is_admin


async def approved_follower(conn: Connection, community_id: int, person_id: int) -> bool:
    t = m.community_follower
    found = await conn.scalar(
        sa.select(sa.func.count()).where(
            t.c.community_id == community_id, t.c.person_id == person_id, ~t.c.approval_required
        )
    )
    return bool(found)


async def decide_follow(
    conn: Connection, actor: Actor, community_id: int, follower_id: int, approve: bool
) -> None:
    """A moderator approves a follow of their (local) community, or denies it (the follow
    is removed, as in Lemmy 1.0, even one approved before). A remote follower is told by
    Accept or Reject."""
    community = await get_community(conn, community_id)
    await require_mod_action(conn, actor, community)
    if not community["local"]:
        raise ApiError(ErrorCode.NOT_A_MOD_OR_ADMIN, "the community's own instance decides")
    follower = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == follower_id))
    if follower is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    if approve:
        if not await communities.follow_accepted(conn, community_id, follower_id):
            raise ApiError(ErrorCode.NOT_FOUND, "no follow to approve")
    elif not await communities.drop_follower(conn, community_id, follower_id):
        raise ApiError(ErrorCode.NOT_FOUND, "no follow to deny")
    if not follower["local"]:
        await publish.follow_decided(conn, community, follower, approve)


@dataclass(frozen=True)
class PendingFollow:
    follow_id: int
    person: Row
    community: Row
    approval_required: bool
    is_new_instance: bool


async def pending_follows(
    conn: Connection,
    viewer: Viewer,
    *,
    all_communities: bool,
    unread_only: bool,
    offset: int,
    limit: int,
    community_id: int | None = None,
) -> list[PendingFollow]:
    """The follows of the private communities the viewer moderates (an admin asking for
    all: of every local private one), newest first; `unread_only`: those still awaiting
    approval. `is_new_instance`: no approved follower from the follower's instance yet
    (approving sends the community's content to one more instance)."""
    await require_mod_somewhere_or_admin(conn, viewer)
    f, c, p, mod = m.community_follower, m.community, m.person, m.community_moderator
    other = f.alias("other")
    other_person = p.alias("other_person")
    known_instance = sa.exists().where(
        other.c.community_id == f.c.community_id,
        ~other.c.approval_required,
        other_person.c.id == other.c.person_id,
        other_person.c.instance_id == p.c.instance_id,
    )
    query = (
        sa.select(f.c.id.label("follow_id"), f.c.approval_required, known_instance.label("known"))
        .add_columns(*(col.label("p__" + col.name) for col in p.c))
        .add_columns(*(col.label("c__" + col.name) for col in c.c))
        .select_from(f.join(p, p.c.id == f.c.person_id).join(c, c.c.id == f.c.community_id))
        .where(c.c.visibility == private.PRIVATE, c.c.local)
    )
    if not (all_communities and viewer.is_admin):
        query = query.where(
            f.c.community_id.in_(
                sa.select(mod.c.community_id).where(mod.c.person_id == viewer.person_id)
            )
        )
    if unread_only:
        query = query.where(f.c.approval_required)
    if community_id is not None:
        query = query.where(f.c.community_id == community_id)
    rows = await conn.fetch_all(query.order_by(f.c.id.desc()).limit(limit).offset(offset))
    return [
        PendingFollow(
            int(r["follow_id"]),
            {k[3:]: v for k, v in r.items() if k.startswith("p__")},
            {k[3:]: v for k, v in r.items() if k.startswith("c__")},
            bool(r["approval_required"]),
            not r["known"],
        )
        for r in rows
    ]
