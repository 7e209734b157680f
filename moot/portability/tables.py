"""Every table of the schema, read the same way from SQLite and PostgreSQL.

`moot db copy` and `moot backup` / `moot restore` work table by table from the SQLAlchemy
metadata (moot/db/models.py), never from a list of names: a table added to the models is
copied and verified without anyone remembering to name it here. Rows are read in primary
key order on both databases (text keys in byte order: PostgreSQL's "C" collation is
SQLite's BINARY one on UTF-8), and each row is hashed from its values normalised to one
spelling (booleans, moments in UTC with microseconds, floats by their exact repr), so a
table's checksum is the same on both databases exactly when its rows are.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import sqlalchemy as sa

from moot.db import models
from moot.db.types import UtcDateTime

Convert = Callable[[Any], Any]


def copy_order() -> list[sa.Table]:
    """Every table, each after the tables its foreign keys point to."""
    return list(models.metadata.sorted_tables)


def _from_sqlite(column: sa.Column[Any]) -> Convert | None:
    """How a value SQLite stores for `column` becomes the Python value PostgreSQL takes
    (None: as it is). A column type not known here stops the copy before it starts."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return _moment
    if isinstance(kind, sa.Boolean):
        return _flag
    if isinstance(kind, sa.Float):
        return _real
    if isinstance(kind, sa.Integer | sa.String):  # Integer covers Big- and SmallInteger
        return None
    raise TypeError(f"{column.table.name}.{column.name}: no copy rule for {kind!r}")


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _real(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Shape:
    """A table as the copy reads and writes it."""

    table: sa.Table
    columns: tuple[str, ...]
    key: tuple[str, ...]
    # Per column: from SQLite's stored value to PostgreSQL's, or None for as it is.
    converts: tuple[Convert | None, ...]
    # The key columns that are text, ordered by byte on PostgreSQL.
    text_key: frozenset[str]

    @property
    def name(self) -> str:
        return self.table.name

    def from_sqlite(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(v if f is None else f(v) for f, v in zip(self.converts, row, strict=True))

    def key_of(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row[self.columns.index(k)] for k in self.key)


def shape(table: sa.Table) -> Shape:
    columns = tuple(c.name for c in table.columns)
    key = tuple(c.name for c in table.primary_key.columns)
    if not key:
        raise TypeError(f"{table.name}: no primary key, so no order to copy or verify it in")
    text_key = frozenset(c.name for c in table.primary_key.columns if isinstance(c.type, sa.String))
    converts = tuple(_from_sqlite(c) for c in table.columns)
    return Shape(table, columns, key, converts, text_key)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def select_sql(s: Shape, dialect: str, *, after: bool, upto: bool = False) -> str:
    """SELECT of the table's rows in key order; `after`: only keys past a given key (the
    key's values are the parameters), `upto`: only keys up to it."""
    pg = dialect == "postgresql"

    def col(name: str) -> str:
        return _q(name) + (' COLLATE "C"' if pg and name in s.text_key else "")

    order = ", ".join(col(k) for k in s.key)
    where = ""
    if after or upto:
        marks = ", ".join(f"${i}" if pg else "?" for i in range(1, len(s.key) + 1))
        op = ">" if after else "<="
        where = (
            f" WHERE ({order}) {op} ({marks})" if len(s.key) > 1 else f" WHERE {order} {op} {marks}"
        )
    columns = ", ".join(_q(c) for c in s.columns)
    return f"SELECT {columns} FROM {_q(s.name)}{where} ORDER BY {order}"


def last_key_sql(s: Shape) -> str:
    """PostgreSQL: the greatest key of the table (in the copy's order)."""
    keys = ", ".join(_q(k) for k in s.key)
    order = ", ".join(_q(k) + (' COLLATE "C"' if k in s.text_key else "") + " DESC" for k in s.key)
    return f"SELECT {keys} FROM {_q(s.name)} ORDER BY {order} LIMIT 1"


def _token(value: Any) -> bytes:
    """One value in the spelling both databases' rows are hashed in."""
    if value is None:
        return b"N"
    if isinstance(value, bool):  # before int: bool is an int
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"i%d" % value
    if isinstance(value, float):
        return b"f" + repr(value).encode()
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return b"d" + moment.isoformat(timespec="microseconds").encode()
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "surrogatepass")
    raise TypeError(f"no checksum spelling for {type(value).__name__}")


class Tally:
    """A table's row count and checksum, fed its rows in key order."""

    def __init__(self) -> None:
        self.rows = 0
        self._hash = hashlib.blake2b(digest_size=16)

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        update = self._hash.update
        for row in rows:
            self.rows += 1
            for value in row:
                token = _token(value)
                # Length-prefixed, so no two different rows spell the same bytes.
                update(len(token).to_bytes(4, "little"))
                update(token)

    @property
    def checksum(self) -> str:
        return self._hash.hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tally) and (self.rows, self.checksum) == (
            other.rows,
            other.checksum,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{self.rows} rows, checksum {self.checksum}"


def sqlite_batches(
    conn: sqlite3.Connection,
    s: Shape,
    size: int,
    *,
    after: tuple[Any, ...] | None = None,
    upto: tuple[Any, ...] | None = None,
) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows from SQLite in key order, as PostgreSQL takes them, `size` at a time."""
    sql = select_sql(s, "sqlite", after=after is not None, upto=upto is not None)
    cursor = conn.execute(sql, after or upto or ())
    while batch := cursor.fetchmany(size):
        yield [s.from_sqlite(row) for row in batch]


async def postgresql_batches(
    conn: asyncpg.Connection, s: Shape, size: int
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The table's rows from PostgreSQL in key order, `size` at a time (in a transaction)."""
    cursor = await conn.cursor(select_sql(s, "postgresql", after=False))
    while batch := await cursor.fetch(size):
        yield [tuple(row) for row in batch]


def sqlite_tally(
    conn: sqlite3.Connection, s: Shape, upto: tuple[Any, ...] | None = None, size: int = 5000
) -> Tally:
    tally = Tally()
    for batch in sqlite_batches(conn, s, size, upto=upto):
        tally.add(batch)
    return tally


async def postgresql_tally(
    conn: asyncpg.Connection, s: Shape, size: int = 5000, *, in_transaction: bool = False
) -> Tally:
    """The table's tally, in a transaction of its own, or (`in_transaction`) in the one
    already open on `conn` (a backup's snapshot)."""
    tally = Tally()
    if in_transaction:
        async for batch in postgresql_batches(conn, s, size):
            tally.add(batch)
        return tally
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        return await postgresql_tally(conn, s, size, in_transaction=True)
