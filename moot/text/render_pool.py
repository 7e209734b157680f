"""Render long Markdown in other processes, each render with a hard time limit.

What members and peers write is rendered once, when it is stored. Rendering costs linear
time (`moot.text.link_labels`), but tens of milliseconds per 10 kB of bracket floods: in
the server's own process that time would be taken from every other request, whether on
the event loop or in a thread that shares the interpreter lock. So long texts go to
`moot.text.render_worker` processes, started on first need, run at a lower priority, and
limited in memory; a render that outlasts `TIME_LIMIT` is stopped by killing its process,
and the text is kept as escaped plain text — stored, shown, never lost — with a line in
the security log. A worker that dies is replaced for the next text.

Each of the pool's threads owns one worker process and waits for it without holding the
interpreter lock, so the event loop goes on meanwhile and texts beyond `WORKERS` queue.
"""

from __future__ import annotations

import asyncio
import atexit
import html
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import IO

__all__ = ["POOL", "RenderPool", "plain_text"]

log = logging.getLogger("moot.security")

# The site's custom emoji as a worker reads them: (shortcode, image address, alt text).
Emojis = Sequence[tuple[str, str, str]]

WORKERS = 2
# Far above the slowest text within the length limits (a 50,000-character post body of
# bracket floods renders in about 1.5 s on one core), so only a render that went wrong
# meets it.
TIME_LIMIT = 10.0
# Starting a worker imports the renderer; on a loaded machine that can take seconds.
STARTUP_LIMIT = 60.0


class _Failed(Exception):
    """The worker gave no answer: it took too long, died or ran out of memory."""


class _Worker:
    """One render_worker process; used by one thread at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moot.text.render_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self._buffer = bytearray()
        try:
            if self._answer(STARTUP_LIMIT) != "ready":
                raise _Failed("the render worker did not start")
        except BaseException:
            self.kill()
            raise

    def render(self, text: str, emojis: Emojis, time_limit: float) -> str:
        stdin: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        stdin.write(json.dumps([text, emojis]).encode() + b"\n")
        answer = self._answer(time_limit)
        if not isinstance(answer, str):
            raise _Failed("out of memory")
        return answer

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def _answer(self, time_limit: float) -> object:
        stdout: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        deadline = time.monotonic() + time_limit
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([stdout], [], [], remaining)[0]:
                raise _Failed(f"no answer within {time_limit:g} s")
            chunk = os.read(stdout.fileno(), 1 << 16)
            if not chunk:
                raise _Failed("the worker died")
            self._buffer += chunk
        end = self._buffer.index(b"\n")
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return json.loads(line)


class RenderPool:
    def __init__(self, workers: int = WORKERS, time_limit: float = TIME_LIMIT) -> None:
        self.time_limit = time_limit
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="moot-render")
        self._own = threading.local()  # each thread's worker
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()

    async def render(self, text: str, emojis: Emojis = ()) -> str:
        """The text's sanitised HTML (with the site's `emojis`: shortcode, image address,
        alt text), or, past the time limit, its escaped plain text."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._render, text, emojis)

    def process_ids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._live]

    def close(self) -> None:
        """Stop every worker; the next render starts new ones."""
        with self._lock:
            workers, self._live = self._live, set()
        for worker in workers:
            worker.kill()

    def _render(self, text: str, emojis: Emojis) -> str:
        failure: Exception | None = None
        for _ in range(2):
            try:
                worker = self._worker()
            except (_Failed, OSError) as error:
                return _kept_plain(text, error)
            try:
                return worker.render(text, emojis, self.time_limit)
            except BrokenPipeError as died:
                # It died between two texts (stopped by `close`, or killed from outside):
                # no fault of this text, which a new worker renders.
                self._discard(worker)
                failure = died
            except _Failed as failed:
                self._discard(worker)
                return _kept_plain(text, failed)
        return _kept_plain(text, failure)

    def _worker(self) -> _Worker:
        worker: _Worker | None = getattr(self._own, "worker", None)
        if worker is None or worker.process.poll() is not None:
            if worker is not None:
                self._discard(worker)
            worker = self._own.worker = _Worker()
            with self._lock:
                self._live.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        self._own.worker = None
        worker.kill()


def _kept_plain(text: str, failure: Exception | None) -> str:
    log.warning(
        "a text of %d characters was kept as plain text: its rendering failed (%s)",
        len(text),
        failure,
    )
    return plain_text(text)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def plain_text(text: str) -> str:
    """The text as HTML paragraphs, every character escaped; linear whatever it holds."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    paragraphs = (part.strip("\n") for part in _PARAGRAPH_BREAK.split(text))
    return "".join(
        "<p>" + html.escape(part).replace("\n", "<br>\n") + "</p>\n" for part in paragraphs if part
    )


POOL = RenderPool()
atexit.register(POOL.close)
