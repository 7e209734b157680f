"""`moot serve` settles the heap before serving (moot/heap.py): what exists then is frozen
out of the collector's walks and young collections wait for YOUNG_THRESHOLD containers."""

from __future__ import annotations

import gc

from moot import heap


def test_settle_freezes_the_heap_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
