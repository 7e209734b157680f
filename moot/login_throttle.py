"""Failed logins counted per account: a guesser spread over many addresses (which the per
address limits cannot see) still gets only `limit` tries per `window` at one account.

A login counts as failed from its start until it succeeds. While an account is throttled
every login to it is refused, the right password too: letting the right one through would
tell the guesser when they found it. In memory, per process; in Redis, shared by all
(moot/shared_limits.py).
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

    async def attempt(self, account: str, ip: str | None) -> None:
        """Count a login to `account` as failed until it `succeeded`, or refuse it
        (`rate_limit_error`) when the account has too many recent failures. Counted as it
        starts, not once the password is checked: guesses sent together would otherwise all
        pass while the first hashes."""
        if len(self._failures) >= _PRUNE_AT:
            self._prune()
        failures = self._recent(account)
        if len(failures) >= self.limit:
            raise ApiError(ErrorCode.RATE_LIMIT_ERROR)
        failures.append(self._clock())
        self._failures[account] = failures
        if len(failures) == self.limit:
            self.log_throttled(account, ip)

    def log_throttled(self, account: str, ip: str | None) -> None:
        log.warning(
            "login throttled: %d failed logins to %s within %.0f s, the last from %s",
            self.limit,
            account,
            self.window,
            ip or "unknown",
        )

    async def succeeded(self, account: str) -> None:
        self._failures.pop(account, None)

    def _prune(self) -> None:
        for account in list(self._failures):
            if not self._recent(account):
                del self._failures[account]
