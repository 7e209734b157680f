"""Outgoing delivery: one worker per remote instance, walking the outbox in id order.

Each worker sends many activities at once (the instance's distance does not limit the rate)
while keeping order where it matters: two activities about the same object are sent one
after the other. The cursor (every id up to it is delivered) is saved as it moves, so a
restart resends at most what was in flight, and receivers drop repeated activity ids.
Failures (5xx, 408, 429, timeouts, refused connections) are retried with Lemmy's backoff;
other 4xx count as delivered. An instance not reached for three days is dead and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import msgspec
import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Row
from moot.db.types import utcnow
from moot.federation import signatures
from moot.federation.delivery_state import (
    QueueState,
    backoff_seconds,
    is_dead,
    load_state,
    save_state,
)
from moot.federation.keys import actor_keys
from moot.federation.outbox import inboxes_on
from moot.federation.runtime import Federation
from moot.federation.transport import DeliveryClient
from moot.workers.leases import LeaseKeeper

log = logging.getLogger("moot.delivery")
WINDOW = 500  # outbox rows read per step
SEND_TIMEOUT = 30.0
KEEP = timedelta(days=7)
S = m.sent_activity


@dataclass
class Outgoing:
    id: int
    data: bytes
    signer: str
    published: Any
    key: str  # activities with the same key are sent in order


def _ordering_key(data: dict[str, Any]) -> str:
    """The innermost object an activity is about (Announce → Create → Page → its id)."""
    node: Any = data
    for _ in range(4):
        inner = node.get("object") if isinstance(node, dict) else None
        if isinstance(inner, dict):
            node = inner
        elif isinstance(inner, str):
            return inner
        else:
            break
    return str(node.get("id")) if isinstance(node, dict) else str(data.get("id"))


class Signers:
    """Private keys of local actors, loaded once."""

    def __init__(self, fed: Federation) -> None:
        self.fed = fed
        self._keys: dict[str, str] = {}

    async def private_pem(self, actor_id: str) -> str:
        if actor_id not in self._keys:
            for table in (m.person, m.community, m.site):
                async with self.fed.db.connection() as conn:
                    row = await conn.fetch_one(sa.select(table).where(table.c.actor_id == actor_id))
                if row is not None:
                    async with self.fed.db.transaction() as tx:
                        self._keys[actor_id] = (await actor_keys(tx, table, row))[0]
                    break
            else:
                raise LookupError(f"no local actor {actor_id} to sign with")
        return self._keys[actor_id]


@dataclass
class InstanceWorker:
    fed: Federation
    http: DeliveryClient
    signers: Signers
    instance: Row
    latest: asyncio.Condition
    state: QueueState | None = None
    _gate_until: float = 0.0
    _window_started: float = 0.0
    _alive_saved: float = field(default=0.0)

    @property
    def domain(self) -> str:
        return str(self.instance["domain"])

    async def run(self) -> None:
        async with self.fed.db.transaction() as tx:
            self.state = await load_state(tx, self.instance)
        if self.state.next_retry is not None:
            # After a restart, sleep out what is left of the backoff.
            self._gate_until = time.monotonic() + max(
                0.0, (self.state.next_retry - utcnow()).total_seconds()
            )
        while True:
            rows = await self._next_rows()
            if not rows:
                async with self.latest:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.latest.wait(), 5)
                continue
            await self._send_window(rows, await self._inboxes(rows))

    async def _next_rows(self) -> list[Row]:
        assert self.state is not None
        async with self.fed.db.connection() as conn:
            return await conn.fetch_all(
                sa.select(S)
                .where(S.c.id > self.state.last_successful_id)
                .order_by(S.c.id)
                .limit(WINDOW)
            )

    async def _inboxes(self, rows: list[Row]) -> dict[int, list[str]]:
        async with self.fed.db.connection() as conn:
            return await inboxes_on(conn, self.instance, rows)

    async def _send_window(self, rows: list[Row], inboxes: dict[int, list[str]]) -> None:
        assert self.state is not None
        slots = asyncio.Semaphore(max(1, self.fed.settings.federation_sends_per_instance))
        last_of: dict[str, asyncio.Task[None]] = {}
        tasks: list[tuple[Row, asyncio.Task[None] | None]] = []
        for row in rows:
            targets = inboxes[int(row["id"])]
            if not targets:
                tasks.append((row, None))
                continue
            data = row["data"].encode()
            key = _ordering_key(msgspec.json.decode(data))
            item = Outgoing(int(row["id"]), data, str(row["actor_apub_id"]), row["published"], key)
            task = asyncio.create_task(self._deliver(item, targets, last_of.get(key), slots))
            last_of[key] = task
            tasks.append((row, task))
        saved = time.monotonic()
        try:
            for done_row, pending in tasks:
                if pending is not None:
                    await pending
                    self.state.last_successful_published_time = done_row["published"]
                self.state.last_successful_id = int(done_row["id"])
                if time.monotonic() - saved > 1.0:
                    await self._save()
                    saved = time.monotonic()
        finally:
            for _, unfinished in tasks:
                if unfinished is not None and not unfinished.done():
                    unfinished.cancel()
            await self._save()

    async def _deliver(
        self,
        item: Outgoing,
        targets: list[str],
        before: asyncio.Task[None] | None,
        slots: asyncio.Semaphore,
    ) -> None:
        if before is not None:
            await asyncio.shield(before)
        for inbox in targets:
            while True:
                await self._wait_gate()
                async with slots:
                    delivered = await self._post(item, inbox)
                if delivered:
                    await self._succeeded()
                    break
                await self._failed()

    async def _post(self, item: Outgoing, inbox: str) -> bool:
        """True when the activity counts as delivered (2xx, or a 4xx that retrying won't fix)."""
        if (await self.fed.policy.get()).refusal(self.domain) is not None:
            return True  # blocked since the worker started: dropped, never sent
        try:
            pem = await self.signers.private_pem(item.signer)
        except LookupError as exc:
            log.warning("skipping activity %d: %s", item.id, exc)
            return True  # an internal error skips the activity, as in Lemmy
        headers = signatures.sign(inbox, item.data, pem, f"{item.signer}#main-key")
        try:
            response = await self.http.post(inbox, content=item.data, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("delivery %d to %s failed: %s", item.id, inbox, type(exc).__name__)
            return False
        status = response.status_code
        if 200 <= status < 300:
            return True
        if 400 <= status < 500 and status not in (408, 429):
            log.warning(
                "%s refused activity %d: %s %s", inbox, item.id, status, response.text[:200]
            )
            return True
        log.warning("delivery %d to %s: %s, will retry", item.id, inbox, status)
        return False

    async def _wait_gate(self) -> None:
        # The gate may move while we sleep (another failure), hence the loop.
        while (delay := self._gate_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    async def _failed(self) -> None:
        assert self.state is not None
        # Failures inside one backoff window count once.
        if time.monotonic() < self._gate_until:
            return
        self.state.fail_count += 1
        delay = backoff_seconds(self.state.fail_count, fast=self.fed.test_mode)
        now = utcnow()
        self.state.last_retry = now
        self.state.next_retry = now + timedelta(seconds=delay)
        self._gate_until = time.monotonic() + max(delay, 0.05)
        await self._save()

    async def _succeeded(self) -> None:
        assert self.state is not None
        if self.state.fail_count:
            self.state.fail_count -= 1
            self.state.next_retry = None
        if time.monotonic() - self._alive_saved > 60:
            self._alive_saved = time.monotonic()
            async with self.fed.db.transaction() as tx:
                await tx.execute(
                    sa.update(m.instance)
                    .where(m.instance.c.id == self.instance["id"])
                    .values(updated=utcnow())
                )

    async def _save(self) -> None:
        assert self.state is not None
        async with self.fed.db.transaction() as tx:
            await save_state(tx, self.state)


async def _eligible(fed: Federation) -> list[Row]:
    """Remote instances moot may deliver to: allowed, not blocked, not dead."""
    policy = await fed.policy.get()
    async with fed.db.connection() as conn:
        rows = await conn.fetch_all(sa.select(m.instance).order_by(m.instance.c.id))
    local = fed.settings.hostname.lower()
    return [
        r
        for r in rows
        if str(r["domain"]).lower() not in (local, fed.local_domain)
        and policy.refusal(str(r["domain"])) is None
        and not is_dead(r)
    ]


async def run_delivery(fed: Federation, keeper: LeaseKeeper) -> None:
    """Ask for one worker per instance (each runs in whichever process holds its lease,
    moot/workers/leases.py); wake this process's workers when the outbox grows."""
    connections = fed.settings.federation_sends_per_instance * 4
    http = DeliveryClient(fed.settings, connections, timeout=SEND_TIMEOUT)
    signers = Signers(fed)
    latest = asyncio.Condition()
    wanted: set[int] = set()
    recheck = 1.0 if fed.test_mode else 60.0
    poll = 0.1 if fed.test_mode else 1.0
    checked, newest, purged = 0.0, -1, 0.0
    try:
        while True:
            if time.monotonic() - purged > 3600:
                purged = time.monotonic()
                await _purge(fed)
            if time.monotonic() - checked > recheck:
                checked = time.monotonic()
                eligible = {int(r["id"]): r for r in await _eligible(fed)}
                for instance_id in wanted - set(eligible):
                    keeper.drop(_lease(instance_id))
                for instance_id, row in eligible.items():
                    if instance_id not in wanted:
                        worker = InstanceWorker(fed, http, signers, row, latest)
                        keeper.want(
                            _lease(instance_id), functools.partial(_guarded, worker), balanced=True
                        )
                wanted = set(eligible)
            async with fed.db.connection() as conn:
                top = int(await conn.scalar(sa.select(sa.func.max(S.c.id))) or 0)
            if top != newest:
                newest = top
                async with latest:
                    latest.notify_all()
            await asyncio.sleep(poll)
    finally:
        for instance_id in wanted:
            keeper.drop(_lease(instance_id))
        await http.aclose()


def _lease(instance_id: int) -> str:
    return f"delivery:{instance_id}"


async def _purge(fed: Federation) -> None:
    """Sent and received activities are kept a week, as Lemmy keeps them."""
    before = utcnow() - KEEP
    r = m.received_activity
    async with fed.db.transaction() as tx:
        await tx.execute(sa.delete(S).where(S.c.published < before))
        await tx.execute(sa.delete(r).where(r.c.published < before, r.c.state != "pending"))


async def _guarded(worker: InstanceWorker) -> None:
    while True:
        try:
            await worker.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery to %s stopped on an error; restarting", worker.domain)
            await asyncio.sleep(1)
