"""Statements built and compiled once, run many times with only their values changing.

`Connection.fetch_all(stmt)` takes a statement built per request: SQLAlchemy computes its
cache key (a walk of the whole expression), finds the compiled form, then expands IN lists
and converts every value and every result column. On a page of posts that was a third of
the request's CPU (docs/decisions.md, "Statements built once"). A `Prepared` is built the
first time a process needs it (per dialect and per `variant`: the flags that change the
SQL's text), with every varying value a named `bindparam`, and its SQL, the order of its
parameters and the conversions its columns need are kept. A list of ids is one parameter
(`among`): `= ANY($1)` on PostgreSQL, `IN (SELECT value FROM json_each(?))` on SQLite, so
the text does not change with the list's length.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from moot.db.types import UtcDateTime

Row = dict[str, Any]
Processor = Callable[[Any], Any]


class IdList(sa.types.TypeDecorator[list[int]]):
    """A list of ids as one parameter: an integer array on PostgreSQL, JSON text on SQLite."""

    impl = sa.String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(sa.BigInteger))
        return dialect.type_descriptor(sa.String())

    def process_bind_param(self, value: Iterable[int] | None, dialect: Dialect) -> Any:
        ids = [int(v) for v in value or ()]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


def among(column: sa.ColumnElement[Any], name: str, dialect: str) -> sa.ColumnElement[bool]:
    """`column` is one of the ids given as parameter `name` (a list of ints)."""
    ids = sa.bindparam(name, type_=IdList())
    if dialect == "postgresql":
        return column == sa.any_(ids)
    each = sa.func.json_each(ids).table_valued("value")
    return column.in_(sa.select(each.c.value))


@dataclass(frozen=True)
class Plan:
    """A compiled statement: its SQL, how to make its parameters, how to read its rows."""

    sql: str
    # Per positional parameter: its name (None: a constant the statement holds), the
    # constant, and the conversion its type needs.
    params: tuple[tuple[str | None, Any, Processor | None], ...]
    names: tuple[str, ...]
    # Only the result columns that need converting, by position.
    converted: tuple[tuple[int, Processor], ...]

    def values(self, given: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, constant, processor in self.params:
            value = constant if name is None else given[name]
            out.append(processor(value) if processor is not None and value is not None else value)
        return out

    def rows(self, records: Iterable[Sequence[Any]]) -> list[Row]:
        names, converted = self.names, self.converted
        if not converted:
            return [dict(zip(names, record, strict=False)) for record in records]
        out = []
        for record in records:
            # By position, before the dict: a third cheaper than converting by key after.
            values = list(record)
            for i, proc in converted:
                value = values[i]
                if value is not None:
                    values[i] = proc(value)
            out.append(dict(zip(names, values, strict=False)))
        return out


def compile_plan(stmt: ClauseElement, dialect: Dialect) -> Plan:
    compiled = stmt.compile(dialect=dialect)
    binds = compiled.binds  # type: ignore[attr-defined]
    processors = compiled._bind_processors  # type: ignore[attr-defined]
    params = []
    for name in compiled.positiontup or ():  # type: ignore[attr-defined]
        bind = binds[name]
        given = bind.required or bind.callable is not None
        if bind.callable is not None:
            raise ValueError(f"{name}: a prepared statement's values are given, not called")
        params.append(
            (name if given else None, None if given else bind.value, processors.get(name))
        )
    columns = getattr(compiled, "_result_columns", None) or []
    names = tuple(col[0] for col in columns)
    converted = []
    for i, col in enumerate(columns):
        processor = _result_processor(col[3], dialect)
        if processor is not None:
            converted.append((i, processor))
    return Plan(compiled.string, tuple(params), names, tuple(converted))


def _result_processor(type_: Any, dialect: Dialect) -> Processor | None:
    # asyncpg already gives timestamptz as aware UTC datetimes: nothing to convert.
    if dialect.name == "postgresql" and isinstance(type_, UtcDateTime):
        return None
    # SQLite's 0 and 1: the builtin makes the same booleans as SQLAlchemy's processor, at
    # a fraction of the cost of a call into it (a page of posts has hundreds of flags).
    if dialect.name == "sqlite" and type(type_) is sa.Boolean:
        return bool
    try:
        return type_._cached_result_processor(dialect, None)  # type: ignore[no-any-return]
    except TypeError:
        return None  # asyncpg's numerics need the wire type; the driver converts them


class Prepared:
    """A statement `build(dialect_name, variant)` made once per dialect and variant.

    `variant` holds what changes the statement's text (a sort, whether a viewer is
    signed in…); everything else is a `sa.bindparam` given at each run."""

    def __init__(self, build: Callable[[str, Any], ClauseElement]) -> None:
        self.build = build
        self._plans: dict[tuple[str, Hashable], Plan] = {}

    def plan(self, dialect: Dialect, variant: Hashable = None) -> Plan:
        key = (dialect.name, variant)
        found = self._plans.get(key)
        if found is None:
            found = self._plans[key] = compile_plan(self.build(dialect.name, variant), dialect)
        return found
