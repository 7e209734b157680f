"""The person directory (API v4's /person/list): people not deleted, all or this
instance's, optionally those who wrote in one community or whose name holds a text, in one
of four orders. Pages are cut by offset and end at `DEEPEST` people; the orders by score
sort the people that match (the directory is not a hot path: no index of its own)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.search import contains

_ORDERS = {
    "new": (m.person.c.published.desc(), m.person.c.id.desc()),
    "old": (m.person.c.published.asc(), m.person.c.id.asc()),
    "post_score": (m.person.c.post_score.desc(), m.person.c.id.desc()),
    "comment_score": (m.person.c.comment_score.desc(), m.person.c.id.desc()),
}


@dataclass(frozen=True)
class PersonFilter:
    local_only: bool = False
    sort: str = "new"
    words: str | None = None
    community_id: int | None = None


async def list_persons(conn: Connection, f: PersonFilter, offset: int, limit: int) -> list[Row]:
    p = m.person.c
    query = sa.select(m.person).where(~p.deleted)
    if f.local_only:
        query = query.where(p.local)
    if f.words:
        query = query.where(sa.or_(contains(p.name, f.words), contains(p.display_name, f.words)))
    if f.community_id is not None:
        posted = sa.select(m.post.c.creator_id).where(m.post.c.community_id == f.community_id)
        commented = (
            sa.select(m.comment.c.creator_id)
            .join(m.post, m.post.c.id == m.comment.c.post_id)
            .where(m.post.c.community_id == f.community_id)
        )
        query = query.where(sa.or_(p.id.in_(posted), p.id.in_(commented)))
    return await conn.fetch_all(query.order_by(*_ORDERS[f.sort]).offset(offset).limit(limit))
