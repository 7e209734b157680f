"""Where Pillow's work on pictures runs: in threads, off the event loop, a few at a time.

The pixel budget (`images.Limits`) bounds what one decode may cost; this bounds how many
run at once, so the memory of the whole process is bounded too (about `SLOTS` times the
budget's cost), however many uploads, link previews and renders arrive together. The others
wait their turn; requests not about pictures are never held up.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, ParamSpec, TypeVar

from moot.thread_priority import lower_priority

__all__ = ["SLOTS", "decode"]

P = ParamSpec("P")
T = TypeVar("T")

# Decodes at once in one process: the machine's cores are few, and each may hold ~100 MB.
# The threads run at a lower priority (`moot.thread_priority`).
SLOTS: Final = 2


_threads = ThreadPoolExecutor(SLOTS, thread_name_prefix="moot-decode", initializer=lower_priority)


async def decode(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)` in one of the `SLOTS` picture threads, once one is free."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_threads, functools.partial(work, *args, **kwargs))
