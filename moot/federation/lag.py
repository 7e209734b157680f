"""Where outgoing delivery to each remote instance stands, as admins read it: the
federated_instances API and the admin federation page load it from here.

What waits for an instance is counted by the delivery worker's own rule
(`outbox.inboxes_on`): the outbox rows after the instance's cursor that name one of its
inboxes, go to its followers of a community, or go to every instance. Counting reads the
rows themselves, so at most `SCAN` of them per instance; past that the count is a floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ErrorCode
from moot.federation.delivery_state import QueueState, first_cursor, from_row, is_dead
from moot.federation.outbox import inboxes_on
from moot.federation.policy import Policy

SCAN = 1000  # outbox rows read per instance to count what waits for it
S = m.sent_activity


@dataclass(frozen=True)
class KnownInstance:
    row: Row
    queue: QueueState | None  # None until delivery to it first started
    allowed: bool  # on the allowlist
    blocked: bool  # on the blocklist

    @property
    def domain(self) -> str:
        return str(self.row["domain"])


async def known_instances(conn: Connection, hostname: str) -> list[KnownInstance]:
    """Every instance moot knows but its own, in the order they became known."""
    i = m.instance
    rows = await conn.fetch_all(sa.select(i).where(i.c.domain != hostname.lower()).order_by(i.c.id))
    queues = {
        int(r["instance_id"]): from_row(r)
        for r in await conn.fetch_all(sa.select(m.federation_queue_state))
    }

    async def listed(table: sa.Table) -> set[int]:
        return {int(r["instance_id"]) for r in await conn.fetch_all(sa.select(table.c.instance_id))}

    allowed = await listed(m.federation_allowlist)
    blocked = await listed(m.federation_blocklist)
    return [
        KnownInstance(
            row=r,
            queue=queues.get(int(r["id"])),
            allowed=int(r["id"]) in allowed,
            blocked=int(r["id"]) in blocked,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Lag:
    known: KnownInstance
    state: str  # "ok", "failing", "dead" or "blocked": what delivery does with it now
    refusal: ErrorCode | None  # why it is blocked (blocklist, allowlist, federation off)
    cursor: int  # every outbox id up to this one is delivered or did not concern it
    waiting: int
    counted_all: bool  # False: SCAN rows were read and more follow, `waiting` is a floor
    oldest_waiting: datetime | None
    # Now minus when the oldest waiting activity was written; zero when nothing waits, None
    # when nothing waits among the rows read but more follow (not measured).
    lag: timedelta | None

    @property
    def fail_count(self) -> int:
        return self.known.queue.fail_count if self.known.queue else 0

    @property
    def next_retry(self) -> datetime | None:
        return self.known.queue.next_retry if self.known.queue else None


def delivery_state(known: KnownInstance, policy: Policy, now: datetime) -> str:
    """The worker's order of precedence: refused instances get no worker, dead ones
    neither, and a live one is failing while its failures outweigh its successes."""
    if policy.refusal(known.domain) is not None:
        return "blocked"
    if is_dead(known.row, now):
        return "dead"
    return "failing" if known.queue is not None and known.queue.fail_count else "ok"


async def lag_of(conn: Connection, known: KnownInstance, policy: Policy, now: datetime) -> Lag:
    # An instance no worker has started for yet starts where its worker will.
    cursor = (
        known.queue.last_successful_id
        if known.queue is not None
        else await first_cursor(conn, known.row)
    )
    rows = await conn.fetch_all(
        sa.select(
            S.c.id,
            S.c.published,
            S.c.send_inboxes,
            S.c.send_community_followers_of,
            S.c.send_all_instances,
        )
        .where(S.c.id > cursor)
        .order_by(S.c.id)
        .limit(SCAN)
    )
    inboxes = await inboxes_on(conn, known.row, rows)
    waiting = [r for r in rows if inboxes[int(r["id"])]]
    counted_all = len(rows) < SCAN
    oldest = waiting[0]["published"] if waiting else None
    lag: timedelta | None
    if oldest is not None:
        lag = max(now - oldest, timedelta(0))
    else:
        lag = timedelta(0) if counted_all else None
    return Lag(
        known=known,
        state=delivery_state(known, policy, now),
        refusal=policy.refusal(known.domain),
        cursor=cursor,
        waiting=len(waiting),
        counted_all=counted_all,
        oldest_waiting=oldest,
        lag=lag,
    )


async def delivery_lag(
    conn: Connection,
    known: Sequence[KnownInstance],
    policy: Policy,
    now: datetime | None = None,
) -> list[Lag]:
    """The lag of each instance, one outbox read per instance (an admin's page, not a
    request path: most instances are caught up and read nothing)."""
    moment = now or utcnow()
    return [await lag_of(conn, k, policy, moment) for k in known]
