"""Inserts that meet a concurrent insert of the same natural key without failing.

"Create it if it is not there" read first and inserted after is a race: two requests both
read "not there", and the second insert fails on the unique key. Written as one statement,
`INSERT … ON CONFLICT (key) DO NOTHING`, the database decides; the statement's row count
says whether it was this one that inserted, which is what a counter must move by.

PostgreSQL's insert construct compiles to the same ON CONFLICT clause on SQLite (3.24 and
later), so one statement serves both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from moot.db.engine import Connection


def insert_unless_present(table: sa.Table, keys: Sequence[str], **values: Any) -> pg.Insert:
    """INSERT … ON CONFLICT (keys) DO NOTHING; `keys` name a unique constraint of `table`."""
    return (
        pg.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[table.c[key] for key in keys])
    )


async def insert_new(conn: Connection, table: sa.Table, keys: Sequence[str], **values: Any) -> bool:
    """Insert the row unless one with the same `keys` exists; True when this one did."""
    return await conn.execute(insert_unless_present(table, keys, **values)) > 0
