"""Reads of community post tags: a community's live tags, and the live tags of a page's
posts (only those whose `tagged` flag says they have any: a page without tagged posts
reads nothing here)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row

# Lemmy 1.0's TagColor, and the lengths moot keeps.
TAG_COLORS = tuple(f"color{n:02d}" for n in range(1, 11))
NAME_MAX = 100
SUMMARY_MAX = 1000


async def community_tags(
    conn: Connection, community_ids: Collection[int], *, with_deleted: bool = False
) -> dict[int, list[Row]]:
    """Each community's live tags (and its deleted ones, for its moderators' page, when
    `with_deleted`), oldest first."""
    out: dict[int, list[Row]] = {int(c): [] for c in community_ids}
    if not out:
        return out
    t = m.community_tag
    rows = await conn.fetch_all(
        sa.select(t)
        .where(t.c.community_id.in_(sorted(out)), sa.true() if with_deleted else ~t.c.deleted)
        .order_by(t.c.community_id, t.c.id)
    )
    for row in rows:
        out[int(row["community_id"])].append(row)
    return out


async def post_tags(conn: Connection, post_ids: Collection[int]) -> dict[int, list[Row]]:
    """The live tags of these posts (pass the tagged ones), by post id, oldest tag first."""
    if not post_ids:
        return {}
    t, pt = m.community_tag, m.post_tag
    rows = await conn.fetch_all(
        sa.select(pt.c.post_id.label("tagged_post_id"), t)
        .join(t, t.c.id == pt.c.tag_id)
        .where(pt.c.post_id.in_(sorted(set(post_ids))), ~t.c.deleted)
        .order_by(pt.c.post_id, t.c.id)
    )
    out: dict[int, list[Row]] = {}
    for row in rows:
        out.setdefault(int(row["tagged_post_id"]), []).append(row)
    return out


def tagged_ids(rows: Collection[Row], key: str = "id", flag: str = "tagged") -> list[int]:
    """The ids of the rows (posts, or a page's rows) whose flag says they carry tags."""
    return [int(r[key]) for r in rows if r.get(flag)]
