"""Write path before and after: POST post/like and POST comment per second, on two revisions
of moot measured in one run, alternately.

    .venv/bin/python -m bench.write_path [--before 1528608] [--after REV]
        [--backend sqlite|postgresql|both] [--rounds 10] [--requests 160] [--concurrency 8]
        [--markdown FILE] [--json FILE]

Why this shape: making writes safe under concurrency (row locks, upserts, replaying a request
that lost a race) must not make them slower, and on a shared machine two runs an hour apart
are not comparable. So both revisions run at once, on the same backend, each on a database
seeded the same way through its own API, and are measured in alternation — A B, then B A, for
`--rounds` short rounds per route — so whatever else loads the machine hits both alike; the
figure per (backend, route, revision) is the median of its rounds, and the ratio the median
of the rounds' own after / before ratios.

The "before" revision (default 1528608, main before the concurrency work) is exported with
`git archive` into a cached folder (`--cache`, default /tmp/moot-bench-before/<commit>) and
installed in a virtualenv of its own there, once; an export rather than a `git worktree`
leaves nothing registered in the repository if the run is interrupted. The "after" revision
is this working tree (or `--after REV`, built the same way).

Load: `--concurrency` requests in flight (8). Each in-flight slot votes as its own members
(2 each) and no member votes in two slots, so no (person, post) pair is ever voted twice at
the same time — the comparison measures the write path, not the same-pair race the "before"
revision is known to lose. Each member's votes on a post go +1, -1, 0 (withdrawn), +1, …
Comments go to the posts in turn. Non-2xx answers are counted per revision, never fatal: the
"before" revision may answer 5xx to parallel writes on PostgreSQL. Rate limits are lifted.
After the rounds each database is recounted by its own revision (`moot admin recount`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bench.live import (
    VersionServer,
    auth,
    community,
    describe_tree,
    destroy,
    git,
    load,
    machine,
    new_server,
    open_site,
    posts,
    register,
)

ROOT = Path(__file__).resolve().parent.parent
ROUTES = ("POST post/like", "POST comment")
SCORES = (1, -1, 0)
console = Console()


# The two revisions ------------------------------------------------------------------------


@dataclass
class Version:
    label: str  # "before" or "after"
    commit: str  # short commit, "+dirty" for a working tree with changes to moot/
    python: str  # the interpreter whose `moot` is this revision


def build_revision(rev: str, cache: Path) -> tuple[str, str]:
    """`rev` exported and installed in its own virtualenv under `cache` (reused when there):
    its short commit and its interpreter."""
    sha = git("rev-parse", "--verify", f"{rev}^{{commit}}", cwd=ROOT)
    root = cache / sha[:12]
    python = root / ".venv" / "bin" / "python"
    stamp = root / ".installed"
    if stamp.exists():
        console.print(f"{rev}: reusing {root}")
        return sha[:7], str(python)
    console.print(f"{rev}: exporting {sha[:12]} to {root} and installing it (once)")
    subprocess.run(["rm", "-rf", str(root)], check=True)
    src = root / "src"
    src.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", sha], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(src)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {sha} failed")
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", str(root / ".venv")], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "-e", str(src)]
    installed = subprocess.run(pip, capture_output=True, text=True)
    if installed.returncode != 0:
        raise RuntimeError(f"installing {rev} failed:\n{installed.stdout}{installed.stderr}")
    stamp.touch()
    return sha[:7], str(python)


# The load ---------------------------------------------------------------------------------


@dataclass
class Site:
    """One server's seeded site, and where each in-flight slot is in its sequence."""

    label: str
    client: httpx.AsyncClient
    voters: list[str]  # tokens
    post_ids: list[int]
    votes_cast: Counter[tuple[int, int]] = field(default_factory=Counter)
    likes_sent: Counter[int] = field(default_factory=Counter)  # per slot
    comments_sent: Counter[int] = field(default_factory=Counter)  # per slot

    def like(self, slot: int, slots: int) -> httpx.Request:
        """The slot's next vote: its members over every post, each pair +1, -1, 0, …"""
        mine = range(slot, len(self.voters), slots)
        pairs = [(v, p) for v in mine for p in range(len(self.post_ids))]
        voter, post = pairs[self.likes_sent[slot] % len(pairs)]
        self.likes_sent[slot] += 1
        score = SCORES[self.votes_cast[(voter, post)] % len(SCORES)]
        self.votes_cast[(voter, post)] += 1
        body = {"post_id": self.post_ids[post], "score": score}
        return self.client.build_request(
            "POST", "/post/like", json=body, headers=auth(self.voters[voter])
        )

    def comment(self, slot: int, slots: int) -> httpx.Request:
        i = self.comments_sent[slot]
        self.comments_sent[slot] += 1
        voter = range(slot, len(self.voters), slots)[i % 2]
        post = self.post_ids[(slot + i) % len(self.post_ids)]
        body = {"post_id": post, "content": f"Write-path benchmark comment {i} of slot {slot}."}
        return self.client.build_request(
            "POST", "/comment", json=body, headers=auth(self.voters[voter])
        )


