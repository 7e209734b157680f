"""The drivers, called directly: an asyncpg pool, or a few aiosqlite connections.

Statements are written once with `:name` parameters (SQLite's own style); for asyncpg they
are rewritten to `$n` once and the values passed in that order.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
import asyncpg

_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class Statement:
    """One SQL text with named parameters, and its asyncpg form."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        self.pg_sql = _NAMED.sub(number, sql)
        self.names = tuple(names)


class Database:
    """What the routes need: run one statement, get its rows as sequences."""

    dialect: str

    async def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    def writing(self) -> Any:
        """`async with db.writing() as tx:` one transaction whose `tx.fetch` runs in it;
        committed at the end of the block, rolled back if it raises."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class Counted(Database):
    """A request's view of the database: counts the statements it runs."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = db.dialect
        self.statements = 0

    async def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        self.statements += 1
        return await self.db.fetch(stmt, params)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Database]:
        async with self.db.writing() as tx:
            counted = Counted(tx)
            try:
                yield counted
            finally:
                self.statements += counted.statements

    async def close(self) -> None:
        raise RuntimeError("a request does not close the database")


class _InTransaction(Database):
    """A connection inside a transaction: what `writing()` yields."""

    def __init__(self, dialect: str, run: Any) -> None:
        self.dialect = dialect
        self.run = run

    async def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        rows: Sequence[Sequence[Any]] = await self.run(stmt, params)
        return rows

    async def close(self) -> None:
        raise RuntimeError("a transaction does not close the database")


class Postgres(Database):
    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str, size: int) -> Postgres:
        # No reset query on release: the reference runs no session state to undo.
        pool = await asyncpg.create_pool(url, min_size=size, max_size=size, reset=None)
        return cls(pool)

    async def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        async with self.pool.acquire() as conn:
            rows: Sequence[Sequence[Any]] = await conn.fetch(
                stmt.pg_sql, *[params[n] for n in stmt.names]
            )
            return rows

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Database]:
        async with self.pool.acquire() as conn, conn.transaction():

            async def run(stmt: Statement, params: Mapping[str, Any]) -> Any:
                return await conn.fetch(stmt.pg_sql, *[params[n] for n in stmt.names])

            yield _InTransaction(self.dialect, run)

    async def close(self) -> None:
        await self.pool.close()


class Sqlite(Database):
    dialect = "sqlite"

    def __init__(
        self, connections: list[aiosqlite.Connection], writer: aiosqlite.Connection
    ) -> None:
        self.idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for conn in connections:
            self.idle.put_nowait(conn)
        self.all = [*connections, writer]
        # One writer, as SQLite allows one: transactions take turns on it (as moot's do).
        self.writer = writer
        self.write_turn = asyncio.Lock()

    @classmethod
    async def open(cls, path: str, size: int) -> Sqlite:
        connections = []
        for _ in range(size):
            conn = await aiosqlite.connect(path)
            await conn.execute("PRAGMA query_only = 1")
            connections.append(conn)
        # Autocommit mode: the transaction is the writer's own BEGIN IMMEDIATE.
        writer = await aiosqlite.connect(path, isolation_level=None)
        await writer.execute("PRAGMA foreign_keys = ON")
        await writer.execute("PRAGMA busy_timeout = 10000")
        await writer.execute("PRAGMA synchronous = NORMAL")
        return cls(connections, writer)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Database]:
        async with self.write_turn:
            conn = self.writer

            async def run(stmt: Statement, params: Mapping[str, Any]) -> Any:
                return await conn.execute_fetchall(stmt.sql, dict(params))

            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield _InTransaction(self.dialect, run)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def fetch(self, stmt: Statement, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        conn = await self.idle.get()
        try:
            # One trip to the connection's thread, as moot makes (execute, fetch, close there).
            return await conn.execute_fetchall(stmt.sql, dict(params))  # type: ignore[return-value]
        finally:
            self.idle.put_nowait(conn)

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()


async def open_database(url: str, size: int = 4) -> Database:
    if url.startswith("postgresql"):
        return await Postgres.open(url, size)
    if url.startswith("sqlite:///"):
        return await Sqlite.open(url.removeprefix("sqlite:///"), size)
    raise ValueError(f"not a postgresql:// or sqlite:/// URL: {url}")
