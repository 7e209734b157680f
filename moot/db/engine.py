"""The thin layer between SQLAlchemy Core statements and the database drivers.

Statements are written once with SQLAlchemy Core, compiled once per dialect (cached by
SQLAlchemy's own cache key, so a statement built per request still compiles only once), and
run on the driver directly: asyncpg on PostgreSQL, aiosqlite on SQLite. There is no ORM
session and no SQLAlchemy engine on the request path: on this machine's two cores the
engine's Python overhead cost two thirds of the throughput (DESIGN.md, "Database").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sqlite3
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as pg_dialect_module
from sqlalchemy.dialects.sqlite import aiosqlite as sqlite_dialect_module
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import Compiled
from sqlalchemy.sql import ClauseElement

from moot.db.prepared import Prepared
from moot.db.statement_count import note
from moot.errors import ApiError, ErrorCode

log = logging.getLogger("moot.db")

Row = dict[str, Any]
_Processor = Callable[[Any], Any] | None
T = TypeVar("T")

# How often a transaction that lost a race is run again before its caller hears of it.
ATTEMPTS = 5


class Conflict(Exception):
    """The transaction lost a race with another one and was rolled back: a deadlock or
    serialization failure, a unique or foreign key that a concurrent commit took or removed,
    or SQLite's write lock held past the busy timeout. Running the whole transaction again
    sees the winner's rows and decides afresh (`retrying`, and the front doors' replay)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# PostgreSQL's races: serialization failure and deadlock (class 40), and the integrity
# errors a concurrent commit causes in a statement that checked first (unique, foreign key).
_PG_RACES = (
    asyncpg.exceptions.TransactionRollbackError,
    asyncpg.exceptions.UniqueViolationError,
    asyncpg.exceptions.ForeignKeyViolationError,
)


def _race(exc: BaseException) -> str | None:
    """Why `exc` is a lost race, or None when it is not one."""
    if isinstance(exc, _PG_RACES):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
        return f"sqlite: {exc}"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return f"sqlite: {exc}"
    return None


@contextlib.contextmanager
def _races_as_conflicts() -> Iterator[None]:
    try:
        yield
    except Conflict:
        raise
    except Exception as exc:
        reason = _race(exc)
        if reason is None:
            raise
        raise Conflict(reason) from exc


async def backoff(attempt: int) -> None:
    """A short, growing, jittered pause before attempt number `attempt` (1, 2, …), so the
    racers do not meet again at once."""
    await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))


async def retrying(
    db: Database, work: Callable[[Connection], Awaitable[T]], *, what: str = "transaction"
) -> T:
    """`work` in a transaction, run again (up to ATTEMPTS in all) when it loses a race.
    `work` must be safe to repeat: everything it changes is in the transaction."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.transaction() as tx:
                return await work(tx)
        except Conflict as exc:
            if attempt == ATTEMPTS:
                raise
            log.info(
                "%s lost a race (%s); attempt %d of %d", what, exc.reason, attempt + 1, ATTEMPTS
            )
            await backoff(attempt)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Plan:
    """A compiled statement and how to convert its result columns."""

    compiled: Compiled
    names: tuple[str, ...]
    processors: tuple[_Processor, ...]


class _Compiler:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._plans: dict[Any, _Plan] = {}

    def prepare(
        self, stmt: ClauseElement, params: dict[str, Any] | None
    ) -> tuple[str, list[Any], _Plan]:
        key = stmt._generate_cache_key()
        plan = self._plans.get(key.key) if key is not None else None
        if plan is None:
            plan = self._plan(stmt, key)
            if key is not None:
                self._plans[key.key] = plan
        compiled = plan.compiled
        bound = compiled.construct_params(
            params=params,
            extracted_parameters=key.bindparams if key is not None else None,
        )
        expanded = compiled.construct_expanded_state(bound)  # type: ignore[attr-defined]
        # Expanded IN-list members carry their own processors; every other parameter's
        # (our UtcDateTime, SQLite booleans, …) is the compiled statement's.
        processors = {**compiled._bind_processors, **expanded.processors}  # type: ignore[attr-defined]
        values = []
        for name in expanded.positiontup or ():
            value = expanded.parameters[name]
            processor = processors.get(name)
            values.append(
                processor(value) if processor is not None and value is not None else value
            )
        return expanded.statement, values, plan

    def _plan(self, stmt: ClauseElement, key: Any) -> _Plan:
        compiled = stmt.compile(dialect=self.dialect, cache_key=key)
        columns = getattr(compiled, "_result_columns", None) or []
        names = tuple(col[0] for col in columns)
        processors = tuple(self._processor(col[3]) for col in columns)
        return _Plan(compiled, names, processors)

    def _processor(self, type_: Any) -> _Processor:
        try:
            return type_._cached_result_processor(self.dialect, None)  # type: ignore[no-any-return]
        except TypeError:
            # asyncpg's numeric processors need the wire type id; the driver already
            # returns Python floats and Decimals for those columns.
            return None


@contextlib.contextmanager
def _refused_values() -> Iterator[None]:
    """A value the database cannot store (NUL in text, a lone surrogate, an integer wider
    than the column) is the client's mistake: a 400, and the transaction rolls back."""
    try:
        yield
    except OverflowError as exc:
        raise ApiError(ErrorCode.UNKNOWN, "a number is out of range") from exc
    except UnicodeEncodeError as exc:
        raise ApiError(ErrorCode.UNKNOWN, "a text holds a character that cannot be stored") from exc
    except asyncpg.exceptions.DataError as exc:
        # The driver's text names Python types and query arguments: logged, not answered.
        log.info("a value was refused by the database: %s", exc)
        raise ApiError(ErrorCode.UNKNOWN, "a value is out of range or malformed") from exc


