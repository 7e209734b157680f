"""Rate-limit refusals in the log, for the operator: a client's first refusal in a bucket is
a line, then at most one line a minute for that client and bucket, counting the refusals in
between. A flood of refused requests is then a line a minute, not a line each (every request
still has its own line in the request log)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("moot.security")

# Beyond this many clients remembered, the ones quiet for a whole interval are forgotten.
_PRUNE_AT = 10_000


class RefusalLog:
    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        # (bucket, client) → (when its last line was written, refusals since then)
        self._last: dict[tuple[str, str], tuple[float, int]] = {}

    def refused(self, bucket: str, client: str, path: str) -> None:
        now = self._clock()
        key = (bucket, client)
        last = self._last.get(key)
        if last is not None and now - last[0] < self._every:
            self._last[key] = (last[0], last[1] + 1)
            return
        if len(self._last) >= _PRUNE_AT:
            self._prune(now)
        since = f"; {last[1]} more refused since the last line" if last and last[1] else ""
        log.warning("rate limit: refused %s's %s request (%s)%s", client, bucket, path, since)
        self._last[key] = (now, 0)

    def _prune(self, now: float) -> None:
        for key, (when, _) in list(self._last.items()):
            if now - when >= self._every:
                del self._last[key]
