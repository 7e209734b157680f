"""Work that may wait runs at a lower priority: when the cores are short, page loads and
API answers go first, and a flood of such work slows only itself.

On Linux each thread has its own nice value; `lower_priority` is given to a thread pool
as its initializer. Render workers, being processes, lower their own (render_worker)."""

from __future__ import annotations

import os
import threading

__all__ = ["lower_priority"]

STEP = 10


def lower_priority() -> None:
    """Lower the calling thread's priority by `STEP` (nice 19 at most)."""
    thread = threading.get_native_id()
    niceness = os.getpriority(os.PRIO_PROCESS, thread)
    os.setpriority(os.PRIO_PROCESS, thread, min(19, niceness + STEP))
