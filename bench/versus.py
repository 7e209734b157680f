"""moot beside the raw-driver reference (bench/reference), on the same database (issue 12).

    .venv/bin/python -m bench.versus --database-url URL [--rounds 3] [--seconds 4]

Starts a `moot serve --no-workers` and a `python -m bench.reference` on the database (filled
by bench/generate.py), both pinned to CPU 0 with taskset; checks that they answer every
measured request with the same bytes; counts the statements each runs per request (moot:
moot.db.statement_count around its app run in this process, before the timing; the
reference: its `x-statements` header); then measures them alternately, request by request
and round by round (moot first in even rounds, the reference first in odd ones), each time
`wrk -c N` for `--seconds` on CPU 1. Server CPU per request is the utime + stime of the
server process and its children (/proc/PID/stat) over the run, divided by the requests wrk
completed. On SQLite the database's work happens inside the server process and is counted;
PostgreSQL's is in its own processes and is not, for either server.

With `--member` it also measures a signed-in member's listings (`bench.reference.check`:
`make_member`, `member_requests`): it makes the member through moot's API, so it writes to
the database and refuses the shared moot_bench and /tmp/bench/full.sqlite3 (give it a copy).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench import run
from bench.reference import check
from moot.app import create_app
from moot.config import Settings
from moot.db.engine import Database
from moot.db.statement_count import counting

console = Console()
TICK = os.sysconf("SC_CLK_TCK")
# The datasets other benchmarks read, never written to (bench/README.md).
SHARED = ("/moot_bench", "/tmp/bench/full.sqlite3")
MEMBER_LANGUAGES = (0, 10)  # undetermined (every generated post's) and English


@dataclass
class Sample:
    """One wrk run against one server."""

    requests: int
    cpu_seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / max(1, self.requests)


@dataclass
class Row:
    """One request's samples on both servers, and their statements per request."""

    name: str
    path: str
    token: str | None = None  # a member's, or anonymous
    statements: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {"moot": [], "ref": []})

    def median(self, server: str, what: str) -> float:
        values: list[float] = [getattr(s, what) for s in self.samples[server]]
        return round(statistics.median(values), 3)


# Processes and their CPU ------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> set[int]:
    """`root` and every process below it."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                parents[int(entry)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= below
        grew = bool(below)
    return tree


def cpu_seconds(root: int) -> float:
    """utime + stime of `root` and its children, all their threads included."""
    ticks = 0
    for pid in process_tree(root):
        fields = _stat(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return ticks / TICK


# wrk --------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(
    url: str,
    seconds: int,
    connections: int,
    cpu: int | None,
    script: Path | None = None,
    env: dict[str, str] | None = None,
    token: str | None = None,
) -> dict[str, float]:
    """`script`: a wrk Lua script that makes the requests (bench/versus_writes.py), with
    `env` added to its environment; `token`: a member's login, sent with every request."""
    command = [*pin(cpu), "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s"]
    if token is not None:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(
        [*command, "--latency", url],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "Requests/sec:" not in out or len(latency) != 2:
        raise RuntimeError(f"wrk said:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"Socket errors: .*timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": int(errors.group(1) if errors else 0) + int(failed.group(1) if failed else 0),
    }


def measure(
    root: int,
    url: str,
    args: argparse.Namespace,
    script: Path | None = None,
    env: dict[str, str] | None = None,
    token: str | None = None,
) -> Sample:
    before = cpu_seconds(root)
    result = wrk(url, args.seconds, args.connections, args.client_cpu, script, env, token)
    used = cpu_seconds(root) - before
    return Sample(
        requests=int(result["requests"]),
        cpu_seconds=used,
        rps=round(result["rps"], 1),
        p50_ms=round(result["p50_ms"], 2),
        p99_ms=round(result["p99_ms"], 2),
        errors=int(result["errors"]),
    )


# The servers ------------------------------------------------------------------------------


class Reference:
    def __init__(self, database_url: str, prefix: Sequence[str]) -> None:
        self.port = run.free_port()
        self.api = f"http://127.0.0.1:{self.port}/api/v3"
        command = [*prefix, sys.executable, "-m", "bench.reference"]
        command += ["--database-url", database_url, "--port", str(self.port)]
        self.process = subprocess.Popen(command)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.api}/site", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the reference server did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None else []


async def moot_statements(
    database_url: str, paths: dict[str, str], tokens: dict[str, str | None]
) -> dict[str, int]:
    """Statements per request of each path, counted by moot itself
    (moot.db.statement_count) in an app run in this process on the same database: the second
    of two requests, when what a process keeps between requests is loaded.

    Not from the request log of a `moot serve` at MOOT_LOG_LEVEL=DEBUG: there Litestar's
    logging configuration keeps the root logger at INFO and the count is never written.
    """
    counts: dict[str, int] = {}
    async with in_process_api(database_url) as client:
        for name, path in paths.items():
            token = tokens.get(name)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            for _ in range(2):
                with counting() as seen:
                    (await client.get(path, headers=headers)).raise_for_status()
            counts[name] = len(seen)
    return counts


