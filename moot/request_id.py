"""Each request's id: in the `X-Request-Id` response header, in the request's log line and
in every other log line written while it is served, so one request's lines can be found
together (and, with the id a proxy sent, matched with the proxy's own log).

The id lives in a context variable: tasks a request starts inherit it (asyncio copies the
context), and `RequestIdFilter` puts it on each log record as `request_id`.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from contextvars import ContextVar

# What a proxy's id may look like: uuids, nginx's $request_id, most tracing ids. Anything
# else (spaces, quotes, control characters, a kilobyte) could forge or break a log line.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
NONE = "-"

current: ContextVar[str] = ContextVar("moot_request_id", default=NONE)


def well_formed(value: str) -> bool:
    return _WELL_FORMED.fullmatch(value) is not None


# Ids made ahead, from one read of the system's random source per 256: a read per request
# released the interpreter's lock for a system call, and on SQLite, whose connections run
# in threads, getting it back could cost more than the rest of the request's start.
_AHEAD = 256
_made: list[str] = []
# A forked process must not hand out its parent's ids.
os.register_at_fork(after_in_child=_made.clear)


def new() -> str:
    """32 hexadecimal digits from the system's random source, as `secrets.token_hex(16)`."""
    if not _made:
        block = secrets.token_hex(16 * _AHEAD)
        _made.extend(block[i : i + 32] for i in range(0, len(block), 32))
    return _made.pop()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record a handler sees ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
