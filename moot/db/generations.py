"""Named change counters (the `generation` table): a process compares one with the number
its kept copy was read at, and reads afresh when it moved (moot/shared_site.py)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.db import models as m
from moot.db.engine import Connection

__all__ = ["bump", "read"]

G = m.generation


async def read(conn: Connection, name: str) -> int:
    value = await conn.scalar(sa.select(G.c.value).where(G.c.name == name))
    return int(value or 0)


async def bump(conn: Connection, name: str) -> None:
    """Move `name` on; the first bump creates it (one upsert, safe in parallel)."""
    stmt = insert(G).values(name=name, value=1)
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=[G.c.name], set_={"value": G.c.value + 1})
    )
