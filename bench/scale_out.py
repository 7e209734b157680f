"""Scale-out on one machine, in one run (issue 13): what a second `moot serve` process and a
second `moot worker` add, and what each tier spends per request.

    .venv/bin/python -m bench.scale_out [--posts 10000] [--seconds 15] [--rounds 3]
        [--activities 1000] [--peers 4] [--markdown FILE] [--json FILE]

1. Reads. A fresh PostgreSQL database is filled by bench/generate.py (`--posts`, ten
   comments and fifty votes a post). Two servers run on it side by side, `moot serve
   --processes 1` and `--processes 2` (both `--no-workers`, Redis for the rate limits as a
   scaled deployment has it; limits lifted). `wrk` (apt-get install wrk) asks for
   `GET /api/v3/post/list?type_=All&sort=Hot&limit=20`, anonymously and as a member, with
   `--connections` in flight for `--seconds` after a 4 s warm-up, per round and case; the
   two servers take turns and the order flips every round, so the machine's other load falls
   on both alike. The CPU seconds of the serve processes, of PostgreSQL's backends of the
   database, of Redis and of wrk are read from /proc around each window (bench/procstat.py).
2. Delivery. bench/scale_delivery.py: a sender (`moot serve --no-workers`) with 1 and then
   2 `moot worker` processes delivers a burst of `--activities` to one peer, then to
   `--peers` peers.

Everything runs on this machine: with 2 cores, the second serve process shares them with
wrk, PostgreSQL and Redis (and with whatever else runs here), which the table shows as
cores busy per tier.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx

from bench import generate, scale_delivery, scale_reads
from bench.live import machine, open_site, register
from bench.scale_reads import TIERS, Case
from tests.servers import POSTGRES_ADMIN_URL, destroy, drop_database

HOSTNAME = "moot-scalebench"  # not "localhost": Redis keys are per host name, and shared


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def _member(api: str) -> str:
    """Open the site (limits lifted) and sign a member up; the member's token."""
    async with httpx.AsyncClient(base_url=api, timeout=60) as client:
        await open_site(client)
        return (await register(client, ["scalebench_reader"]))[0]


