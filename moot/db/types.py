"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


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


def rfc3339_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """A moment of SQLite's (naive UTC text, `2026-12-03 18:00:00.123456`, or without the
    fraction when SQLite's own functions wrote it) as the API writes it:
    `2026-12-03T18:00:00.123456Z`, always six digits. NULL stays NULL."""
    spaced = sa.func.replace(column, " ", "T", type_=sa.String)
    return sa.func.substr(spaced + ".000000", 1, 26, type_=sa.String) + "Z"


def utcnow() -> datetime:
    return datetime.now(UTC)
