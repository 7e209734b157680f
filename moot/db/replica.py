"""An optional PostgreSQL streaming replica (MOOT_DATABASE_REPLICA_URL) for the reads that
may be a few seconds old: anonymous listings (docs/decisions.md, "A read replica").

How stale it may be is bounded here, by this process, without trusting the replica's clock
or its own idea of its lag. Every `interval` the watcher reads the primary's WAL position
(`pg_current_wal_lsn()`), having noted the time just before, then the replica's replayed
position (`pg_last_wal_replay_lsn()`). Once the replica has replayed past a position read
at time t, every transaction committed on the primary before t is visible on it:
`fresh_at` is the latest such t. A read starts on the replica only while
`now - fresh_at <= max_lag`, so it misses at most the commits of the last `max_lag`
seconds. A replica that falls behind, stops replaying, loses its primary or goes away
stops being confirmed, and within `max_lag` every read is the primary's again. No check
succeeding is no confirmation: the bound holds however the replica fails.

A replica that cannot be connected to gives the read to the primary at once. One that fails
under a read ends that request with `ReplicaLost`, a `Conflict`, so the front doors' replay
(moot/replay.py) runs it again, on the primary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable, Mapping
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.sql import ClauseElement

from moot.db.engine import Conflict, Connection, Database, Row
from moot.db.prepared import Prepared

log = logging.getLogger("moot.replica")

# What a replica that went away, restarts or cancels a read for replay raises.
_LOST = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    # "canceling statement due to conflict with recovery"
    asyncpg.exceptions.TransactionRollbackError,
)
# WAL positions as numbers (bytes since the start).
_LSN = sa.column("lsn", sa.Numeric)
_PRIMARY_LSN = sa.text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS lsn").columns(_LSN)
_REPLAYED_LSN = sa.text("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn AS lsn").columns(_LSN)
CONNECT_SECONDS = 2.0


class ReplicaLost(Conflict):
    """The replica failed under a read: the request is run again (on the primary)."""


class Replica:
    def __init__(
        self,
        url: str,
        primary: Database,
        max_lag: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = Database(url)
        self.primary = primary
        self.max_lag = max_lag
        # Checked often enough that a replica keeping up is always within the bound.
        self.interval = min(1.0, max_lag / 4)
        self._clock = clock
        self._connected = False
        # (time, primary WAL position) read but not yet replayed by the replica.
        self._pending: deque[tuple[float, int]] = deque()
        self._fresh_at: float | None = None
        self.problem: str | None = "not checked yet"

    def usable(self) -> bool:
        return self._fresh_at is not None and self._clock() - self._fresh_at <= self.max_lag

    def status(self) -> str:
        """For /health: ok, lagging (reachable, but behind the bound) or unreachable."""
        if self.usable():
            return "ok"
        return "lagging" if self.problem is None else "unreachable"

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """The replica's connection while it is within the bound and answers; the
        primary's otherwise."""
        async with contextlib.AsyncExitStack() as stack:
            conn: Connection | None = None
            if self.usable():
                try:
                    async with asyncio.timeout(CONNECT_SECONDS):
                        raw = await stack.enter_async_context(self.db.connection())
                    conn = _ReplicaConnection(raw, self)
                except _LOST as exc:
                    self.lost(exc)
            if conn is None:
                conn = await stack.enter_async_context(self.primary.connection())
            yield conn

    def lost(self, exc: BaseException) -> None:
        if self._fresh_at is not None:
            log.warning("read replica lost, reads go to the primary: %r", exc)
        self._fresh_at = None
        self.problem = repr(exc)

    async def check(self) -> None:
        """One confirmation round (see the module's comment)."""
        if not self._connected:
            await self.db.connect(connect_timeout=CONNECT_SECONDS)
            self._connected = True
        at = self._clock()
        # Positions older than the bound can no longer make the replica usable (and while
        # the replica is away, this keeps the list from growing).
        while self._pending and self._pending[0][0] < at - self.max_lag:
            self._pending.popleft()
        async with self.primary.connection() as conn:
            self._pending.append((at, int(await conn.scalar(_PRIMARY_LSN))))
        async with self.db.connection() as conn:
            replayed = await conn.scalar(_REPLAYED_LSN)
        if replayed is None:
            raise RuntimeError("MOOT_DATABASE_REPLICA_URL is not a standby in recovery")
        while self._pending and self._pending[0][1] <= int(replayed):
            self._fresh_at = self._pending.popleft()[0]
        if self.problem is not None:
            behind = "" if self.usable() else f", but more than {self.max_lag} s behind"
            log.info("read replica answers%s", behind)
        self.problem = None

    async def watch(self) -> None:
        """Check every `interval` until cancelled."""
        while True:
            try:
                await asyncio.wait_for(self.check(), self.max_lag)
            except Exception as exc:
                # Nothing more to do: unconfirmed, the replica ages out of the bound.
                if self.problem is None:
                    log.warning("read replica check failed: %r", exc)
                self.problem = repr(exc)
            await asyncio.sleep(self.interval)

    async def close(self) -> None:
        await self.db.close()


class _ReplicaConnection(Connection):
    """A replica's connection that reports its failures as `ReplicaLost`."""

    dialect_name = "postgresql"
    replica = True

    def __init__(self, inner: Connection, replica: Replica) -> None:
        self._inner = inner
        self._replica = replica
        # The primary's memory: what the process keeps is read there (site_state).
        self.cache = replica.primary.cache

    async def fetch_all(
        self, stmt: ClauseElement, params: dict[str, Any] | None = None
    ) -> list[Row]:
        try:
            return await self._inner.fetch_all(stmt, params)
        except _LOST as exc:
            self._replica.lost(exc)
            raise ReplicaLost(f"the read replica failed: {exc!r}") from exc

    async def run(
        self, prepared: Prepared, params: Mapping[str, Any], variant: Hashable = None
    ) -> list[Row]:
        try:
            return await self._inner.run(prepared, params, variant)
        except _LOST as exc:
            self._replica.lost(exc)
            raise ReplicaLost(f"the read replica failed: {exc!r}") from exc

    async def execute(self, stmt: ClauseElement, params: dict[str, Any] | None = None) -> int:
        raise AssertionError("writes go to the primary")
