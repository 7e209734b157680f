"""The modlog listing: one query per kind of action, newest first, with GetModlog's filters.

Each kind's page is a scan of `ix_modlog_kind_when` (or `ix_modlog_community_when` inside a
community) that stops after `limit` rows.
"""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class Anchor:
    """Where a page of the combined list starts: after this row (older), or before it
    (newer, a page back)."""

    when_: object
    id: int
    newer: bool = False


async def list_combined(
    conn: Connection,
    kinds: Sequence[tuple[str, bool | None]] | None,
    f: ModlogFilter,
    anchor: Anchor | None,
    limit: int,
) -> list[Row]:
    """Every kind in one list, newest first (API v4). `kinds`: (kind, is_featured_community
    or None for either), None for all. A page is a scan of `ix_modlog_kind_when` per kind
    asked for, or of `ix_modlog_community_when` inside a community; the whole site's log
    unfiltered orders by (when_, id) without an index of its own (the log is small beside
    posts; a migration adding one is noted in docs/decisions.md)."""
    t = m.modlog
    query = sa.select(t)
    if kinds is not None:
        query = query.where(
            sa.or_(
                *(
                    t.c.kind == kind
                    if featured is None
                    else sa.and_(t.c.kind == kind, t.c.is_featured_community == featured)
                    for kind, featured in kinds
                )
            )
        )
    if f.community_id is not None or f.other_person_id is not None:
        query = query.where(t.c.kind.not_in(sorted(PURGES)))
    for column in ("community_id", "mod_person_id", "other_person_id", "post_id", "comment_id"):
        value = getattr(f, column)
        if value is not None:
            query = query.where(t.c[column] == value)
    newest_first = anchor is None or not anchor.newer
    if anchor is not None:
        key = sa.tuple_(t.c.when_, t.c.id)
        here = sa.tuple_(sa.literal(anchor.when_, t.c.when_.type), sa.literal(anchor.id))
        query = query.where(key > here if anchor.newer else key < here)
    if newest_first:
        query = query.order_by(t.c.when_.desc(), t.c.id.desc())
    else:
        query = query.order_by(t.c.when_.asc(), t.c.id.asc())
    rows = await conn.fetch_all(query.limit(limit))
    return rows if newest_first else rows[::-1]
