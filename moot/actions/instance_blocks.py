"""A person's instance blocks: what a member no longer wants to see from another server."""

from __future__ import annotations

import sqlalchemy as sa

from moot import auth
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode


async def block_instance(
    conn: Connection, viewer: auth.Viewer, instance_id: int, block: bool
) -> None:
    """Block or unblock an instance for `viewer`; both are idempotent, as in Lemmy.

    Lemmy names no "not found" for this call: blocking an unknown instance fails with the
    same `instance_block_already_exists` its insert fails with."""
    if instance_id == viewer.person["instance_id"]:
        raise ApiError(ErrorCode.CANT_BLOCK_LOCAL_INSTANCE)
    t = m.instance_block
    where = (t.c.person_id == viewer.person_id, t.c.instance_id == instance_id)
    if not block:
        await conn.execute(sa.delete(t).where(*where))
        return
    known = await conn.scalar(sa.select(m.instance.c.id).where(m.instance.c.id == instance_id))
    if known is None:
        raise ApiError(ErrorCode.INSTANCE_BLOCK_ALREADY_EXISTS)
    await insert_if_absent(
        conn,
        t,
        ("person_id", "instance_id"),
        person_id=viewer.person_id,
        instance_id=instance_id,
        published=utcnow(),
    )


async def blocked_instances(conn: Connection, person_id: int) -> list[Row]:
    """The instances `person_id` blocks, in the order they were blocked."""
    t = m.instance_block
    return await conn.fetch_all(
        sa.select(m.instance)
        .join(t, t.c.instance_id == m.instance.c.id)
        .where(t.c.person_id == person_id)
        .order_by(t.c.published, t.c.id)
    )
