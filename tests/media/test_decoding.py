"""Picture work runs in a few threads of lower priority: page loads go first when the
cores are short, and no more than `SLOTS` pictures are decoded at once."""

from __future__ import annotations

import asyncio
import os
import threading
import time

from moot.media.decoding import SLOTS, decode
from moot.thread_priority import STEP


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_pictures_are_decoded_at_a_lower_priority_off_the_loop() -> None:
    thread, niceness = await decode(lambda: (threading.get_native_id(), _niceness()))
    assert thread != threading.get_native_id()
    assert niceness == min(19, _niceness() + STEP)


async def test_no_more_than_the_slots_decode_at_once() -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1

    await asyncio.gather(*(decode(work) for _ in range(SLOTS * 3)))
    assert most == SLOTS
