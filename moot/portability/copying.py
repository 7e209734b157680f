"""`moot db copy`: a stopped SQLite instance, every table of it, into PostgreSQL.

The target is an empty PostgreSQL database (created, and migrated or not: an empty one is
migrated here). Tables go in foreign key order, each in batches that commit one by one, so
an interrupted copy leaves every table a prefix, in key order, of the source's. A run,
first or again, decides per table from what the target holds:

- nothing: copy it all;
- a prefix of the source's rows (same count and checksum as the source's rows up to the
  target's greatest key): copy what follows that key. A table copied whole is a prefix
  too, so running again after a finished copy copies nothing and verifies;
- anything else: the target is not empty (another instance's rows, or a source changed
  since the first run), and the copy stops before writing anything more.

Then every table is verified (row count and checksum, computed alike on both sides:
moot/portability/tables.py), sequences are set past the copied ids, and the statistics are
gathered. The source is read in one read transaction: a consistent snapshot even if
something writes to it, but the instance must be stopped for the copy to hold everything.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from alembic.script import ScriptDirectory

from moot.db.migrate import alembic_config, upgrade
from moot.portability.tables import (
    Shape,
    Tally,
    copy_order,
    last_key_sql,
    postgresql_tally,
    shape,
    sqlite_batches,
    sqlite_tally,
)


class CopyRefused(Exception):
    """The copy cannot start or go on; the message says why and what to do."""


class Progress(Protocol):
    def table(self, name: str, total: int) -> Callable[[int], None]:
        """Start a table of `total` rows; the returned function advances it by n rows."""
        ...


@dataclass
class Copied:
    """What a run did: rows written now, and each table's verified count and checksum."""

    written: dict[str, int] = field(default_factory=dict)
    verified: dict[str, Tally] = field(default_factory=dict)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def open_source(path: Path) -> sqlite3.Connection:
    """The SQLite database read-only, in one read transaction held until it is closed."""
    if not path.exists():
        raise CopyRefused(f"no SQLite database at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    conn.execute("BEGIN")
    return conn


def check_source(conn: sqlite3.Connection, now: datetime) -> None:
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision is None or revision[0] != head_revision():
        raise CopyRefused(
            f"the SQLite database is at revision {revision and revision[0]}, this moot at "
            f"{head_revision()}: run `moot migrate` on it first"
        )
    for name, owner, expires in conn.execute("SELECT name, owner, expires FROM lease"):
        if datetime.fromisoformat(expires).replace(tzinfo=UTC) > now:
            raise CopyRefused(
                f"moot still runs on this database ({owner} holds {name!r} until {expires} "
                "UTC): stop it first (a process that died frees its lease by then)"
            )


async def prepare_target(url: str) -> asyncpg.Connection:
    """Connected to the target, at this moot's schema: an empty database is migrated."""
    conn: asyncpg.Connection = await asyncpg.connect(url)
    tables = {
        r["tablename"]
        for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    if "alembic_version" not in tables:
        if tables:
            await conn.close()
            raise CopyRefused(
                f"the target database is not empty: it holds tables ({', '.join(sorted(tables))})"
                " but no moot schema; copy into a new, empty database"
            )
        await asyncio.to_thread(upgrade, url)  # Alembic runs its own event loop
    revision = await conn.fetchval("SELECT version_num FROM alembic_version")
    if revision != head_revision():
        await conn.close()
        raise CopyRefused(
            f"the target database is at revision {revision}, this moot at {head_revision()}: "
            "copy into a new, empty database"
        )
    return conn


async def _start_after(
    source: sqlite3.Connection, target: asyncpg.Connection, s: Shape
) -> tuple[tuple[Any, ...] | None, Tally]:
    """Where the table's copy resumes (None: from the start), and the tally of the rows
    the target already holds. Refuses a table that is no prefix of the source's."""
    held = await target.fetchval(f'SELECT count(*) FROM "{s.name}"')
    if held == 0:
        return None, Tally()
    last = tuple(await target.fetchrow(last_key_sql(s)))
    theirs = await postgresql_tally(target, s)
    ours = sqlite_tally(source, s, upto=last)
    if theirs != ours:
        raise CopyRefused(
            f"the target database is not empty: table {s.name} holds {held} rows that are not"
            f" this instance's (target: {theirs}; source up to the same key: {ours}). Copy "
            "into a new, empty database (or, if an earlier copy was made from this instance "
            "before it changed, drop that database and start again)"
        )
    return last, ours


async def copy_database(
    source_path: Path,
    target_url: str,
    progress: Progress,
    *,
    batch_size: int = 5000,
    kill_after_batches: int | None = None,
) -> Copied:
    """Copy every table of the SQLite database at `source_path` into `target_url`."""
    shapes = [shape(t) for t in copy_order()]
    source = open_source(source_path)
    try:
        check_source(source, datetime.now(UTC))
        target = await prepare_target(target_url)
        try:
            done = Copied()
            batches = 0
            for s in shapes:
                total = source.execute(f'SELECT count(*) FROM "{s.name}"').fetchone()[0]
                after, held = await _start_after(source, target, s)
                if held.rows == total:
                    done.verified[s.name] = held
                    continue
                advance = progress.table(s.name, total)
                advance(held.rows)
                written = 0
                for batch in sqlite_batches(source, s, batch_size, after=after):
                    async with target.transaction():
                        await target.copy_records_to_table(
                            s.name, records=batch, columns=list(s.columns)
                        )
                        batches += 1
                        if batches == kill_after_batches:
                            # Tests: die as a power cut would, in the middle of a batch.
                            os.kill(os.getpid(), signal.SIGKILL)
                    written += len(batch)
                    advance(len(batch))
                done.written[s.name] = written
            await _verify(source, target, shapes, done, progress)
            await _set_sequences(target, shapes)
            await target.execute("ANALYZE")
            return done
        finally:
            await target.close()
    finally:
        source.close()


async def _verify(
    source: sqlite3.Connection,
    target: asyncpg.Connection,
    shapes: list[Shape],
    done: Copied,
    progress: Progress,
) -> None:
    todo = [s for s in shapes if s.name not in done.verified]
    if not todo:  # every table was found whole, which is verified
        return
    advance = progress.table("verifying", len(todo))
    wrong: list[str] = []
    for s in todo:
        ours, theirs = sqlite_tally(source, s), await postgresql_tally(target, s)
        if ours != theirs:
            wrong.append(f"{s.name} (source: {ours}; target: {theirs})")
        done.verified[s.name] = theirs
        advance(1)
    if wrong:
        raise CopyRefused("the copy does not match the source: " + "; ".join(wrong))


async def _set_sequences(target: asyncpg.Connection, shapes: list[Shape]) -> None:
    """Each id sequence past the greatest copied id, so new rows do not collide."""
    for s in shapes:
        for column in s.key:
            sequence = await target.fetchval(
                "SELECT pg_get_serial_sequence($1, $2)", f'"{s.name}"', column
            )
            if sequence is not None:
                await target.execute(
                    f'SELECT setval($1, COALESCE((SELECT max("{column}") FROM "{s.name}"), 0)'
                    " + 1, false)",
                    sequence,
                )
