"""What a reader has seen: read marks (with the comment count seen) and hidden posts."""

from __future__ import annotations

import sqlalchemy as sa

from moot import auth
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode

MAX_IDS = 10_000  # Lemmy's MAX_API_PARAM_ELEMENTS


def _check_ids(ids: list[int]) -> list[int]:
    if len(ids) > MAX_IDS:
        raise ApiError(ErrorCode.TOO_MANY_ITEMS)
    return sorted(set(ids))


async def mark_read(conn: Connection, viewer: auth.Viewer, post_ids: list[int], read: bool) -> None:
    """Mark posts read (remembering how many comments they had) or unread."""
    ids = _check_ids(post_ids)
    t = m.post_read
    await conn.execute(sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.post_id.in_(ids)))
    if not read:
        return
    found = await conn.fetch_all(
        sa.select(m.post.c.id, m.post.c.comments).where(m.post.c.id.in_(ids))
    )
    now = utcnow()
    for row in found:
        await conn.execute(
            sa.insert(t).values(
                post_id=row["id"],
                person_id=viewer.person_id,
                published=now,
                read_comments=row["comments"],
            )
        )


async def hide(conn: Connection, viewer: auth.Viewer, post_ids: list[int], hide: bool) -> None:
    ids = _check_ids(post_ids)
    t = m.post_hide
    await conn.execute(sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.post_id.in_(ids)))
    if not hide:
        return
    found = await conn.fetch_all(sa.select(m.post.c.id).where(m.post.c.id.in_(ids)))
    now = utcnow()
    for row in found:
        await conn.execute(
            sa.insert(t).values(post_id=row["id"], person_id=viewer.person_id, published=now)
        )
