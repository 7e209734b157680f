"""The modlog listing: one query per kind of action, newest first, with GetModlog's filters.

Each kind's page is a scan of `ix_modlog_kind_when` (or `ix_modlog_community_when` inside a
community) that stops after `limit` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row

PURGES = frozenset(
    {"AdminPurgePerson", "AdminPurgeCommunity", "AdminPurgePost", "AdminPurgeComment"}
)


@dataclass(frozen=True)
class ModlogFilter:
    community_id: int | None = None
    mod_person_id: int | None = None
    other_person_id: int | None = None
    post_id: int | None = None
    comment_id: int | None = None


async def list_kind(
    conn: Connection, kind: str, f: ModlogFilter, page: int, limit: int
) -> list[Row]:
    t = m.modlog
    # Purges belong to the whole site's log, not a community's or a person's (as Lemmy).
    if kind in PURGES and (f.community_id is not None or f.other_person_id is not None):
        return []
    query = sa.select(t).where(t.c.kind == kind)
    for column in ("community_id", "mod_person_id", "other_person_id", "post_id", "comment_id"):
        value = getattr(f, column)
        if value is not None:
            query = query.where(t.c[column] == value)
    return await conn.fetch_all(
        query.order_by(t.c.when_.desc(), t.c.id.desc()).limit(limit).offset(limit * (page - 1))
    )
