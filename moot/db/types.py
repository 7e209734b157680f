"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; timestamptz on PostgreSQL, naive UTC text on SQLite."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


class rfc3339_text(sa.sql.expression.FunctionElement[str]):  # a function in the SQL
    """A moment as the API writes it, `2026-12-03T18:00:00.123456Z` (always six digits, as
    `shapes.stamp` and msgspec write them), by the database: the statement's rows then
    carry text that is put in the JSON as it is, with no datetime made of it on the way
    (asyncpg's timestamptz decoding cost about as much as the rest of a listing's rows).
    On SQLite from its naive UTC text (`2026-12-03 18:00:00.123456`, or without the
    fraction when SQLite's own functions wrote it), on PostgreSQL from the timestamptz
    with `to_char`. NULL stays NULL."""

    type = sa.String()
    inherit_cache = True


@compiles(rfc3339_text, "sqlite")
def _rfc3339_sqlite(element: rfc3339_text, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"substr(replace({column}, ' ', 'T') || '.000000', 1, 26) || 'Z'"


@compiles(rfc3339_text, "postgresql")
def _rfc3339_postgresql(element: rfc3339_text, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def utcnow() -> datetime:
    return datetime.now(UTC)
