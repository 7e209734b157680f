"""The inbox worker: processes stored activities in arrival order, one transaction each.

A failure is recorded on its row with the reason and never stops the worker; losing a race
with a concurrent transaction is not a failure: the activity is run again. An activity
is marked done in the same transaction as its change, so a crash at any point leaves it
either fully applied and done, or untouched and pending (processed after restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import msgspec

from moot.db.engine import ATTEMPTS, Conflict, backoff, retrying
from moot.errors import ApiError
from moot.federation.fetch import FetchError
from moot.federation.inbox import handlers, store
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context
from moot.federation.runtime import Federation

log = logging.getLogger("moot.inbox")
BATCH = 50
# However many fetches an activity causes, it may not hold the queue longer than this.
PREPARE_LIMIT = 30.0


class _AlreadyDone(Exception):
    """Rolls back an activity's change: another process finished it first."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return str(exc)
    if isinstance(exc, ParseError | FetchError):
        return exc.reason
    return f"{type(exc).__name__}: {exc}"


async def process(fed: Federation, row_id: int, data: str) -> None:
    try:
        await _apply(fed, row_id, msgspec.json.decode(data))
    except Exception as exc:  # whatever an activity does, the worker goes on
        if not isinstance(exc, ApiError | ParseError | FetchError | Conflict):
            log.exception("activity %d failed unexpectedly", row_id)
        reason = _reason(exc) or type(exc).__name__
        await retrying(fed.db, lambda tx: store.finish(tx, row_id, reason), what="a failure")


async def _apply(fed: Federation, row_id: int, doc: Any) -> None:
    """Prepare and apply the activity, and again (up to ATTEMPTS in all) when its transaction
    loses a race, such as a search fetching the post it creates at the same moment: the next
    run sees the winner's rows, so the activity is applied, not dropped."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            try:
                apply = await asyncio.wait_for(handlers.prepare(Context(fed), doc), PREPARE_LIMIT)
            except TimeoutError as exc:
                raise FetchError(
                    f"resolving what it names took over {PREPARE_LIMIT:.0f} s"
                ) from exc
            async with fed.db.transaction() as tx:
                if apply is not None:
                    await apply(tx)
                if not await store.finish(tx, row_id):
                    raise _AlreadyDone
            return
        except _AlreadyDone:
            log.warning("activity %d was processed elsewhere meanwhile; not applied again", row_id)
            return
        except Conflict as exc:
            if attempt == ATTEMPTS:
                raise
            log.info(
                "activity %d lost a race (%s); attempt %d of %d",
                row_id,
                exc.reason,
                attempt + 1,
                ATTEMPTS,
            )
            await backoff(attempt)


async def run_inbox_worker(fed: Federation) -> None:
    idle = 0.2 if fed.test_mode else 2.0
    while True:
        try:
            async with fed.db.connection() as conn:
                rows = await store.pending(conn, BATCH)
            for row in rows:
                await process(fed, int(row["id"]), str(row["data"]))
        except Exception:
            log.exception("the inbox worker hit a database error; retrying")
            rows = []
        if len(rows) < BATCH:
            fed.inbox_stored.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fed.inbox_stored.wait(), idle)