@dataclass
class Round:
    rps: float
    latencies_ms: list[float]
    statuses: dict[str, int]  # status code (or the transport error's name) -> count


async def measure(site: Site, route: str, requests: int, slots: int) -> Round:
    """`requests` of `route` (rounded up to a multiple of `slots`), `slots` in flight, each
    slot its own fixed share."""
    make = site.like if route == "POST post/like" else site.comment
    per_slot = -(-requests // slots)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()

    async def slot(s: int) -> None:
        for _ in range(per_slot):
            request = make(s, slots)
            start = time.perf_counter()
            try:
                response = await site.client.send(request)
                statuses[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(slot(s) for s in range(slots)))
    wall = time.perf_counter() - start
    return Round(round(per_slot * slots / wall, 1), latencies, dict(statuses))


async def seed(server: VersionServer, args: argparse.Namespace, label: str) -> Site:
    """The same site on every server: 4 authors, 2 voting members per slot, one community,
    `--posts` posts."""
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends: a slot waits longer
    # than that while the other revision is measured, and reusing a connection the server is
    # closing at that moment fails with ReadError — the client's doing, not the server's.
    limits = httpx.Limits(max_connections=args.concurrency + 2, keepalive_expiry=2.0)
    client = httpx.AsyncClient(base_url=server.api, limits=limits, timeout=60)
    admin = await open_site(client)
    authors = await register(client, [f"author{i}" for i in range(4)])
    voters = await register(client, [f"voter{i}" for i in range(2 * args.concurrency)])
    community_id = await community(client, admin, "bench")
    post_ids = await posts(client, authors, community_id, args.posts)
    return Site(label, client, voters, post_ids)


async def measure_pair(
    servers: dict[str, VersionServer], args: argparse.Namespace
) -> dict[str, dict[str, list[Round]]]:
    """Warm-up, then `--rounds` rounds: per route, each revision once, order alternating."""
    sites = [await seed(servers[label], args, label) for label in servers]
    rounds: dict[str, dict[str, list[Round]]] = {r: {s.label: [] for s in sites} for r in ROUTES}
    try:
        for site in sites:
            for route in ROUTES:
                await measure(site, route, args.warmup, args.concurrency)
        for r in range(args.rounds):
            for route in ROUTES:
                for site in sites if r % 2 == 0 else reversed(sites):
                    result = await measure(site, route, args.requests, args.concurrency)
                    rounds[route][site.label].append(result)
                    errors = {k: v for k, v in result.statuses.items() if k != "200"}
                    console.print(
                        f"  round {r + 1}/{args.rounds} {route:<15} {site.label:<6} "
                        f"{result.rps:7.1f} req/s" + (f"  non-2xx {errors}" if errors else "")
                    )
    finally:
        for site in sites:
            await site.client.aclose()
    return rounds


# Figures ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def summarize(rounds: list[Round]) -> dict[str, Any]:
    rps = [r.rps for r in rounds]
    latencies = [x for r in rounds for x in r.latencies_ms]
    statuses: Counter[str] = Counter()
    for r in rounds:
        statuses.update(r.statuses)
    return {
        "median_rps": round(statistics.median(rps), 1),
        "min_rps": min(rps),
        "max_rps": max(rps),
        "rounds_rps": rps,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "requests": sum(statuses.values()),
        "non_2xx": {k: v for k, v in sorted(statuses.items()) if not k.startswith("2")},
    }


def run_backend(backend: str, versions: list[Version], args: argparse.Namespace) -> dict[str, Any]:
    console.rule(f"{backend}")
    servers = {
        v.label: new_server(backend, v.python, prefix=f"moot-wp-{v.label}-") for v in versions
    }
    load_before = load()
    started = time.monotonic()
    try:
        for server in servers.values():
            server.start()
        rounds = asyncio.run(measure_pair(servers, args))
        for server in servers.values():
            server.stop()
        recounted = {label: server.recount() for label, server in servers.items()}
        errors_logged = {
            label: server.log_path.read_text(errors="replace").count("Traceback")
            for label, server in servers.items()
        }
    finally:
        for server in servers.values():
            destroy(server)
    return {
        "backend": backend,
        "load_before": load_before,
        "load_after": load(),
        "seconds": round(time.monotonic() - started),
        "routes": {
            route: {label: summarize(rs) for label, rs in by_version.items()}
            for route, by_version in rounds.items()
        },
        "recount_corrected": recounted,
        "tracebacks_in_log": errors_logged,
    }


def paired_ratio(before: list[float], after: list[float]) -> tuple[float, float, float]:
    """after / before within each round (measured back to back, so under the same load),
    as lowest, median, highest."""
    ratios = sorted(a / b for a, b in zip(after, before, strict=True) if b)
    if not ratios:
        return math.nan, math.nan, math.nan
    return ratios[0], statistics.median(ratios), ratios[-1]


def non_2xx(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} x {k}" for k, n in counts.items()) or "0"


def markdown(report: dict[str, Any]) -> str:
    mach, (before, after) = report["machine"], report["versions"]
    a = report["args"]
    lines = [
        f"- **Date:** {mach['date']}; **machine:** {mach['nproc']} cores ({mach['cpu']}), "
        f"Linux {mach['kernel']}, Python {mach['python']}.",
        f"- **Command:** `{report['command']}`",
        f"- **Revisions:** before `{before['commit']}`, after `{after['commit']}`.",
        f"- **Load:** {a['concurrency']} requests in flight, {a['rounds']} rounds of "
        f"{a['requests']} requests per route and revision, alternating, after "
        f"{a['warmup']} warm-up requests each; {a['posts']} posts, "
        f"{2 * a['concurrency']} voting members.",
    ]
    for b in report["backends"]:
        lines.append(
            f"- **{b['backend']}:** load average {b['load_before']} before, "
            f"{b['load_after']} after ({b['seconds']} s); rows corrected by recount "
            f"afterwards: before {b['recount_corrected']['before']}, "
            f"after {b['recount_corrected']['after']}"
            + (
                f"; tracebacks in the server logs: {b['tracebacks_in_log']}."
                if any(b["tracebacks_in_log"].values())
                else "."
            )
        )
    lines += [
        "",
        "| backend | route | before req/s | after req/s | after / before (paired) "
        "| p50 ms before / after | p99 ms before / after | non-2xx before | non-2xx after |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for b in report["backends"]:
        for route, by in b["routes"].items():
            x, y = by["before"], by["after"]
            lo, ratio, hi = paired_ratio(x["rounds_rps"], y["rounds_rps"])
            lines.append(
                f"| {b['backend']} | {route} | {x['median_rps']} ({x['min_rps']}-{x['max_rps']}) "
                f"| {y['median_rps']} ({y['min_rps']}-{y['max_rps']}) "
                f"| **{ratio:.2f}** ({lo:.2f}-{hi:.2f}) "
                f"| {x['p50_ms']} / {y['p50_ms']} | {x['p99_ms']} / {y['p99_ms']} "
                f"| {non_2xx(x['non_2xx'])} of {x['requests']} "
                f"| {non_2xx(y['non_2xx'])} of {y['requests']} |"
            )
    lines += [
        "",
        "req/s: median of the rounds (lowest-highest). after / before: median of the rounds' "
        "own ratios (lowest-highest), each round measuring both revisions back to back. "
        "Latencies over every round's requests.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.write_path",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--before", default="1528608", help="git revision measured as 'before'")
    ap.add_argument(
        "--after", default="", help="git revision measured as 'after' (default: this tree)"
    )
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--requests", type=int, default=160, help="per route, revision and round")
    ap.add_argument("--warmup", type=int, default=40, help="per route and revision")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--posts", type=int, default=10)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/moot-bench-before"))
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv)

    before_commit, before_python = build_revision(args.before, args.cache)
    if args.after:
        after_commit, after_python = build_revision(args.after, args.cache)
    else:
        after_commit, after_python = describe_tree(ROOT), sys.executable
    versions = [
        Version("before", before_commit, before_python),
        Version("after", after_commit, after_python),
    ]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report: dict[str, Any] = {
        "machine": machine(),
        "command": " ".join([".venv/bin/python -m bench.write_path", *sys.argv[1:]]),
        "args": {k: v for k, v in vars(args).items() if not isinstance(v, Path)},
        "versions": [asdict(v) for v in versions],
        "backends": [run_backend(b, versions, args) for b in backends],
    }

    table = Table(
        "backend",
        "route",
        "before req/s",
        "after req/s",
        "after/before (paired)",
        "non-2xx before",
        "non-2xx after",
    )
    for b in report["backends"]:
        for route, by in b["routes"].items():
            x, y = by["before"], by["after"]
            table.add_row(
                b["backend"],
                route,
                str(x["median_rps"]),
                str(y["median_rps"]),
                f"{paired_ratio(x['rounds_rps'], y['rounds_rps'])[1]:.2f}",
                non_2xx(x["non_2xx"]),
                non_2xx(y["non_2xx"]),
            )
    console.print(table)
    text = markdown(report)
    print("\n" + text + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
