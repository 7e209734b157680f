"""What a reader has seen: read marks (with the comment count seen) and hidden posts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from moot import auth
from moot.actions.actor import Actor, RemoteActor
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.prepared import Prepared, among
from moot.db.types import UtcDateTime, utcnow
from moot.errors import ApiError, ErrorCode

MAX_IDS = 10_000  # Lemmy's MAX_API_PARAM_ELEMENTS


def _check_ids(ids: list[int]) -> list[int]:
    if len(ids) > MAX_IDS:
        raise ApiError(ErrorCode.TOO_MANY_ITEMS)
    return sorted(set(ids))


async def mark_read(conn: Connection, viewer: Actor, post_ids: list[int], read: bool) -> None:
    """Mark posts read (remembering how many comments they had) or unread. Marking again
    refreshes the count seen: an upsert, so requests that meet land on one row."""
    if isinstance(viewer, RemoteActor):
        return  # other instances' people read there
    ids = _check_ids(post_ids)
    t = m.post_read
    if not read:
        await conn.execute(
            sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.post_id.in_(ids))
        )
        return
    params = {"person_id": viewer.person_id, "post_ids": ids, "published": utcnow()}
    await conn.run(_READ, params)


def _read_statement(dialect: str, variant: None) -> sa.Insert:
    """The read marks of `mark_read`, built once: the reader (person_id), the posts
    (post_ids, a list) and the time (published) are parameters (moot/db/prepared.py)."""
    t = m.post_read
    marks = pg.insert(t).from_select(
        ["post_id", "person_id", "published", "read_comments"],
        sa.select(
            m.post.c.id,
            sa.bindparam("person_id", type_=t.c.person_id.type),
            sa.bindparam("published", type_=UtcDateTime()),
            m.post.c.comments,
        ).where(among(m.post.c.id, "post_ids", dialect)),
    )
    return marks.on_conflict_do_update(
        index_elements=[t.c.person_id, t.c.post_id],
        set_={
            "published": marks.excluded.published,
            "read_comments": marks.excluded.read_comments,
        },
    )


_READ = Prepared(_read_statement)


async def hide(conn: Connection, viewer: auth.Viewer, post_ids: list[int], hide: bool) -> None:
    ids = _check_ids(post_ids)
    t = m.post_hide
    if not hide:
        await conn.execute(
            sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.post_id.in_(ids))
        )
        return
    await conn.execute(
        pg.insert(t)
        .from_select(["post_id", "person_id", "published"], _marks(viewer, ids))
        .on_conflict_do_nothing(index_elements=[t.c.person_id, t.c.post_id])
    )


def _marks(
    viewer: Actor, ids: list[int], *extra: sa.ColumnElement[object]
) -> sa.Select[tuple[object, ...]]:
    """One row per existing post of `ids`, marked by the viewer now: ids that name no post
    are passed over, as Lemmy does."""
    return sa.select(
        m.post.c.id,
        sa.literal(viewer.person_id),
        sa.literal(utcnow(), UtcDateTime()),
        *extra,
    ).where(m.post.c.id.in_(ids))
