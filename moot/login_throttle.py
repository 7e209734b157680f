"""Failed logins counted per account: a guesser spread over many addresses (which the per
address limits cannot see) still gets only `limit` tries per `window` at one account.

While an account is throttled every login to it is refused, the right password too: letting
the right one through would tell the guesser when they found it. In memory, per process.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from moot.errors import ApiError, ErrorCode

log = logging.getLogger("moot.security")

# Forget accounts with no recent failure once this many are remembered.
_PRUNE_AT = 10_000


class LoginThrottle:
    def __init__(
        self, limit: int = 10, window: float = 900.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, account: str) -> deque[float]:
        failures = self._failures.get(account, deque())
        horizon = self._clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def check(self, account: str) -> None:
        """Refuse (`rate_limit_error`) a login to an account with too many recent failures."""
        if len(self._recent(account)) >= self.limit:
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR)

    def failed(self, account: str, ip: str | None) -> None:
        if len(self._failures) >= _PRUNE_AT:
            self._prune()
        failures = self._recent(account)
        failures.append(self._clock())
        self._failures[account] = deque(failures, maxlen=self.limit)
        if len(failures) == self.limit:
            log.warning(
                "login throttled: %d failed logins to %s within %.0f s, the last from %s",
                self.limit,
                account,
                self.window,
                ip or "unknown",
            )

    def succeeded(self, account: str) -> None:
        self._failures.pop(account, None)

    def _prune(self) -> None:
        for account in list(self._failures):
            if not self._recent(account):
                del self._failures[account]
