"""Leases: a named piece of work held by one owner (a process) until it expires.

Claiming is one upsert on the lease's name that succeeds only when the lease is free,
expired, or already the claimer's: two processes claiming at the same moment meet on the
primary key, and exactly one of them gets it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.db import models as m
from moot.db.engine import Connection

__all__ = ["claim", "release"]

L = m.lease


async def claim(conn: Connection, name: str, owner: str, now: datetime, until: datetime) -> bool:
    """Take or renew lease `name` for `owner` until `until`: True when `owner` holds it."""
    stmt = insert(L).values(name=name, owner=owner, expires=until)
    stmt = stmt.on_conflict_do_update(
        index_elements=[L.c.name],
        set_={"owner": owner, "expires": until},
        where=sa.or_(L.c.owner == owner, L.c.expires < now),
    )
    return await conn.execute(stmt) > 0


async def release(conn: Connection, name: str, owner: str) -> None:
    """Give lease `name` up, if `owner` still holds it, so another may take it at once."""
    await conn.execute(sa.delete(L).where(L.c.name == name, L.c.owner == owner))
