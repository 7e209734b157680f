"""Where Pillow's work on pictures runs: in threads, off the event loop, a few at a time.

The pixel budget (`images.Limits`) bounds what one decode may cost; this bounds how many
run at once, so the memory of the whole process is bounded too (about `SLOTS` times the
budget's cost), however many uploads, link previews and renders arrive together. The others
wait their turn; requests not about pictures are never held up.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

__all__ = ["SLOTS", "decode"]

P = ParamSpec("P")
T = TypeVar("T")

# Decodes at once in one process: the machine's cores are few, and each may hold ~100 MB.
SLOTS: Final = 2

# One semaphore per event loop (a semaphore belongs to the loop it first waited on).
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def decode(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in a thread, once one of the `SLOTS` is free."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(SLOTS)
    async with slots:
        return await asyncio.to_thread(work, *args, **kwargs)
