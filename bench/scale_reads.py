"""The read half of bench/scale_out.py: `GET /api/v3/post/list?sort=Hot&limit=20` per second
from `moot serve --processes 1` and `--processes 2` on one generated PostgreSQL database,
measured by `wrk` (a separate C process, far cheaper per request than a Python client), with
the CPU each tier spent per request read from /proc.
"""

from __future__ import annotations

import re
import resource
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import procstat
from tests.servers import Server, free_port

LISTING = "/post/list?type_=All&sort=Hot&limit=20"
# Per request, the CPU of: the serve processes, PostgreSQL's backends of the database,
# Redis (the rate limiter's one round trip), wrk.
TIERS = ("serve", "postgres", "redis", "client")
WARM_UP = 4  # seconds of wrk before each measured window


@dataclass
class Round:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu: dict[str, float]  # CPU seconds per tier in the window
    per_process: list[float]  # CPU seconds of each serve process (uvicorn's supervisor too)
    machine: float  # the whole machine's busy CPU seconds (everyone's)
    seconds: float


@dataclass
class Case:
    processes: int
    viewer: str  # "anonymous" or "member"
    rounds: list[Round] = field(default_factory=list)

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in self.rounds))

    def cpu_ms_per_request(self, tier: str) -> float:
        requests = sum(r.requests for r in self.rounds)
        return 1000 * sum(r.cpu[tier] for r in self.rounds) / max(1, requests)

    def cores_busy(self, tier: str) -> float:
        """How many cores the tier kept busy on average (CPU seconds / wall seconds)."""
        return sum(r.cpu[tier] for r in self.rounds) / sum(r.seconds for r in self.rounds)


def read_server(database_url: str, hostname: str, processes: int, redis_url: str) -> Server:
    """A `moot serve --processes N --no-workers` on the generated database (the background
    work is left out: only requests use the CPU measured)."""
    server = Server(
        "postgresql",
        database_url,
        Path(tempfile.mkdtemp(prefix=f"moot-scale-p{processes}-")),
        free_port(),
        hostname,
        start_env={
            "MOOT_REDIS_URL": redis_url,
            "MOOT_RANK_REFRESH_SECONDS": "86400",
            "MOOT_LOG_LEVEL": "WARNING",
        },
        serve_options=["--no-workers", "--processes", str(processes)],
    )
    server.start()
    return server


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT[unit]


def wrk(url: str, seconds: float, connections: int, token: str | None) -> dict[str, float]:
    """One wrk run; its figures, and the CPU seconds wrk itself used."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "10s"]
    command.append("--latency")
    if token is not None:
        command += ["-H", f"Authorization: Bearer {token}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"(\d+) requests in ", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if found is None or set(latency) != {"50", "99"}:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    # Answers other than 2xx/3xx, and requests with no answer (socket errors, timeouts).
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: (.*)", out)
    errors += sum(int(n) for n in re.findall(r"\d+", socket.group(1))) if socket else 0
    return {
        "requests": int(found.group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": errors,
        "client_cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    }


def measure(
    case: Case, server: Server, token: str | None, seconds: float, connections: int
) -> Round:
    """A warm-up (connections, pools, caches), then one measured window."""
    url = f"{server.api}{LISTING}"
    wrk(url, WARM_UP, connections, token)
    assert server.process is not None
    root = server.process.pid
    tally = procstat.Tally(
        {
            "serve": lambda: procstat.tree(root),
            "postgres": lambda: procstat.backends(server.database_url),
            "redis": lambda: procstat.named("redis-server"),
        }
    )
    tally.start()
    got = wrk(url, seconds, connections, token)
    tally.stop()
    cpu = dict(tally.used)
    cpu["client"] = got["client_cpu"]
    done = Round(
        rps=got["rps"],
        p50_ms=got["p50_ms"],
        p99_ms=got["p99_ms"],
        requests=int(got["requests"]),
        errors=int(got["errors"]),
        cpu=cpu,
        per_process=tally.per_process["serve"],
        machine=tally.machine,
        seconds=seconds,
    )
    case.rounds.append(done)
    print(
        f"  {case.processes} process(es), {case.viewer:<9} {done.rps:8.1f} req/s  "
        f"p50 {done.p50_ms:6.1f} ms  p99 {done.p99_ms:6.1f} ms  errors {done.errors}  "
        + "  ".join(f"{t} {1000 * cpu[t] / max(1, done.requests):.2f} ms/req" for t in TIERS),
        flush=True,
    )
    return done
