"""Actions over everything a person wrote."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from moot.actions import comments, posts
from moot.actions.locks import lock_rows
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import ids_of


@dataclass(frozen=True)
class Written:
    """A person's posts and comments that an action is about to change, one by one."""

    posts: list[Row]
    comments: list[Row]  # with their post's community_id

    async def lock(self, conn: Connection, person_id: int, communities: Iterable[int] = ()) -> None:
        """Lock every row the changes will touch, before the first of them, in the order of
        moot/actions/locks.py (each comment's thread, the posts, their communities and
        `communities`, the person): an action over many items racing a reply or a vote in
        the same threads waits instead of deadlocking."""
        await lock_rows(
            conn,
            comments=[i for row in self.comments for i in ids_of(row["path"])],
            posts=[int(r["id"]) for r in self.posts] + [int(r["post_id"]) for r in self.comments],
            communities=[
                *communities,
                *(int(r["community_id"]) for r in [*self.posts, *self.comments]),
            ],
            persons=[person_id],
        )


async def written_by(
    conn: Connection, person_id: int, flag: str, value: bool, community_id: int | None = None
) -> Written:
    """The person's posts and comments whose `flag` (deleted, removed) is not yet `value`,
    in one community or all."""
    p, c = m.post.c, m.comment.c
    posts_query = sa.select(m.post).where(p.creator_id == person_id, p[flag] != value)
    comments_query = (
        sa.select(m.comment, p.community_id)
        .join(m.post, p.id == c.post_id)
        .where(c.creator_id == person_id, c[flag] != value)
    )
    if community_id is not None:
        posts_query = posts_query.where(p.community_id == community_id)
        comments_query = comments_query.where(p.community_id == community_id)
    return Written(
        await conn.fetch_all(posts_query.order_by(p.id)),
        await conn.fetch_all(comments_query.order_by(c.id)),
    )


async def delete_all_by(conn: Connection, person_id: int) -> None:
    """Delete every post and comment of a person, through the same counters as one by one."""
    written = await written_by(conn, person_id, "deleted", True)
    await written.lock(conn, person_id)
    for post in written.posts:
        await posts.set_deleted(conn, post, True)
    for comment in written.comments:
        await comments.set_deleted(conn, comment, True)