@contextlib.asynccontextmanager
async def in_process_api(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of moot's API run in this process on `database_url` (no workers), so that
    `moot.db.statement_count` sees the statements of each request."""
    folder = Path(tempfile.mkdtemp(prefix="moot-versus-"))
    settings = Settings(
        data_dir=folder, database_url=database_url, hostname="localhost", run_workers=False
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types
    try:
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://localhost/api/v3") as client,
        ):
            yield client
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The run ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def versus(args: argparse.Namespace) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    db = Database(args.database_url)
    await db.connect(size=2)
    try:
        facts = await run.dataset_facts(db)
    finally:
        await db.close()
    facts.pop("post_ids")
    console.print(f"dataset: {facts['counts']}; big thread post {facts['big_post']}")
    load_before = loadavg()
    server_pin = pin(args.server_cpu)
    moot = run.Server(
        args.database_url, run.free_port(), prefix=server_pin, options=["--no-workers"]
    )
    reference: Reference | None = None
    try:
        await asyncio.to_thread(moot.start)
        tokens: dict[str, str | None] = {}
        async with httpx.AsyncClient(base_url=moot.api, timeout=120) as client:
            admin = await run.lift_rate_limits(client)
            paths = await check.requests(
                client, facts["big_post"], limit=args.limit, deep_page=args.deep_page
            )
            if args.member:
                name = f"member{datetime.now(UTC):%H%M%S}"
                token = (await check.make_member(client, admin, name, MEMBER_LANGUAGES)).token
                mine = await check.member_requests(
                    client, token, limit=args.limit, deep_page=args.deep_page
                )
                paths |= mine
                tokens = dict.fromkeys(mine, token)
        if args.only:
            paths = {k: v for k, v in paths.items() if any(part in k for part in args.only)}
        moot_counts = await moot_statements(args.database_url, paths, tokens)
        reference = await asyncio.to_thread(Reference, args.database_url, server_pin)
        mismatches = []
        for token in {tokens.get(name) for name in paths}:
            mismatches += await check.compare(
                moot.api,
                reference.api,
                {k: v for k, v in paths.items() if tokens.get(k) == token},
                token,
            )
        for problem in mismatches:
            console.print(f"[red]not identical: {problem}")
        rows = [
            Row(name, path, tokens.get(name), {"moot": moot_counts[name]})
            for name, path in paths.items()
        ]
        async with httpx.AsyncClient(base_url=reference.api) as client:
            for row in rows:
                headers = {"Authorization": f"Bearer {row.token}"} if row.token else {}
                response = await client.get(row.path, headers=headers)
                row.statements["ref"] = int(response.headers["x-statements"])
        assert moot.process is not None and reference.process is not None
        roots = {"moot": moot.process.pid, "ref": reference.process.pid}
        bases = {"moot": moot.api, "ref": reference.api}
        for row in rows:  # warm both up: caches, prepared statements, the database's pages
            for server in ("moot", "ref"):
                url = bases[server] + row.path
                wrk(url, 1, args.connections, args.client_cpu, token=row.token)
        for round_no in range(args.rounds):
            order = ("moot", "ref") if round_no % 2 == 0 else ("ref", "moot")
            for row in rows:
                for server in order:
                    sample = await asyncio.to_thread(
                        measure, roots[server], bases[server] + row.path, args, token=row.token
                    )
                    row.samples[server].append(sample)
                    console.print(
                        f"round {round_no + 1} {server:<4} {row.name:<40} "
                        f"{sample.cpu_ms:7.3f} ms CPU/req {sample.rps:8.1f} req/s "
                        f"p50 {sample.p50_ms:7.2f} p99 {sample.p99_ms:7.2f} errors {sample.errors}"
                    )
    finally:
        if reference is not None:
            reference.stop()
        moot.stop()
    return {
        "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "facts": facts,
        "settings": {
            k: getattr(args, k)
            for k in ("rounds", "seconds", "connections", "server_cpu", "client_cpu", "limit")
        },
        "identical": not mismatches,
        "mismatches": mismatches,
        "load_average_before": load_before,
        "load_average_after": loadavg(),
        "rows": [
            {
                "name": r.name,
                "path": r.path,
                "statements": r.statements,
                "samples": {
                    k: [asdict(s) | {"cpu_ms": s.cpu_ms} for s in v] for k, v in r.samples.items()
                },
            }
            for r in rows
        ],
        "summary": [summary(r) for r in rows],
    }


def summary(row: Row) -> dict[str, Any]:
    """Medians over the rounds, and moot / reference."""
    out: dict[str, Any] = {"name": row.name}
    for what in ("cpu_ms", "rps", "p50_ms", "p99_ms"):
        mine, theirs = row.median("moot", what), row.median("ref", what)
        out[what] = {
            "moot": mine,
            "ref": theirs,
            "ratio": round(mine / theirs, 2) if theirs else None,
        }
    out["statements"] = dict(row.statements)
    out["errors"] = {k: sum(s.errors for s in v) for k, v in row.samples.items()}
    return out


def markdown(report: dict[str, Any]) -> str:
    m, s = report["machine"], report["settings"]
    pinned = (
        f"server on CPU {s['server_cpu']}, wrk on CPU {s['client_cpu']}"
        if s["server_cpu"] is not None
        else "not pinned"
    )
    lines = [
        f"**{report['database']}**, {report['date']}; {m['nproc']} x {m['cpu']}; "
        f"{pinned}; {s['rounds']} rounds of `wrk -t1 -c{s['connections']} -d{s['seconds']}s` "
        f"per request and server, alternating. Load average before: "
        f"{report['load_average_before']}, after: {report['load_average_after']}. Dataset: "
        + ", ".join(f"{v:,} {k}" for k, v in report["facts"]["counts"].items())
        + f". Identical bytes on every request: {'yes' if report['identical'] else '**no**'}.",
        "",
        "| request | CPU ms/req moot / ref | CPU moot / ref, paired (rounds) "
        "| req/s moot / ref (x) | p50 ms moot / ref (x) | p99 ms moot / ref (x) "
        "| statements moot / ref |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r, row in zip(report["summary"], report["rows"], strict=True):
        samples = row["samples"]
        rounds = sorted(
            a["cpu_ms"] / b["cpu_ms"] for a, b in zip(samples["moot"], samples["ref"], strict=True)
        )
        cells = [
            f"{r['cpu_ms']['moot']} / {r['cpu_ms']['ref']}",
            f"**{statistics.median(rounds):.2f}x** ({rounds[0]:.1f}-{rounds[-1]:.1f})",
            *[
                f"{r[w]['moot']} / {r[w]['ref']} ({r[w]['ratio']}x)"
                for w in ("rps", "p50_ms", "p99_ms")
            ],
        ]
        errors = "" if not any(r["errors"].values()) else f" (errors {r['errors']})"
        st = r["statements"]
        lines.append(
            f"| {r['name']}{errors} | {' | '.join(cells)} | {st.get('moot')} / {st.get('ref')} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.versus", description=__doc__.split("\n")[0])
    ap.add_argument("--database-url")
    ap.add_argument("--render", type=Path, help="print the Markdown of a saved --json, only")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=4, help="of wrk per request and server")
    ap.add_argument("--connections", type=int, default=8, help="wrk -c")
    ap.add_argument("--limit", type=int, default=20, help="posts per page")
    ap.add_argument("--deep-page", type=int, default=50, help="the page reached by cursor")
    ap.add_argument("--server-cpu", type=int, default=0, help="taskset CPU of the servers")
    ap.add_argument("--client-cpu", type=int, default=1, help="taskset CPU of wrk")
    ap.add_argument("--no-pin", action="store_true", help="run without taskset")
    ap.add_argument(
        "--only",
        action="append",
        help="measure only the requests whose name holds this text (repeat: any of them)",
    )
    ap.add_argument(
        "--member",
        action="store_true",
        help="also a member's listings (writes: not on moot_bench or /tmp/bench/full.sqlite3)",
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv)
    if args.render is not None:
        print(markdown(json.loads(args.render.read_text())))
        return
    if args.database_url is None:
        ap.error("--database-url is required")
    if args.member and args.database_url.endswith(SHARED):
        ap.error("--member writes to the database: give it a copy, not the shared one")
    if args.no_pin or (os.cpu_count() or 1) < 2:
        args.server_cpu = args.client_cpu = None
    report = asyncio.run(versus(args))
    table = Table("request", "CPU ms/req x", "req/s x", "p50 x", "p99 x", "statements")
    for r in report["summary"]:
        table.add_row(
            r["name"],
            *[
                f"{r[w]['moot']}/{r[w]['ref']} ({r[w]['ratio']}x)"
                for w in ("cpu_ms", "rps", "p50_ms", "p99_ms")
            ],
            f"{r['statements'].get('moot')}/{r['statements'].get('ref')}",
        )
    console.print(table)
    text = markdown(report)
    console.print(text, markup=False, highlight=False)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n")
    if not report["identical"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
