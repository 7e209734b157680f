"""Picture work runs in threads, at most `SLOTS` at once in a process."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from moot.media.decoding import SLOTS, decode


class CountingPool(ThreadPoolExecutor):
    """The loop's thread pool, counting the work handed to it."""

    submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_at_most_slots_decode_at_once() -> None:
    release = threading.Event()
    calls = 3 * SLOTS

    def work(number: int) -> int:
        release.wait(timeout=30)
        return number

    async def main() -> None:
        pool = CountingPool(max_workers=calls)
        asyncio.get_running_loop().set_default_executor(pool)
        tasks = [asyncio.ensure_future(decode(work, n)) for n in range(calls)]
        for _ in range(3):  # every task runs to where it waits: a thread, or a slot
            await asyncio.sleep(0)
        assert pool.submitted == SLOTS
        release.set()
        assert await asyncio.gather(*tasks) == list(range(calls))
        assert pool.submitted == calls

    # A loop of its own, so its thread pool is this test's only.
    asyncio.run(main())
