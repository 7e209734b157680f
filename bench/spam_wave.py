"""Spam-wave drill: can a moot instance that requires applications, with Lemmy's default rate
limits, take a wave of sign-ups and posts from many addresses and stay responsive?

    .venv/bin/python -m bench.spam_wave [--quick] [--backend sqlite|postgresql] [options]

Starts a real `moot serve` on a free loopback port (temporary data folder, a fresh database,
admin `bench_admin` from MOOT_SETUP_ADMIN_NAME/PASSWORD). The admin sets registration to
RequireApplication with a question and leaves the rate limits at Lemmy's defaults. A few
members apply, are approved and post. Then, while a reader polls GET /api/v3/post/list
twice a second from its own address, bots behind ADDRESSES client addresses make SIGNUPS
sign-up and POSTS post attempts spread over DURATION seconds (logging in where they can, and
posting with whatever token they hold, or none). The admin approves FOOLED applications by
mistake a third of the way in. Afterwards the drill reads the database and the API to count
what got through, and the admin cleans up through the API: every pending application
denied, every spammer who got in site-banned with remove_data.

The drill's servers trust a proxy on loopback (MOOT_TRUSTED_PROXIES=127.0.0.1, as
tests/servers.py starts them) and send one address per bot in X-Forwarded-For, which is what
such a proxy in front of moot sets.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import subprocess
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.run import ADMIN_NAME, ADMIN_PASSWORD, Server, free_port
from bench.spam.drill import run_drill
from bench.spam.wave import FULL, KINDS, QUICK, Scale

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
console = Console()


def machine() -> dict[str, Any]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


def _psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-qAtc", sql], check=True, capture_output=True)


def fresh_postgres(admin_url: str) -> str:
    name = f"moot_spam_{uuid.uuid4().hex[:10]}"
    _psql(admin_url, f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _scale(args: argparse.Namespace) -> Scale:
    base = QUICK if args.quick else FULL
    chosen = {f.name: getattr(args, f.name) for f in dataclasses.fields(Scale)}
    return dataclasses.replace(base, **{k: v for k, v in chosen.items() if v is not None})


async def _drill(args: argparse.Namespace, scale: Scale) -> dict[str, Any]:
    created = args.database_url is None and args.backend == "postgresql"
    if args.database_url is not None:
        url = args.database_url
    elif created:
        url = fresh_postgres(args.postgres_url)
    else:
        url = None  # a SQLite file in the server's temporary folder
    server = Server(url or "", args.port or free_port())
    if url is None:
        server.database_url = url = f"sqlite:///{server.data_dir / 'moot.sqlite3'}"
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    load_before = os.getloadavg()
    try:
        server.start()
        with Progress(*columns, console=console) as progress:
            report = await run_drill(server.api, url, ADMIN_NAME, ADMIN_PASSWORD, scale, progress)
        log = server.log_path.read_text(errors="replace")
        report["server log errors"] = log.count("unhandled error")
    finally:
        server.stop()
        if created and not args.keep_database:
            name = url.rsplit("/", 1)[1]
            _psql(args.postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    report["backend"] = "postgresql" if url.startswith("postgres") else "sqlite"
    report["machine"] = machine()
    report["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report["load average before"] = [round(x, 2) for x in load_before]
    report["load average after"] = [round(x, 2) for x in os.getloadavg()]
    return report


def markdown(report: dict[str, Any]) -> str:
    """The run's tables, as they go into docs/benchmarks.md."""
    scale, wave = report["scale"], report["wave"]
    lines = [
        f"**{report['backend']}**, {report['date']}: {scale['signups']} sign-ups and "
        f"{scale['posts']} post attempts from {scale['addresses']} addresses over "
        f"{scale['duration']:.0f} s (the last answer came at {wave['seconds']} s); "
        f"load average before {report['load average before']}, after "
        f"{report['load average after']}.",
        "",
        "| attempt | made | got through | refused, by error code | p50 / p99 ms |",
        "|---|---:|---:|---|---:|",
    ]
    for kind in KINDS:
        row = wave["attempts"].get(kind)
        if row is None:
            continue
        refused = ", ".join(
            f"`{label}` {n}" for label, n in row["outcomes"].items() if label != "ok"
        )
        latency = row["latency"]
        lines.append(
            f"| {kind} | {row['attempts']} | {row['outcomes'].get('ok', 0)} | {refused or '—'} "
            f"| {latency['p50_ms']} / {latency['p99_ms']} |"
        )
    lines += [
        "",
        "| reader, GET post/list | requests | errors | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for phase, r in report["reader"].items():
        lines.append(
            f"| {phase} | {r['requests']} | {r['errors']} | {r['p50_ms']} | {r['p99_ms']} "
            f"| {r['max_ms']} |"
        )
    cleaned = report["clean-up"]
    lines += [
        "",
        "| check | drill counted | server says | |",
        "|---|---:|---:|---|",
        *(
            f"| {c['check']} | {c['drill']} | {c['server']} | "
            f"{'ok' if c['ok'] else '**differs**'} |"
            for c in report["checks"]
        ),
        "",
        f"Clean-up: {cleaned['denied']} applications denied in {cleaned['deny_seconds']} s, "
        f"{len(cleaned['banned'])} spammers site-banned with remove_data in "
        f"{cleaned['ban_seconds']} s; {cleaned['admin_requests']} admin requests, "
        f"{cleaned['admin_rate_limited']} of them refused by the rate limiter and retried. "
        f"Server log: {report['server log errors']} unhandled errors.",
    ]
    return "\n".join(lines)


def _print(report: dict[str, Any]) -> None:
    table = Table("attempt", "made", "outcomes")
    for kind, row in report["wave"]["attempts"].items():
        table.add_row(kind, str(row["attempts"]), json.dumps(row["outcomes"]))
    console.print(table)
    reader = Table("reader phase", "requests", "errors", "p50 ms", "p99 ms", "max ms")
    for phase, r in report["reader"].items():
        reader.add_row(phase, *(str(r[k]) for k in ("requests", "errors", "p50_ms", "p99_ms",
                                                     "max_ms")))  # fmt: skip
    console.print(reader)
    checks = Table("check", "drill", "server", "")
    for c in report["checks"]:
        checks.add_row(c["check"], str(c["drill"]), str(c["server"]),
                       "[green]ok" if c["ok"] else "[red]differs")  # fmt: skip
    console.print(checks)
    console.print(f"clean-up: {report['clean-up']}")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m bench.spam_wave",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = ap.add_argument_group("the instance")
    where.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database of the server started for the drill (default sqlite)",
    )
    where.add_argument(
        "--database-url",
        metavar="URL",
        help="an empty database to use (sqlite:///PATH or postgresql://...) "
        "instead of a fresh one; it is left in place",
    )
    where.add_argument(
        "--postgres-url",
        metavar="URL",
        default=POSTGRES_ADMIN_URL,
        help="PostgreSQL server where --backend postgresql creates (and "
        f"afterwards drops) a fresh database (default {POSTGRES_ADMIN_URL})",
    )
    where.add_argument(
        "--keep-database",
        action="store_true",
        help="do not drop the fresh PostgreSQL database afterwards",
    )
    where.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    size = ap.add_argument_group(
        "scale (defaults: the issue's drill; --quick: a one-minute smoke run)"
    )
    size.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK.signups} sign-ups, {QUICK.posts} posts, {QUICK.addresses} "
        f"addresses, {QUICK.duration:.0f} s; other options still override",
    )
    size.add_argument("--signups", type=int, help=f"sign-up attempts (default {FULL.signups})")
    size.add_argument("--posts", type=int, help=f"post attempts (default {FULL.posts})")
    size.add_argument(
        "--addresses",
        type=int,
        help=f"distinct spammer client addresses (default {FULL.addresses})",
    )
    size.add_argument(
        "--duration",
        type=float,
        help=f"seconds the attempts are spread over (default {FULL.duration:.0f})",
    )
    size.add_argument(
        "--calm",
        type=float,
        help=f"seconds the reader reads alone before and after the wave (default {FULL.calm:.0f})",
    )
    size.add_argument(
        "--reader-rps",
        type=float,
        help="reader's requests per second; above 3 "
        f"Lemmy's limiter refuses it too (default {FULL.reader_rps})",
    )
    size.add_argument(
        "--members", type=int, help=f"legitimate members seeded (default {FULL.members})"
    )
    size.add_argument(
        "--member-posts",
        type=int,
        help=f"posts per member, at most 6 (default {FULL.member_posts})",
    )
    size.add_argument(
        "--fooled",
        type=int,
        help="spam applications the admin approves by "
        f"mistake during the wave (default {FULL.fooled})",
    )
    size.add_argument(
        "--name-reuse",
        type=float,
        help=f"share of sign-ups reusing a name another bot tried (default {FULL.name_reuse})",
    )
    size.add_argument(
        "--login-sample",
        type=int,
        help=f"pending accounts whose log-in the audit tries (default {FULL.login_sample})",
    )
    size.add_argument("--seed", type=int, help=f"random seed (default {FULL.seed})")
    out = ap.add_argument_group("output")
    out.add_argument("--json", type=Path, metavar="FILE", help="write the full report here")
    out.add_argument(
        "--markdown", type=Path, metavar="FILE", help="write the tables for docs/benchmarks.md here"
    )
    return ap  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    scale = _scale(args)
    console.print(f"scale: {scale}")
    start = time.monotonic()
    report = asyncio.run(_drill(args, scale))
    report["total seconds"] = round(time.monotonic() - start, 1)
    _print(report)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(report) + "\n")
    if not all(c["ok"] for c in report["checks"]):
        raise SystemExit("some counts differ: see the checks above")


if __name__ == "__main__":
    main()
