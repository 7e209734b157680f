"""Create-if-absent on a natural key, decided by the database (STYLE.md 12).

A row looked up and then inserted may be inserted by a concurrent transaction in between: a
fetch and an inbox activity storing the same remote object, two requests naming the same
new instance. `INSERT … ON CONFLICT (key)` leaves that decision to the unique index, so the
second writer lands on the first one's row instead of failing. SQLAlchemy's PostgreSQL
`insert` compiles to the same syntax on SQLite (UPSERT and RETURNING since 3.35), so one
statement serves both backends.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot.db.engine import Conflict, Connection, Row


async def insert_new(
    conn: Connection, table: sa.Table, key: str | tuple[str, ...], values: dict[str, Any]
) -> int | None:
    """Insert `values` unless a row with the same `key` (a column, or the columns of a
    unique constraint) exists: the new row's id, or None when one was there (committed, or
    committed meanwhile by a concurrent transaction)."""
    columns = [table.c[name] for name in ((key,) if isinstance(key, str) else key)]
    stmt = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=columns)
        .returning(table.c.id)
    )
    found = await conn.scalar(stmt)
    return None if found is None else int(found)


async def id_of(conn: Connection, table: sa.Table, key: str, values: dict[str, Any]) -> int:
    """The id of the row whose `key` is `values[key]`, inserted from `values` if absent."""
    where = table.c[key] == values[key]
    found = await conn.scalar(sa.select(table.c.id).where(where))
    if found is None:
        found = await insert_new(conn, table, key, values)
    if found is None:  # inserted by a concurrent transaction since the first look
        found = await conn.scalar(sa.select(table.c.id).where(where))
    if found is None:
        raise Conflict(f"{table.name} {values[key]!r} was stored and removed meanwhile")
    return int(found)


async def store(
    conn: Connection,
    table: sa.Table,
    key: str,
    values: dict[str, Any],
    *,
    on_insert: dict[str, Any],
    only_if: sa.ColumnElement[bool] | None = None,
) -> Row:
    """Insert `values` and `on_insert`, or set `values` on the row with the same `key` (a
    refresh); a row not matching `only_if` is left as it is. Returns the row."""
    stmt = insert(table).values(**values, **on_insert)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: value for name, value in values.items() if name != key},
        where=only_if,
    )
    row = await conn.fetch_one(stmt.returning(*table.c))
    if row is None:  # kept by `only_if`
        row = await conn.fetch_one(sa.select(table).where(table.c[key] == values[key]))
    if row is None:
        raise Conflict(f"{table.name} {values[key]!r} was stored and removed meanwhile")
    return row


async def insert_if_absent(
    conn: Connection, table: sa.Table, key: tuple[str, ...], **values: Any
) -> bool:
    """`insert_new` for a table without an id column of its own (a person's saves, read
    marks): True when this statement inserted the row."""
    columns = [table.c[name] for name in key]
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=columns)
    return await conn.execute(stmt) > 0
