"""Counting the drill: every request's outcome, and latencies with their percentiles."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

OK = "ok"


@dataclass(frozen=True)
class Outcome:
    """One request's result: "ok", the Lemmy error code, or what went wrong below HTTP."""

    label: str
    status: int | None  # None: no HTTP answer (timeout, connection refused)
    body: dict[str, Any]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.label == OK

    @property
    def server_error(self) -> bool:
        return self.status is None or self.status >= 500


async def send(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    address: str,
    token: str | None = None,
    json: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> Outcome:
    """One API call from `address` (what a proxy in front of moot puts in X-Forwarded-For)."""
    headers = {"X-Forwarded-For": address}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    start = time.perf_counter()
    try:
        response = await client.request(method, path, headers=headers, json=json, params=params)
    except httpx.TimeoutException:
        return Outcome("timeout", None, {}, time.perf_counter() - start)
    except httpx.TransportError as exc:
        return Outcome(f"transport error: {type(exc).__name__}", None, {}, 0.0)
    seconds = time.perf_counter() - start
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code == 200:
        return Outcome(OK, 200, body, seconds)
    code = str(body.get("error", "no error code"))
    label = code if response.status_code < 500 else f"HTTP {response.status_code} {code}"
    return Outcome(label, response.status_code, body, seconds)


@dataclass
class Latencies:
    """Latencies of one kind of request, and how many of them failed."""

    seconds: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, outcome: Outcome, expected_ok: bool = True) -> None:
        self.seconds.append(outcome.seconds)
        if expected_ok and not outcome.ok:
            self.errors += 1

    def summary(self) -> dict[str, float | int | None]:
        ordered = sorted(self.seconds)
        n = len(ordered)

        def ms(x: float) -> float:
            return round(x * 1000, 1)

        return {
            "requests": n,
            "errors": self.errors,
            "error_rate": round(self.errors / n, 4) if n else None,
            "p50_ms": ms(statistics.median(ordered)) if n else None,
            "p99_ms": ms(ordered[min(n - 1, int(n * 0.99))]) if n else None,
            "max_ms": ms(ordered[-1]) if n else None,
        }


@dataclass
class Tally:
    """Every attempt of the wave by kind ("sign-up", "log-in", ...), outcome by outcome."""

    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    latencies: dict[str, Latencies] = field(default_factory=dict)

    def add(self, kind: str, outcome: Outcome) -> None:
        self.outcomes.setdefault(kind, Counter())[outcome.label] += 1
        self.latencies.setdefault(kind, Latencies()).add(outcome, expected_ok=False)

    def attempts(self, kind: str) -> int:
        return sum(self.outcomes.get(kind, Counter()).values())

    def count(self, kind: str, label: str) -> int:
        return self.outcomes.get(kind, Counter())[label]

    def server_errors(self) -> int:
        return sum(
            n
            for counter in self.outcomes.values()
            for label, n in counter.items()
            if label.startswith(("HTTP 5", "timeout", "transport error"))
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            kind: {
                "attempts": self.attempts(kind),
                "outcomes": dict(counter.most_common()),
                "latency": self.latencies[kind].summary(),
            }
            for kind, counter in self.outcomes.items()
        }
