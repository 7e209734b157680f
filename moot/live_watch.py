"""What the live streams of one process wait on (moot/web/live.py): one task reads the
database's newest comment and notice ids every POLL_SECONDS and, when they moved, which
posts got comments and which people got notices, then wakes the streams; each queries only
if its own post or person is among them. Reading the database finds what every process
wrote — another `moot serve`, a `moot worker` storing a federated comment — with no message
to send from any of them (docs/decisions.md, "Live comments and inbox counts").

It also holds the bounds: streams per process and per address, counted while each stream's
ticket lives, and the signal that ends them all when the process is asked to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any

from moot.db.engine import Database
from moot.db.newest import Newest, commented_between, newest, noticed_between

log = logging.getLogger("moot.live")

POLL_SECONDS = 2.0  # how late a new comment may appear: one cheap statement per period
# How many readings' moves are kept: a stream further behind than this (a very slow
# client) queries as if everything had moved.
KEPT_READINGS = 30
MAX_STREAMS = 400  # per process: each is an open connection, and a query when it is concerned
MAX_PER_ADDRESS = 16  # per process: the tabs of a household or an office behind one address


class Ticket:
    """One open stream's place, held by the stream for as long as it runs: a stream that
    ends, fails or is never started frees its place as its ticket is dropped."""

    __slots__ = ("__weakref__", "address")

    def __init__(self, address: str) -> None:
        self.address = address


class Watch:
    def __init__(self, db: Database, poll: float = POLL_SECONDS) -> None:
        self._db = db
        self._poll = poll
        self._tickets: weakref.WeakSet[Ticket] = weakref.WeakSet()
        self._moved = asyncio.Event()
        self._newest: Newest | None = None
        self.reading = 0  # counts the readings that found something new
        # From the last KEPT_READINGS readings: each post's newest comment, and each
        # person's newest notice, with the reading that found it.
        self._commented: dict[int, tuple[int, int]] = {}
        self._noticed: dict[int, int] = {}
        self.stopping = asyncio.Event()

    def admit(self, address: str) -> Ticket | None:
        """A place for a new stream from `address`, or None when the bounds are reached."""
        if len(self._tickets) >= MAX_STREAMS:
            return None
        if sum(t.address == address for t in self._tickets) >= MAX_PER_ADDRESS:
            return None
        ticket = Ticket(address)
        self._tickets.add(ticket)
        return ticket

    async def changed(self, seen: int, within: float) -> int:
        """The reading after `seen` once there is one, or the reading as it is after
        `within` seconds or when the process stops."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self.reading == seen and not self.stopping.is_set():
                    await self._moved.wait()
        return self.reading

    def commented_since(self, post_id: int, after: int, reading: int) -> bool:
        """Whether the post may have comments newer than `after`, for a stream that last
        looked at `reading`."""
        newest, _ = self._commented.get(post_id, (0, 0))
        return newest > after or self.reading - reading >= KEPT_READINGS

    def noticed_since(self, person_id: int, reading: int) -> bool:
        """Whether the person may have had a notice since `reading`."""
        return self._noticed.get(person_id, -1) > reading or self.reading - reading >= KEPT_READINGS

    def _wake(self) -> None:
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    def stop(self) -> None:
        self.stopping.set()
        self._wake()

    async def run(self) -> None:
        """The one reader, every period after the first reading (`read`, which the app
        takes before it serves: every later reading knows what moved since the one before)."""
        while not self.stopping.is_set():
            await asyncio.sleep(self._poll)
            try:
                await self.read()
            except Exception:
                # The streams keep their heartbeat; the next period reads again.
                log.exception("live: the newest ids could not be read")

    async def read(self) -> None:
        async with self._db.connection() as conn:
            found = await newest(conn)
            before = self._newest or found
            if found == before:
                self._newest = found
                return
            commented = await commented_between(conn, before, found)
            noticed = await noticed_between(conn, before, found)
        self.reading += 1
        oldest = self.reading - KEPT_READINGS
        self._commented = {
            post: kept for post, kept in self._commented.items() if kept[1] > oldest
        } | {post: (comment, self.reading) for post, comment in commented.items()}
        self._noticed = {
            person: at for person, at in self._noticed.items() if at > oldest
        } | dict.fromkeys(noticed, self.reading)
        self._newest = found
        self._wake()

    def stop_on_signals(self) -> Callable[[], None]:
        """End the streams as soon as the process is asked to stop: the server waits for
        open responses before it shuts the app down, and a stream would otherwise keep it
        waiting for ever. The server's own handlers still run after ours. Returns how to
        put the handlers back."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        loop = asyncio.get_running_loop()
        kept: dict[int, Callable[[int, FrameType | None], Any]] = {}

        def handler(number: int, frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(self.stop)
            kept[number](number, frame)

        for number in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(number)
            if callable(previous):  # the server's own: ours runs first, then it
                kept[number] = previous
                signal.signal(number, handler)

        def restore() -> None:
            for number, previous in kept.items():
                if signal.getsignal(number) is handler:
                    signal.signal(number, previous)

        return restore
