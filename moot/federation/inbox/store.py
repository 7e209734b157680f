"""The inbox table: verified activities wait here, in arrival order, for the worker."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa

from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Connection, Row
from moot.db.types import utcnow

R = m.received_activity


async def is_known(conn: Connection, ap_id: str) -> bool:
    return await conn.scalar(sa.select(R.c.id).where(R.c.ap_id == ap_id)) is not None


async def insert(
    conn: Connection, ap_id: str, actor: str, doc: dict[str, Any], state: str = "pending"
) -> bool:
    """Store an activity; False if its id was already stored (a duplicate, dropped). Two
    deliveries of one activity at once (a retry, an Announce and the activity itself)
    store it once: the unique id decides."""
    now = utcnow()
    values = {
        "ap_id": ap_id,
        "data": msgspec.json.encode(doc).decode(),
        "actor_apub_id": actor,
        "state": state,
        "published": now,
        "processed": None if state == "pending" else now,
    }
    return await upsert.insert_new(conn, R, "ap_id", values) is not None


async def pending(conn: Connection, limit: int) -> list[Row]:
    return await conn.fetch_all(
        sa.select(R).where(R.c.state == "pending").order_by(R.c.id).limit(limit)
    )


async def finish(conn: Connection, row_id: int, failure: str | None = None) -> bool:
    """Mark a pending activity done (or failed): False when it was not pending any more,
    finished by another process whose lease on the inbox this one's outlived."""
    finished = await conn.execute(
        sa.update(R)
        .where(R.c.id == row_id, R.c.state == "pending")
        .values(
            state="failed" if failure else "done",
            failure=failure[:2000] if failure else None,
            attempts=R.c.attempts + 1,
            processed=utcnow(),
        )
    )
    return finished > 0
