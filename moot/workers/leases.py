"""Background work that one process at a time may do, whichever processes run.

Every `moot serve` (unless `--no-workers`) and every `moot worker` runs one `LeaseKeeper`
and asks it for the same work: delivery to each remote instance, the inbox, the periodic
jobs. The keeper claims the lease (moot/db/leases.py) of each piece of work nobody else
holds and runs the work while it holds it; it renews all its leases in one statement every
third of the lease's time. A process that dies stops renewing, its leases expire, and the
others take its work over: delivery resumes from the saved cursor, the inbox from its
pending rows. Work wanted as `balanced` (delivery to each instance) is spread over the
processes present (each holds a presence lease, `process:<owner>`): none holds more than
its share, rounded up, and one holding more gives the excess up when another process
appears. A keeper whose renewal fails (the database unreachable for longer than the
lease) stops the work whose lease it may have lost before another can have claimed it.

Clocks: expiry times are written by each process's clock; machines running moot keep
time (NTP) far better than a third of a lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
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
# The lease each keeper holds while it runs, to be counted among the processes present.
PRESENCE = "process:"


class LeaseKeeper:
    def __init__(self, db: Database, ttl: float, owner: str = OWNER) -> None:
        self.db = db
        self.ttl = ttl
        self.owner = owner
        self._wanted: dict[str, Work] = {}
        self._balanced: set[str] = set()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._renewed_at: float | None = None  # the loop's clock
        self._presence = f"{PRESENCE}{owner}"

    def want(self, name: str, work: Work, *, balanced: bool = False) -> None:
        """Run `work` whenever this process holds lease `name` (from the next turn); balanced
        work is shared out among the processes present."""
        self._wanted[name] = work
        if balanced:
            self._balanced.add(name)

    def drop(self, name: str) -> None:
        """No longer do `name`: its work stops and its lease is given up."""
        self._wanted.pop(name, None)
        self._balanced.discard(name)

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
            await self._release(self._presence)

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
        share = await self._share(now, until)
        mine = [name for name in self._running if name in self._balanced]
        if len(mine) > share:
            log.info("giving %d balanced leases up to other processes", len(mine) - share)
            await self._stop(mine[share:])
            mine = mine[:share]
        for name in [n for n in self._wanted if n not in self._running]:
            if name in self._balanced and len(mine) >= share:
                continue
            if await self._claim(name, now, until):
                self._running[name] = asyncio.create_task(self._wanted[name](), name=name)
                if name in self._balanced:
                    mine.append(name)

    async def _share(self, now: datetime, until: datetime) -> int:
        """How many balanced leases this process may hold: their number over the processes
        present, rounded up. Marks this one present; forgets long-gone ones."""
        L = m.lease
        try:
            async with self.db.transaction() as tx:
                await leases.claim(tx, self._presence, self.owner, now, until)
                await tx.execute(
                    sa.delete(L).where(
                        L.c.name.startswith(PRESENCE), L.c.expires < now - timedelta(hours=1)
                    )
                )
                present = await tx.scalar(
                    sa.select(sa.func.count())
                    .select_from(L)
                    .where(L.c.name.startswith(PRESENCE), L.c.expires >= now)
                )
        except Exception:
            log.exception("counting the processes present failed")
            present = 1
        return math.ceil(len(self._balanced) / max(1, int(present or 1)))

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
            await self._release(name)

    async def _release(self, name: str) -> None:
        with contextlib.suppress(Exception):
            async with self.db.transaction() as tx:
                await leases.release(tx, name, self.owner)
