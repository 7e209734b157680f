"""One debug line per request with the number of SQL statements it ran (MOOT_LOG_LEVEL=DEBUG):
the count that matters for a read's cost, seen on a running instance without a profiler."""

from __future__ import annotations

import logging
from typing import Any

from litestar.types import ASGIApp, Receive, Send

from moot.db.statement_count import counting

log = logging.getLogger("moot.requests")


def statement_counts(app: ASGIApp) -> ASGIApp:
    async def counted(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.DEBUG):
            await app(scope, receive, send)
            return
        with counting() as seen:
            await app(scope, receive, send)
        log.debug("%s %s statements=%d", scope["method"], scope["path"], len(seen))

    return counted
