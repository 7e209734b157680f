"""The post a vote or a comment acts on, read in one statement with everything the action's
checks need: its community, whether the acting person may act (not banned from the site or
the community, not deleted), whether they moderate it.

A separate statement per check cost a round trip each on every vote and comment (issue 12).
With `lock=True` the post's row is locked as `lookups.get_post(lock=True)` locks it (see
moot/actions/locks.py for the order): the post's own columns are then as they are now, and
the counters the action moves are computed from them. The checks read the same snapshot
as the statement: a ban committed while the lock was awaited is one the action preceded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.private import PRIVATE
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode

_COMMUNITY = "community__"

# The post's creator, for the columns a caller adds (`post_target(extra=…, joins=…)`): an
# alias, so that the checks' subqueries on `person` (the acting person) do not correlate
# to it.
CREATOR = m.person.alias("creator")
JOIN_CREATOR = (CREATOR, CREATOR.c.id == m.post.c.creator_id)


@dataclass(frozen=True)
class PostTarget:
    post: Row
    community: Row
    person_found: bool
    site_banned: bool
    person_deleted: bool
    community_banned: bool
    moderator: bool
    # Follows the community, approved (what a private community asks of those taking part).
    approved_follower: bool
    # The whole row, with the columns the caller added (`extra`).
    row: Row

    def require_valid_person(self) -> None:
        """As `authority.require_valid_person`, from this statement's reading."""
        if not self.person_found:
            raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
        if self.site_banned:
            raise ApiError(ErrorCode.SITE_BAN)
        if self.person_deleted:
            raise ApiError(ErrorCode.DELETED)

    def require_taking_part(self, is_admin: bool) -> None:
        """In a private community, only its approved followers, moderators and admins
        post, comment and vote: to the others its posts are not there."""
        if self.community["visibility"] == PRIVATE and not (
            self.approved_follower or self.moderator or is_admin
        ):
            raise ApiError(ErrorCode.COULDNT_FIND_POST)


async def post_target(
    conn: Connection,
    post_id: int,
    person_id: int,
    *,
    lock: bool = False,
    extra: Sequence[Any] = (),
    joins: Sequence[tuple[sa.FromClause, sa.ColumnElement[bool]]] = (),
) -> PostTarget:
    """The post `person_id` is about to act on, or `couldnt_find_post`. `extra`: more
    columns of the same statement (labelled; on post, community and the tables of
    `joins`, each joined on its condition, e.g. `JOIN_CREATOR`), in `PostTarget.row`:
    what the action needs after its checks, read in this round trip."""
    query = target_statement(post_id, person_id, utcnow(), lock=lock, extra=extra, joins=joins)
    return target_of(await conn.fetch_one(query))


def target_statement(
    post_id: Any,
    person_id: Any,
    now: Any,
    *,
    lock: bool = False,
    extra: Sequence[Any] = (),
    joins: Sequence[tuple[sa.FromClause, sa.ColumnElement[bool]]] = (),
) -> sa.Select[Any]:
    """`post_target`'s statement. `post_id`, `person_id` and `now`: values, or the
    `sa.bindparam`s of a statement built once (moot/db/prepared.py: a vote's,
    `votes._TARGET`), whose rows `target_of` reads likewise."""
    p, c, who = m.post, m.community, m.person
    ban = m.community_person_ban
    mod = m.community_moderator
    follow = m.community_follower
    person = sa.select(who.c.banned, who.c.ban_expires, who.c.deleted).where(who.c.id == person_id)
    query = (
        sa.select(
            p,
            *(col.label(_COMMUNITY + col.name) for col in c.c),
            sa.exists(person).label("person_found"),
            sa.exists(
                person.where(
                    who.c.banned, sa.or_(who.c.ban_expires.is_(None), who.c.ban_expires > now)
                )
            ).label("site_banned"),
            sa.exists(person.where(who.c.deleted)).label("person_deleted"),
            sa.exists()
            .where(
                ban.c.community_id == p.c.community_id,
                ban.c.person_id == person_id,
                sa.or_(ban.c.expires.is_(None), ban.c.expires > now),
            )
            .label("community_banned"),
            sa.exists()
            .where(mod.c.community_id == p.c.community_id, mod.c.person_id == person_id)
            .label("moderator"),
            sa.exists()
            .where(
                follow.c.community_id == p.c.community_id,
                follow.c.person_id == person_id,
                ~follow.c.approval_required,
            )
            .label("approved_follower"),
            *extra,
        )
        .join(c, c.c.id == p.c.community_id)
        .where(p.c.id == post_id)
    )
    for table, on in joins:
        query = query.join(table, on)
    if lock:
        query = query.with_for_update(key_share=True, of=p)
    return query


def target_of(row: Row | None) -> PostTarget:
    """The `PostTarget` of a row of `target_statement`, or `couldnt_find_post`."""
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_POST)
    p = m.post
    post = {k: v for k, v in row.items() if k in p.c}
    community = {k[len(_COMMUNITY) :]: v for k, v in row.items() if k.startswith(_COMMUNITY)}
    return PostTarget(
        post,
        community,
        bool(row["person_found"]),
        bool(row["site_banned"]),
        bool(row["person_deleted"]),
        bool(row["community_banned"]),
        bool(row["moderator"]),
        bool(row["approved_follower"]),
        row,
    )
