"""The inbox worker: processes stored activities in arrival order, one transaction each.

A failure is recorded on its row with the reason and never stops the worker. An activity
is marked done in the same transaction as its change, so a crash at any point leaves it
either fully applied and done, or untouched and pending (processed after restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import msgspec

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


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return str(exc)
    if isinstance(exc, ParseError | FetchError):
        return exc.reason
    return f"{type(exc).__name__}: {exc}"


async def process(fed: Federation, row_id: int, data: str) -> None:
    try:
        doc = msgspec.json.decode(data)
        try:
            apply = await asyncio.wait_for(handlers.prepare(Context(fed), doc), PREPARE_LIMIT)
        except TimeoutError as exc:
            raise FetchError(f"resolving what it names took over {PREPARE_LIMIT:.0f} s") from exc
        async with fed.db.transaction() as tx:
            if apply is not None:
                await apply(tx)
            await store.finish(tx, row_id)
    except Exception as exc:  # whatever an activity does, the worker goes on
        if not isinstance(exc, ApiError | ParseError | FetchError):
            log.exception("activity %d failed unexpectedly", row_id)
        async with fed.db.transaction() as tx:
            await store.finish(tx, row_id, _reason(exc) or type(exc).__name__)


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
