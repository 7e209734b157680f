"""Delivery progress per remote instance (federation_queue_state), and who is dead."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow

Q = m.federation_queue_state
DEAD_AFTER = timedelta(days=3)  # Lemmy's: no successful contact for three days
BACKOFF_CAP = 86400.0


@dataclass
class QueueState:
    instance_id: int
    last_successful_id: int = 0
    fail_count: int = 0
    last_retry: datetime | None = None
    next_retry: datetime | None = None
    last_successful_published_time: datetime | None = None

    def values(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "instance_id"}


def backoff_seconds(fail_count: int, *, fast: bool) -> float:
    """Lemmy's retry delay: none after the first failure, then 1.25^(n-1) s, up to a day.
    Test mode keeps the shape but caps it at 2 s."""
    if fail_count <= 1:
        return 0.0
    delay = min(1.25 ** (fail_count - 1), BACKOFF_CAP)
    return min(delay / 10, 2.0) if fast else delay


async def load_state(conn: Connection, instance: Row) -> QueueState:
    row = await conn.fetch_one(sa.select(Q).where(Q.c.instance_id == instance["id"]))
    if row is not None:
        return from_row(row)
    state = QueueState(
        instance_id=int(instance["id"]), last_successful_id=await first_cursor(conn, instance)
    )
    await save_state(conn, state)
    return state


def from_row(row: Row) -> QueueState:
    return QueueState(**{k: row[k] for k in row})


async def first_cursor(conn: Connection, instance: Row) -> int:
    """Where a new destination starts: after everything written before moot knew the
    instance (a follow written a moment after the instance row is still delivered)."""
    start = await conn.scalar(
        sa.select(sa.func.max(m.sent_activity.c.id)).where(
            m.sent_activity.c.published < instance["published"]
        )
    )
    return int(start or 0)


async def save_state(conn: Connection, state: QueueState) -> None:
    stmt = insert(Q).values(instance_id=state.instance_id, **state.values())
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=[Q.c.instance_id], set_=state.values())
    )


def is_dead(instance: Row, now: datetime | None = None) -> bool:
    seen = instance["updated"] or instance["published"]
    return bool(seen is not None and (now or utcnow()) - seen > DEAD_AFTER)
