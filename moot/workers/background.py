"""A process's background work: what `moot serve` runs beside the web (unless
`--no-workers`), and all that `moot worker` runs.

Each piece runs in one process at a time, whichever processes run, under a lease
(moot/workers/leases.py): the inbox, the periodic jobs, and delivery to each instance —
so deliveries to one instance keep their order and each period's jobs run once.
"""

from __future__ import annotations

import asyncio
import functools

from moot.federation.runtime import Federation
from moot.state import Moot
from moot.workers.delivery import run_delivery
from moot.workers.inbox import run_inbox_worker
from moot.workers.leases import LeaseKeeper
from moot.workers.scheduler import run_scheduler

__all__ = ["LEASE_SECONDS", "run_background"]

# How long a dead process's work waits before another takes it over; renewed every third.
LEASE_SECONDS = 30.0
# Short, so the tests' killed workers are replaced quickly; not shorter, because a process on
# a crowded machine renews late (at 3 s, leases changed hands every few seconds).
TEST_LEASE_SECONDS = 6.0


async def run_background(moot: Moot, fed: Federation) -> None:
    keeper = LeaseKeeper(moot.db, TEST_LEASE_SECONDS if fed.test_mode else LEASE_SECONDS)
    keeper.want("inbox", functools.partial(run_inbox_worker, fed))
    keeper.want("scheduler", functools.partial(run_scheduler, moot))
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(keeper.run())
        tasks.create_task(run_delivery(fed, keeper))
