"""Send many requests at the same moment, and judge their answers.

`burst` builds every request first, then lets them all go at once (asyncio.gather over an
httpx.AsyncClient with a connection per request), so the server has every request of the
burst in flight together. `judge` says what is wrong with the answers: any 5xx, any refusal
that is not Lemmy's `{"error": "<code>"}` shape, or a code the route should not answer then.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from moot.errors import ErrorCode

LEMMY_CODES = frozenset(c.value for c in ErrorCode)


@dataclass(frozen=True)
class Call:
    """One request: to `base` (a server's /api/v3 URL), as the holder of `token`."""

    base: str
    token: str | None
    method: str
    path: str
    body: dict[str, Any] | None = None
    who: str = ""  # the sender's name, for the messages
    headers: tuple[tuple[str, str], ...] = ()  # more request headers

    def describe(self) -> str:
        return f"{self.method} {self.path} {json.dumps(self.body)} by {self.who or 'anonymous'}"


@dataclass
class Answer:
    call: Call
    status: int
    data: Any = field(default=None)
    text: str = ""
    seconds: float = 0.0  # from the burst's start to this answer

    @property
    def error(self) -> str | None:
        """The Lemmy error code of a refusal, or None."""
        if self.status < 400 or not isinstance(self.data, dict):
            return None
        code = self.data.get("error")
        return code if isinstance(code, str) else None


async def _send(client: httpx.AsyncClient, call: Call, go: asyncio.Event) -> Answer:
    headers = dict(call.headers)
    if call.token:
        headers["Authorization"] = f"Bearer {call.token}"
    request = client.build_request(
        call.method, f"{call.base}{call.path}", json=call.body, headers=headers
    )
    await go.wait()
    start = time.monotonic()
    try:
        response = await client.send(request)
    except httpx.HTTPError as exc:  # a dropped connection is as bad as a 5xx
        return Answer(call, 599, None, f"{type(exc).__name__}: {exc}", time.monotonic() - start)
    try:
        data = response.json()
    except ValueError:
        data = None
    return Answer(call, response.status_code, data, response.text[:300], time.monotonic() - start)


async def burst(calls: Sequence[Call]) -> list[Answer]:
    """Send all `calls` at once; their answers, in the same order."""
    n = len(calls)
    limits = httpx.Limits(max_connections=n * 2, max_keepalive_connections=n * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        go = asyncio.Event()
        tasks = [asyncio.create_task(_send(client, c, go)) for c in calls]
        await asyncio.sleep(0)  # every task built its request and waits at the gate
        go.set()
        return list(await asyncio.gather(*tasks))


def judge(answers: Iterable[Answer], allowed: Iterable[str] = ()) -> list[str]:
    """What is wrong with these answers: each 5xx (or dropped connection), each 4xx that is
    not Lemmy's error shape, each error code not in `allowed`. Empty when all is well."""
    ok_codes = set(allowed)
    problems: list[str] = []
    for a in answers:
        if a.status == 200:
            continue
        if a.status >= 500:
            problems.append(f"{a.status} for {a.call.describe()}: {a.text}")
        elif a.error is None or a.error not in LEMMY_CODES:
            problems.append(f"{a.status} without a Lemmy error for {a.call.describe()}: {a.text}")
        elif a.error not in ok_codes:
            problems.append(f"{a.status} {a.error!r} for {a.call.describe()}")
        elif not (400 <= a.status < 500):
            problems.append(f"{a.status} (not a 4xx) {a.error!r} for {a.call.describe()}")
    return _squash(problems)


def _squash(problems: list[str]) -> list[str]:
    """The same problem eight times over reads as one line with a count."""
    counted = Counter(problems)
    return [f"{n}x {p}" if n > 1 else p for p, n in counted.items()]


def tally(answers: Sequence[Answer]) -> str:
    """'200 x5, 400 couldnt_find_post x3 (last in 0.21 s)': a burst's answers in a line."""
    counted = Counter(f"{a.status}{' ' + a.error if a.error else ''}" for a in answers)
    last = max((a.seconds for a in answers), default=0.0)
    return ", ".join(f"{k} x{v}" for k, v in sorted(counted.items())) + f" (last in {last:.2f} s)"
