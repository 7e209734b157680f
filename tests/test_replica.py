"""The read replica's bound and failures, on a real primary and streaming replica, with
this process's clock in the test's hands: a moment is confirmed once the replica has
replayed what the primary had written by then, and reads go to it only within
`max_lag` of the last confirmed moment (moot/db/replica.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from moot.db.engine import Database
from moot.db.replica import Replica, ReplicaLost
from tests.standby import StreamingPair

_PID = sa.text("SELECT pg_backend_pid() AS pid").columns(sa.column("pid", sa.Integer))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def replica(standby: StreamingPair) -> AsyncIterator[tuple[Replica, Clock]]:
    primary = Database(standby.url(standby.primary_port))
    await primary.connect(size=2)
    clock = Clock()
    watched = Replica(standby.url(standby.replica_port), primary, max_lag=5.0, clock=clock)
    try:
        yield watched, clock
    finally:
        standby.psql(standby.replica_port, "SELECT pg_wal_replay_resume()")
        await watched.close()
        await primary.close()


async def _caught_up(replica: Replica) -> None:
    """Checks until the replica confirms the present (it replays within moments)."""
    for _ in range(200):
        await replica.check()
        if replica.usable():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the replica never caught up")


async def test_reads_leave_a_replica_that_is_not_confirmed_within_the_bound(
    standby: StreamingPair, replica: tuple[Replica, Clock]
) -> None:
    watched, clock = replica
    assert watched.status() == "unreachable"  # never checked: not used
    async with watched.connection() as conn:
        assert not conn.replica
    await _caught_up(watched)
    async with watched.connection() as conn:
        assert conn.replica
        assert await conn.scalar(sa.select(sa.func.pg_is_in_recovery()))

    standby.psql(standby.replica_port, "SELECT pg_wal_replay_pause()")
    standby.psql(
        standby.primary_port, "CREATE TABLE IF NOT EXISTS t (x int); INSERT INTO t VALUES (1)"
    )
    clock.now += 4.0
    await watched.check()  # the insert is not replayed: nothing newer is confirmed
    assert watched.usable() and watched.status() == "ok"  # 4 s behind at most
    clock.now += 1.5
    await watched.check()
    assert not watched.usable() and watched.status() == "lagging"
    async with watched.connection() as conn:
        assert not conn.replica  # the primary's

    standby.psql(standby.replica_port, "SELECT pg_wal_replay_resume()")
    await _caught_up(watched)
    assert watched.status() == "ok"


async def test_a_replica_failing_under_a_read_gives_the_request_back(
    standby: StreamingPair, replica: tuple[Replica, Clock]
) -> None:
    watched, _ = replica
    await _caught_up(watched)
    async with watched.connection() as conn:
        assert conn.replica
        pid = await conn.scalar(_PID)
        standby.psql(standby.replica_port, f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(ReplicaLost):  # a Conflict: the front doors run the request again
            await conn.fetch_all(sa.select(sa.literal(1)))
    assert not watched.usable() and watched.status() == "unreachable"
    async with watched.connection() as conn:
        assert not conn.replica
    await _caught_up(watched)  # the pool reconnects; the next good check restores it
    async with watched.connection() as conn:
        assert conn.replica