def reads(args: argparse.Namespace) -> list[Case]:
    database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/moot_scalebench_{int(time.time())}"
    posts = args.posts
    generate.main(
        [
            *("--database-url", database_url, "--recreate", "--hostname", HOSTNAME),
            *("--posts", str(posts), "--comments", str(posts * 10)),
            *("--votes", str(posts * 50), "--persons", str(posts // 2)),
            *("--communities", str(max(1, posts // 100)), "--big-thread", str(posts // 5)),
        ]
    )
    servers = {}
    try:
        for processes in (1, 2):
            servers[processes] = scale_reads.read_server(
                database_url, HOSTNAME, processes, args.redis_url
            )
            if processes == 1:
                # Limits lifted before the second server starts, which reads them then.
                token = asyncio.run(_member(servers[1].api))
        cases = {(p, viewer): Case(p, viewer) for viewer in ("anonymous", "member") for p in (1, 2)}
        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds} (load {loadavg()})", flush=True)
            order = (1, 2) if n % 2 == 0 else (2, 1)
            for viewer in ("anonymous", "member"):
                for p in order:
                    scale_reads.measure(
                        cases[(p, viewer)],
                        servers[p],
                        token if viewer == "member" else None,
                        args.seconds,
                        args.connections,
                    )
        return list(cases.values())
    finally:
        for server in servers.values():
            server.stop()
            shutil.rmtree(server.data_dir, ignore_errors=True)
        drop_database(database_url)


def delivery(args: argparse.Namespace) -> list[scale_delivery.Burst]:
    sender = scale_delivery.start(args.peers, args.peer_delay)
    try:
        return [
            scale_delivery.burst(sender, peers, workers, args.activities, args.timeout)
            for peers in (1, args.peers)
            for workers in (1, 2)
        ]
    finally:
        scale_delivery.stop(sender)
        destroy(sender.server)


# Writing it up ----------------------------------------------------------------------------


def markdown(run: dict[str, Any], cases: list[Case], bursts: list[scale_delivery.Burst]) -> str:
    m = run["machine"]
    lines = [
        f"- **Date:** {run['started']} to {run['finished']}.",
        f"- **Machine:** {m['nproc']} cores (`nproc`), {m['cpu']}, Linux {m['kernel']}, "
        f"Python {m['python']}; PostgreSQL, Redis, wrk and the peers on the same machine.",
        f"- **Load average** (1, 5, 15 min): before {run['load_before']}, after the reads "
        f"{run['load_after_reads']}, after the deliveries {run['load_after']}.",
        f"- **Command:** `{run['command']}`",
        "",
        f"`GET /api/v3/post/list?type_=All&sort=Hot&limit=20`, wrk with {run['connections']} "
        f"connections, {run['rounds']} rounds of {run['seconds']:g} s per case; "
        f"{run['posts']:,} posts generated. CPU ms per request: the serve processes, "
        "PostgreSQL's backends of the database, Redis, wrk. Cores busy: that tier's CPU "
        "seconds over the wall seconds; machine: every process on it (other sessions' too).",
        "",
        "| processes | viewer | req/s (median) | rounds | p50 ms | p99 ms | errors "
        "| serve ms/req | postgres ms/req | redis ms/req | wrk ms/req "
        "| cores busy: serve / postgres / machine |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for case in sorted(cases, key=lambda c: (c.viewer, c.processes)):
        rounds = ", ".join(f"{r.rps:.0f}" for r in case.rounds)
        machine_busy = sum(r.machine for r in case.rounds) / sum(r.seconds for r in case.rounds)
        per_req = " | ".join(f"{case.cpu_ms_per_request(t):.2f}" for t in TIERS)
        lines.append(
            f"| {case.processes} | {case.viewer} | **{case.median('rps'):.0f}** | {rounds} "
            f"| {case.median('p50_ms'):.1f} | {case.median('p99_ms'):.1f} "
            f"| {sum(r.errors for r in case.rounds)} | {per_req} "
            f"| {case.cores_busy('serve'):.2f} / {case.cores_busy('postgres'):.2f} "
            f"/ {machine_busy:.2f} |"
        )
    lines += [
        "",
        f"Delivery: bursts of {run['activities']} comments, each an Announce to every peer "
        f"following (peers answer after {run['peer_delay'] * 1000:g} ms); rate between the "
        "first and the last arrival; CPU ms per delivery of the workers, PostgreSQL (the "
        "sender's database) and the peers.",
        "",
        "| peers | workers | delivered (distinct) | spawn → last s | first → last s | "
        "deliveries/s | delivery leases per worker (lost) | cursors behind | workers ms "
        "| postgres ms | peers ms | CPU s per worker |",
        "|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for b in bursts:
        per = {t: 1000 * b.cpu.get(t, 0.0) / max(1, b.delivered) for t in b.cpu}
        lines.append(
            f"| {b.peers} | {b.workers} | {b.delivered} ({b.distinct}) "
            f"| {b.start_to_last_s:.2f} | {b.first_to_last_s:.2f} | **{b.rate:.0f}** "
            f"| {' / '.join(map(str, b.leases))} ({b.leases_lost}) | {b.cursor_lag} "
            f"| {per.get('workers', 0):.2f} "
            f"| {per.get('postgres', 0):.2f} | {per.get('peers', 0):.2f} "
            f"| {' / '.join(f'{s:.1f}' for s in b.per_worker_cpu)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000, help="generated dataset's size")
    parser.add_argument("--seconds", type=int, default=15, help="per measured window")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16, help="wrk's, in flight")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--activities", type=int, default=1000, help="per delivery burst")
    parser.add_argument("--peers", type=int, default=4)
    parser.add_argument("--peer-delay", type=float, default=0.05, help="seconds")
    parser.add_argument(
        "--timeout", type=float, default=180, help="per burst, and then for the cursors"
    )
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-delivery", action="store_true")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.peers < 2:
        raise SystemExit("--peers: at least 2 (one peer is always measured too)")
    if shutil.which("wrk") is None and not args.skip_reads:
        raise SystemExit("wrk is needed for the reads: apt-get install wrk")
    run: dict[str, Any] = {
        "machine": machine(),
        "started": machine()["date"],
        "load_before": loadavg(),
        "command": "python -m bench.scale_out "
        + " ".join(
            f"--{k.replace('_', '-')} {v}"
            for k, v in vars(args).items()
            if v is not None and v is not False and k not in ("markdown", "json")
        ),
        **{k: v for k, v in vars(args).items() if k not in ("markdown", "json")},
    }
    cases = [] if args.skip_reads else reads(args)
    run["load_after_reads"] = loadavg()
    bursts: list[scale_delivery.Burst] = []
    if not args.skip_delivery:
        try:
            bursts = delivery(args)
        except Exception as exc:  # the reads are still written up
            run["delivery_error"] = repr(exc)
            print(f"delivery failed: {exc!r}", flush=True)
    run["load_after"] = loadavg()
    run["finished"] = machine()["date"]
    text = markdown(run, cases, bursts)
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    if args.json:
        record = {
            "run": run,
            "reads": [asdict(c) for c in cases],
            "delivery": [asdict(b) for b in bursts],
        }
        args.json.write_text(json.dumps(record, indent=2, default=str))


if __name__ == "__main__":
    main()
