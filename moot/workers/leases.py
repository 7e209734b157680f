"""Background work that one process at a time may do, whichever processes run.

Every `moot serve` (unless `--no-workers`) and every `moot worker` runs one `LeaseKeeper`
and asks it for the same work: delivery to each remote instance, the inbox, the periodic
jobs. The keeper claims the lease (moot/db/leases.py) of each piece of work nobody else
holds and runs the work while it holds it; it renews all its leases in one statement every
third of the lease's time. A process that dies stops renewing, its leases expire, and the
others take its work over: delivery resumes from the saved cursor, the inbox from its
pending rows. A keeper whose renewal fails (the database unreachable for longer than the
lease) stops the work whose lease it may have lost before another can have claimed it.

Clocks: expiry times are written by each process's clock; machines running moot keep
time (NTP) far better than a third of a lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from moot.db import leases
from moot.db import models as m
from moot.db.engine import Database
from moot.db.types import utcnow

__all__ = ["OWNER", "LeaseKeeper", "Work"]

log = logging.getLogger("moot.workers")

# This process, as lease owner: the host and pid say where, the token tells apart a pid
# reused after a restart.
OWNER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

Work = Callable[[], Coroutine[Any, Any, None]]


class LeaseKeeper:
    def __init__(self, db: Database, ttl: float, owner: str = OWNER) -> None:
        self.db = db
        self.ttl = ttl
        self.owner = owner
        self._wanted: dict[str, Work] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._renewed_at: float | None = None  # the loop's clock

    def want(self, name: str, work: Work) -> None:
        """Run `work` whenever this process holds lease `name` (from the next turn)."""
        self._wanted[name] = work

    def drop(self, name: str) -> None:
        """No longer do `name`: its work stops and its lease is given up."""
        self._wanted.pop(name, None)

    def holds(self, name: str) -> bool:
        return name in self._running and not self._running[name].done()

    async def run(self) -> None:
        """Keep the leases until cancelled; then stop the work and give the leases up."""
        try:
            while True:
                await self.turn()
                await asyncio.sleep(self.ttl / 3)
        finally:
            await self._stop(list(self._running))

    async def turn(self) -> None:
        """Renew what is held, stop what was lost or dropped, claim what is free."""
        now = utcnow()
        until = now + timedelta(seconds=self.ttl)
        held = [name for name in self._running if self.holds(name)]
        kept = await self._renew(held, until)
        lost = [name for name in held if name not in kept]
        for name in lost:
            log.warning("lease %s was lost; its work stops here", name)
        finished = [name for name, task in self._running.items() if task.done()]
        await self._stop(lost + finished + [n for n in self._running if n not in self._wanted])
        for name in [n for n in self._wanted if n not in self._running]:
            if await self._claim(name, now, until):
                self._running[name] = asyncio.create_task(self._wanted[name](), name=name)

    async def _renew(self, names: list[str], until: datetime) -> set[str]:
        if not names:
            return set()
        L = m.lease
        try:
            async with self.db.transaction() as tx:
                rows = await tx.fetch_all(
                    sa.update(L)
                    .where(L.c.owner == self.owner, L.c.name.in_(names))
                    .values(expires=until)
                    .returning(L.c.name)
                )
        except Exception:
            log.exception("renewing this process's leases failed")
            return set(names) if self._renewed_recently() else set()
        self._renewed_at = asyncio.get_running_loop().time()
        return {str(row["name"]) for row in rows}

    def _renewed_recently(self) -> bool:
        """Within two thirds of a lease of the last renewal: none has expired yet."""
        last = self._renewed_at
        return last is not None and asyncio.get_running_loop().time() - last < self.ttl * 2 / 3

    async def _claim(self, name: str, now: datetime, until: datetime) -> bool:
        try:
            async with self.db.transaction() as tx:
                claimed = await leases.claim(tx, name, self.owner, now, until)
        except Exception:
            log.exception("claiming lease %s failed", name)
            return False
        return claimed

    async def _stop(self, names: list[str]) -> None:
        for name in names:
            task = self._running.pop(name, None)
            if task is None:
                continue
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await task
                except Exception:
                    log.exception("the work of lease %s stopped on an error", name)
            with contextlib.suppress(Exception):
                async with self.db.transaction() as tx:
                    await leases.release(tx, name, self.owner)
