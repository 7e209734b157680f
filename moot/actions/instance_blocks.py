"""A person's instance blocks: what a member no longer wants to see from another server.

Lemmy 1.0 splits an instance block in two halves, each set and listed on its own:
- the instance's communities (`instance_block`; Lemmy 0.19's only kind, v3's BlockInstance):
  posts and comments in them are left out of the member's listings;
- the instance's persons (`instance_person_block`): their posts and comments are left out
  of the member's listings, and their private messages, replies and mentions of the
  member's inbox, as a person block does.

Both are idempotent. Blocking persons also keeps `local_user.instance_person_block_count`
(which tells a listing whether it needs that filter at all): the member's local_user row
is locked first, so the count written after the change is the count of the rows committed.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot import auth
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode


async def _check_target(conn: Connection, viewer: auth.Viewer, instance_id: int) -> None:
    """Lemmy names no "not found" for these calls: blocking an unknown instance fails with
    the same `instance_block_already_exists` its insert fails with."""
    if instance_id == viewer.person["instance_id"]:
        raise ApiError(ErrorCode.CANT_BLOCK_LOCAL_INSTANCE)
    known = await conn.scalar(sa.select(m.instance.c.id).where(m.instance.c.id == instance_id))
    if known is None:
        raise ApiError(ErrorCode.INSTANCE_BLOCK_ALREADY_EXISTS)


async def block_instance_communities(
    conn: Connection, viewer: auth.Viewer, instance_id: int, block: bool
) -> None:
    """Block or unblock the communities of an instance for `viewer` (v3's BlockInstance,
    v4's UserBlockInstanceCommunitiesParams)."""
    if instance_id == viewer.person["instance_id"]:
        raise ApiError(ErrorCode.CANT_BLOCK_LOCAL_INSTANCE)
    t = m.instance_block
    where = (t.c.person_id == viewer.person_id, t.c.instance_id == instance_id)
    if not block:
        await conn.execute(sa.delete(t).where(*where))
        return
    await _check_target(conn, viewer, instance_id)
    await insert_if_absent(
        conn,
        t,
        ("person_id", "instance_id"),
        person_id=viewer.person_id,
        instance_id=instance_id,
        published=utcnow(),
    )


async def block_instance_persons(
    conn: Connection, viewer: auth.Viewer, instance_id: int, block: bool
) -> None:
    """Block or unblock the persons of an instance for `viewer` (v4's
    UserBlockInstancePersonsParams)."""
    if instance_id == viewer.person["instance_id"]:
        raise ApiError(ErrorCode.CANT_BLOCK_LOCAL_INSTANCE)
    if block:
        await _check_target(conn, viewer, instance_id)
    lu = m.local_user
    if conn.dialect_name != "sqlite":  # SQLite has one writer: nothing to order
        await conn.fetch_all(
            sa.select(lu.c.id).where(lu.c.id == viewer.local_user_id).with_for_update()
        )
    t = m.instance_person_block
    if block:
        await insert_if_absent(
            conn,
            t,
            ("person_id", "instance_id"),
            person_id=viewer.person_id,
            instance_id=instance_id,
            published=utcnow(),
        )
    else:
        await conn.execute(
            sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.instance_id == instance_id)
        )
    count = (
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.person_id == viewer.person_id)
        .scalar_subquery()
    )
    await conn.execute(
        sa.update(lu)
        .where(lu.c.id == viewer.local_user_id)
        .values(instance_person_block_count=count)
    )


async def _blocked(conn: Connection, table: sa.Table, person_id: int) -> list[Row]:
    t = table
    return await conn.fetch_all(
        sa.select(m.instance)
        .join(t, t.c.instance_id == m.instance.c.id)
        .where(t.c.person_id == person_id)
        .order_by(t.c.published, t.c.id)
    )


async def instance_communities_blocks(conn: Connection, person_id: int) -> list[Row]:
    """The instances whose communities `person_id` blocks, in the order they were blocked
    (MyUserInfo.instance_communities_blocks; v3's my_user.instance_blocks)."""
    return await _blocked(conn, m.instance_block, person_id)


async def instance_persons_blocks(conn: Connection, person_id: int) -> list[Row]:
    """The instances whose persons `person_id` blocks, in the order they were blocked
    (MyUserInfo.instance_persons_blocks)."""
    return await _blocked(conn, m.instance_person_block, person_id)
