"""Which SQL statements the current task sends to the database, when someone is counting.

`counting()` starts a record in a context variable; every statement a `Connection`
(moot/db/engine.py) runs while it is open is appended to it, with its parameters left out.
Tasks started inside inherit the record (asyncio copies the context), so one request's
statements are counted whichever helper ran them. Outside `counting()` the cost is one
context-variable read per statement. Transaction control (BEGIN, COMMIT) is not a statement
here: it is the same for every write.
"""

from __future__ import annotations

from contextvars import ContextVar

# The open records, innermost last: a test's count and the request log's both see a
# request's statements (moot/request_log.py).
_record: ContextVar[tuple[list[str], ...]] = ContextVar("moot_statements", default=())


def note(sql: str) -> None:
    """A statement is about to run (called by the engine's connections)."""
    for record in _record.get():
        record.append(sql)


class counting:  # lower case: used as the function it was, `with counting() as seen`
    """The statements run until the block ends, as SQL text in the order they ran; a record
    opened inside this one does not hide them from it. A class rather than a generator:
    every request opens one (moot/front_door.py)."""

    __slots__ = ("_record", "_token")

    def __enter__(self) -> list[str]:
        self._record: list[str] = []
        self._token = _record.set((*_record.get(), self._record))
        return self._record

    def __exit__(self, *_: object) -> None:
        _record.reset(self._token)