def _to_rows(plan: _Plan, raw: Sequence[Sequence[Any]]) -> list[Row]:
    names, processors = plan.names, plan.processors
    out = []
    for record in raw:
        out.append(
            {
                name: (proc(value) if proc is not None and value is not None else value)
                for name, proc, value in zip(names, processors, record, strict=False)
            }
        )
    return out


class Connection:
    """One connection, used by one task at a time: run statements, get dict rows.

    `cache` is the process's memory of what it read from this database (the site state,
    the token secret), shared by every connection of the pool; `on_end` runs a callback
    once what this connection wrote is committed or rolled back."""

    dialect_name: str
    cache: dict[str, Any]
    # Reads a replica (moot/db/replica.py), which may lag: what it reads is not kept.
    replica = False
    _ended: list[Callable[[], Awaitable[None]]] | None = None

    def on_end(self, callback: Callable[[], Awaitable[None]]) -> None:
        """`callback` when the transaction ends (committed or not); outside one, a
        statement commits as it runs, so when this connection is given back."""
        if self._ended is None:
            self._ended = []
        self._ended.append(callback)

    async def _end(self) -> None:
        callbacks, self._ended = self._ended or [], None
        for callback in callbacks:
            await callback()

    async def fetch_all(
        self, stmt: ClauseElement, params: dict[str, Any] | None = None
    ) -> list[Row]:
        raise NotImplementedError

    async def execute(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> int:
        """Run a statement; returns the number of rows it changed."""
        raise NotImplementedError

    async def run(
        self, prepared: Prepared, params: Mapping[str, Any], variant: Hashable = None
    ) -> list[Row]:
        """The rows of a statement built once (moot/db/prepared.py). Here it is built and
        run like any other; the drivers' connections run the kept plan."""
        return await self.fetch_all(prepared.build(self.dialect_name, variant), dict(params))

    async def fetch_one(
        self, stmt: ClauseElement, params: dict[str, Any] | None = None
    ) -> Row | None:
        rows = await self.fetch_all(stmt, params)
        return rows[0] if rows else None

    async def scalar(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> Any:
        row = await self.fetch_one(stmt, params)
        return next(iter(row.values())) if row else None


class _DriverConnection(Connection):
    """A driver's connection: statements compiled by `_Compiler` or kept by `Prepared`,
    their rows fetched by the driver (`_records`)."""

    _compiler: _Compiler

    async def _records(self, sql: str, values: list[Any]) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    async def fetch_all(
        self, stmt: ClauseElement, params: dict[str, Any] | None = None
    ) -> list[Row]:
        sql, values, plan = self._compiler.prepare(stmt, params)
        note(sql)
        with _refused_values():
            records = await self._records(sql, values)
        return _to_rows(plan, records)

    async def run(
        self, prepared: Prepared, params: Mapping[str, Any], variant: Hashable = None
    ) -> list[Row]:
        plan = prepared.plan(self._compiler.dialect, variant)
        note(plan.sql)
        with _refused_values():
            records = await self._records(plan.sql, plan.values(params))
        return plan.rows(records)


class _PgConnection(_DriverConnection):
    dialect_name = "postgresql"

    def __init__(
        self,
        conn: asyncpg.Connection,
        compiler: _Compiler,
        cache: dict[str, Any],
    ) -> None:
        self._conn = conn
        self._compiler = compiler
        self.cache = cache

    async def _records(self, sql: str, values: list[Any]) -> Sequence[Sequence[Any]]:
        records: Sequence[Sequence[Any]] = await self._conn.fetch(sql, *values)
        return records

    async def execute(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> int:
        sql, values, _ = self._compiler.prepare(stmt, params)
        note(sql)
        with _refused_values():
            status = await self._conn.execute(sql, *values)
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0


class _SqliteConnection(_DriverConnection):
    dialect_name = "sqlite"

    def __init__(
        self,
        conn: aiosqlite.Connection,
        compiler: _Compiler,
        cache: dict[str, Any],
    ) -> None:
        self._conn = conn
        self._compiler = compiler
        self.cache = cache

    async def _records(self, sql: str, values: list[Any]) -> Sequence[Sequence[Any]]:
        # One trip to the connection's thread (execute, fetch and close there), not three.
        return await self._conn.execute_fetchall(sql, values)  # type: ignore[return-value]

    async def execute(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> int:
        sql, values, _ = self._compiler.prepare(stmt, params)
        note(sql)
        with _refused_values():
            async with self._conn.execute(sql, values) as cursor:
                return cursor.rowcount


class _PlainConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled connection given back without asyncpg's reset statement (advisory unlock,
    CLOSE ALL, UNLISTEN, RESET ALL): a round trip per request for session state moot never
    sets — its locks are transaction-scoped, it listens to nothing and changes no setting.
    An open transaction is still rolled back on release (asyncpg does that apart)."""

    def get_reset_query(self) -> str:
        return ""


class Database:
    """A pool of connections to one database, PostgreSQL or SQLite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect_name = "postgresql" if url.startswith("postgres") else "sqlite"
        dialect: Dialect
        if self.dialect_name == "postgresql":
            dialect = pg_dialect_module.dialect()  # type: ignore[no-untyped-call]
        else:
            dialect = sqlite_dialect_module.dialect()
        self._compiler = _Compiler(dialect)
        self.cache: dict[str, Any] = {}
        self._pg_pool: asyncpg.Pool | None = None
        self._sqlite_idle: asyncio.Queue[aiosqlite.Connection] | None = None
        self._sqlite_all: list[aiosqlite.Connection] = []
        # SQLite allows one writer: transactions queue here instead of failing with "busy".
        self._write_lock = asyncio.Lock()

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.split("///", 1)[1])

    async def connect(self, size: int = 8, connect_timeout: float = 60.0) -> None:
        if self.dialect_name == "postgresql":
            dsn = self.url.replace("postgresql+asyncpg://", "postgresql://")
            self._pg_pool = await asyncpg.create_pool(
                dsn,
                min_size=1,
                max_size=size,
                timeout=connect_timeout,
                connection_class=_PlainConnection,
            )
            return
        self._sqlite_idle = asyncio.Queue()
        for _ in range(max(2, size // 2)):
            conn = await aiosqlite.connect(self.sqlite_path, isolation_level=None)
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=10000")
            await conn.execute("PRAGMA synchronous=NORMAL")
            self._sqlite_all.append(conn)
            self._sqlite_idle.put_nowait(conn)

    async def close(self) -> None:
        if self._pg_pool is not None:
            await self._pg_pool.close()
            self._pg_pool = None
        for conn in self._sqlite_all:
            await conn.close()
        self._sqlite_all.clear()

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection for reads, outside any explicit transaction."""
        if self._pg_pool is not None:
            async with self._pg_pool.acquire() as raw_pg:
                pg = _PgConnection(raw_pg, self._compiler, self.cache)
                try:
                    yield pg
                finally:
                    await pg._end()
            return
        assert self._sqlite_idle is not None, "Database.connect() was not called"
        raw = await self._sqlite_idle.get()
        lite = _SqliteConnection(raw, self._compiler, self.cache)
        try:
            yield lite
        finally:
            await lite._end()
            self._sqlite_idle.put_nowait(raw)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """All or nothing: an exception anywhere inside rolls every statement back. A lost
        race (see `Conflict`) leaves as `Conflict`, whichever statement or the commit met it."""
        if self._pg_pool is not None:
            with _races_as_conflicts():
                async with self._pg_pool.acquire() as raw:
                    conn = _PgConnection(raw, self._compiler, self.cache)
                    try:
                        async with raw.transaction():
                            yield conn
                    finally:
                        await conn._end()
            return
        assert self._sqlite_idle is not None, "Database.connect() was not called"
        async with self._write_lock:
            raw = await self._sqlite_idle.get()
            lite = _SqliteConnection(raw, self._compiler, self.cache)
            try:
                with _races_as_conflicts():
                    await raw.execute("BEGIN IMMEDIATE")
                try:
                    with _races_as_conflicts():
                        yield lite
                except BaseException:
                    await raw.execute("ROLLBACK")
                    raise
                else:
                    try:
                        with _races_as_conflicts():
                            await raw.execute("COMMIT")
                    except BaseException:
                        await raw.execute("ROLLBACK")
                        raise
            finally:
                await lite._end()
                self._sqlite_idle.put_nowait(raw)
