"""Actions over everything a person wrote."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from moot.actions import comments, posts
from moot.actions.locks import lock_rows
from moot.db import models as m
from moot.db.engine import Conflict, Connection, Row
from moot.db.paths import ids_of


@dataclass(frozen=True)
class Written:
    """A person's posts and comments that an action is about to change, one by one."""

    posts: list[Row]
    comments: list[Row]  # with their post's community_id

    def ids(self) -> tuple[set[int], set[int]]:
        return {int(r["id"]) for r in self.posts}, {int(r["id"]) for r in self.comments}

    def where_not(self, flag: str, value: bool) -> Written:
        """The rows whose `flag` is not yet `value`."""
        return Written(
            [r for r in self.posts if r[flag] != value],
            [r for r in self.comments if r[flag] != value],
        )


async def written_by(
    conn: Connection,
    person_id: int,
    flag: str,
    value: bool,
    community_id: int | None = None,
    communities: Iterable[int] = (),
) -> Written:
    """The person's posts and comments whose `flag` (deleted, removed) is not yet `value`,
    in one community or all, locked for the change together with their threads, their
    communities and `communities`, and the person (moot/actions/locks.py's order).

    Everything the person wrote there is locked, whatever its flag, and the flags are read
    after the locks: two actions over the same content (a ban and an unban) then run one
    after the other and each sees what the other did. Content that arrives while the locks
    are taken makes the transaction a lost race (`Conflict`): run again, it is included."""
    around = [*communities, *([] if community_id is None else [community_id])]
    before = await _everything_by(conn, person_id, community_id)
    await _lock(conn, before, person_id, around)
    after = await _everything_by(conn, person_id, community_id)
    posts_before, comments_before = before.ids()
    posts_after, comments_after = after.ids()
    if not (posts_after <= posts_before and comments_after <= comments_before):
        raise Conflict("the person wrote more while their content was being locked")
    return after.where_not(flag, value)


async def _everything_by(conn: Connection, person_id: int, community_id: int | None) -> Written:
    p, c = m.post.c, m.comment.c
    posts_query = sa.select(m.post).where(p.creator_id == person_id)
    comments_query = (
        sa.select(m.comment, p.community_id)
        .join(m.post, p.id == c.post_id)
        .where(c.creator_id == person_id)
    )
    if community_id is not None:
        posts_query = posts_query.where(p.community_id == community_id)
        comments_query = comments_query.where(p.community_id == community_id)
    return Written(
        await conn.fetch_all(posts_query.order_by(p.id)),
        await conn.fetch_all(comments_query.order_by(c.id)),
    )


async def _lock(
    conn: Connection, written: Written, person_id: int, communities: Iterable[int]
) -> None:
    """Lock every row the changes will touch, before the first of them (each comment's
    thread, the posts, their communities, the person): an action over many items racing a
    reply or a vote in the same threads waits instead of deadlocking."""
    await lock_rows(
        conn,
        comments=[i for row in written.comments for i in ids_of(row["path"])],
        posts=[int(r["id"]) for r in written.posts] + [int(r["post_id"]) for r in written.comments],
        communities=[
            *communities,
            *(int(r["community_id"]) for r in [*written.posts, *written.comments]),
        ],
        persons=[person_id],
    )


async def delete_all_by(conn: Connection, person_id: int) -> None:
    """Delete every post and comment of a person, through the same counters as one by one."""
    written = await written_by(conn, person_id, "deleted", True)
    for post in written.posts:
        await posts.set_deleted(conn, post, True)
    for comment in written.comments:
        await comments.set_deleted(conn, comment, True)
