"""The garbage collector's settings in a serving process.

CPython collects its youngest generation every 700 net new containers. A comment tree's
answer keeps ~2,000 dicts alive while it is built and written, and eight answers in flight
many more, so young collections kept finding them alive and moving them to the older
generations, until a full collection walked the whole heap: ~200,000 objects (the modules,
the app, its compiled statements) that live as long as the process. Measured on the
tree (`moot serve` pinned to one core, docs/decisions.md): 6.7 ms of CPU per request with
the defaults, 5.1 ms with the heap frozen and young collections every 50,000.
"""

from __future__ import annotations

import gc

# Net new containers between young collections (CPython's default: 700). Cyclic garbage
# (tracebacks, some futures) waits at most this long to be freed: a few megabytes.
YOUNG_THRESHOLD = 50_000


def settle() -> None:
    """Once the app is built, before serving: what exists now lives as long as the
    process, so the collector stops walking it (`gc.freeze`), and collections wait for
    `YOUNG_THRESHOLD` new containers."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
