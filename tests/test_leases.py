"""Leases on a real database of each backend: a piece of background work runs in one
process at a time, whichever processes want it; a dead process's work is taken over once
its lease expires; a process that lost its lease stops the work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from moot.db import leases
from moot.db import models as m
from moot.db.engine import Database
from moot.db.types import utcnow
from moot.workers.leases import LeaseKeeper, Work
from tests.servers import migrated_database

TTL = 0.6


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with migrated_database(request.param) as database:
        yield database


class Job:
    """Work that notes which keeper runs it, and runs until stopped."""

    def __init__(self) -> None:
        self.running: set[str] = set()
        self.started: list[str] = []

    def work(self, who: str) -> Work:
        async def run() -> None:
            self.running.add(who)
            self.started.append(who)
            try:
                await asyncio.Event().wait()
            finally:
                self.running.discard(who)

        return run


async def _holder(db: Database, name: str) -> str | None:
    async with db.connection() as conn:
        owner = await conn.scalar(sa.select(m.lease.c.owner).where(m.lease.c.name == name))
    return None if owner is None else str(owner)


async def test_parallel_claims_of_one_lease_give_it_to_one_owner(db: Database) -> None:
    now = utcnow()

    async def claim(owner: str) -> bool:
        async with db.transaction() as tx:
            return await leases.claim(tx, "job", owner, now, now + timedelta(seconds=30))

    won = await asyncio.gather(*(claim(f"process-{n}") for n in range(10)))
    assert won.count(True) == 1
    assert await _holder(db, "job") == f"process-{won.index(True)}"


async def test_work_runs_in_one_process_and_moves_when_that_one_dies(db: Database) -> None:
    job = Job()
    keepers = {who: LeaseKeeper(db, TTL, owner=who) for who in ("a", "b")}
    for who, keeper in keepers.items():
        keeper.want("job", job.work(who))
    for _ in range(3):
        await asyncio.gather(*(keeper.turn() for keeper in keepers.values()))
        await asyncio.sleep(0.01)
    assert len(job.running) == 1 and job.started == list(job.running)
    (first,) = job.running
    other = "b" if first == "a" else "a"

    # The holder dies: it renews no more and gives nothing up (its task is just dropped).
    dead = keepers.pop(first)
    for task in dead._running.values():
        task.cancel()
    await keepers[other].turn()
    assert job.running == set(), "taken over before the lease expired"
    await asyncio.sleep(TTL * 1.2)
    await keepers[other].turn()
    await asyncio.sleep(0.01)
    assert job.running == {other} and await _holder(db, "job") == other


async def test_a_keeper_that_lost_its_lease_stops_the_work(db: Database) -> None:
    job = Job()
    keeper = LeaseKeeper(db, TTL, owner="slow")
    keeper.want("job", job.work("slow"))
    await keeper.turn()
    await asyncio.sleep(0.01)
    assert job.running == {"slow"}
    # It stalled past its lease, and another process took the work meanwhile.
    await asyncio.sleep(TTL * 1.2)
    now = utcnow()
    async with db.transaction() as tx:
        assert await leases.claim(tx, "job", "other", now, now + timedelta(seconds=30))
    await keeper.turn()
    assert job.running == set()
    assert await _holder(db, "job") == "other"


async def test_dropped_work_stops_and_its_lease_is_free_at_once(db: Database) -> None:
    job = Job()
    keeper = LeaseKeeper(db, 30.0, owner="one")
    keeper.want("job", job.work("one"))
    await keeper.turn()
    await asyncio.sleep(0.01)
    keeper.drop("job")
    await keeper.turn()
    assert job.running == set() and await _holder(db, "job") is None


async def test_balanced_work_is_shared_among_the_processes_present(db: Database) -> None:
    job = Job()
    names = [f"delivery:{n}" for n in range(4)]
    a, b = (LeaseKeeper(db, TTL, owner=who) for who in ("a", "b"))

    def held(keeper: LeaseKeeper) -> list[str]:
        return [name for name in names if keeper.holds(name)]

    for keeper in (a, b):
        for name in names:
            keeper.want(name, job.work(f"{keeper.owner}/{name}"), balanced=True)
    await a.turn()
    assert held(a) == names, "alone, a process does all of it"

    # Another process appears: the first gives half up, and the newcomer takes it.
    await b.turn()
    assert held(b) == []
    await a.turn()
    await b.turn()
    assert len(held(a)) == 2 and sorted(held(a) + held(b)) == names
    for name in names:
        assert await _holder(db, name) == ("a" if name in held(a) else "b")

    # The newcomer dies: its share returns to the other once its leases expire.
    for task in b._running.values():
        task.cancel()
    await asyncio.sleep(TTL * 1.2)
    await a.turn()
    assert held(a) == names
    await asyncio.sleep(0.01)
    assert sorted(who.split("/")[1] for who in job.running if who.startswith("a/")) == names
