"""Actions over everything a person wrote."""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions import comments, posts
from moot.db import models as m
from moot.db.engine import Connection


async def delete_all_by(conn: Connection, person_id: int) -> None:
    """Delete every post and comment of a person, through the same counters as one by one."""
    for post in await conn.fetch_all(
        sa.select(m.post).where(m.post.c.creator_id == person_id, ~m.post.c.deleted)
    ):
        await posts.set_deleted(conn, post, True)
    for comment in await conn.fetch_all(
        sa.select(m.comment).where(m.comment.c.creator_id == person_id, ~m.comment.c.deleted)
    ):
        await comments.set_deleted(conn, comment, True)
