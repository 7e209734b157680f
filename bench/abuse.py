"""Abuse drill: a normal reader's experience while strangers attack, all at once.

    .venv/bin/python -m bench.abuse [--backend sqlite|postgresql] [--seconds 30]
        [--memory-bound-mb 700] [--markdown FILE] [--json FILE]

One `moot serve` on loopback (tests/servers.py), trusting no proxy (a client's
X-Forwarded-For is its own writing), Lemmy's default limit on logins and sign-ups (10 an
hour per address) and the other limits lifted, so that what holds the attack back is moot's
own budgets, not the limiter. A member, a community, a post and an uploaded picture exist.

A reader, in a process of its own, then loads `GET /api/v3/post/list` and the front page
`/`, one after the other, for `--seconds` quietly (the baseline), then for `--seconds` while,
at the same time and each with a bounded number of requests:

- a Markdown flood: comments of 10 kB of the patterns that cost markdown-it quadratic time
  (`[<`, `![`, `[`, `[^` repeated), 4 in flight;
- a rendition flood: `GET /pictrs/image/NAME?format=png&thumbnail=N` for ever new N, anonymous,
  8 in flight;
- a login brute force on the member, each guess with a new `X-Forwarded-For`, 8 in flight.

Checks: the reader's p99 during the attack within 3x the baseline's, for both requests; the
server's resident memory, its Markdown render workers' included (read from /proc), stays
under `--memory-bound-mb`; no 5xx anywhere; the brute force got no login. The exit status
is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from bench.live import (
    auth,
    community,
    describe_tree,
    destroy,
    load,
    machine,
    new_server,
    ok,
    open_site,
    register,
)

ROOT = Path(__file__).resolve().parents[1]
PATTERNS = ("[<", "![", "[", "[^")
MARKDOWN_BYTES = 10_000
SLOWDOWN_LIMIT = 3.0


@dataclass
class Attack:
    name: str
    sent: int = 0
    answers: Counter[str] = field(default_factory=Counter)

    def answered(self, response: httpx.Response | None, error: str | None = None) -> None:
        self.sent += 1
        if response is None:
            self.answers[error or "no answer"] += 1
        elif response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
            self.answers[f"{response.status_code} {response.json().get('error')}"] += 1
        else:
            self.answers[str(response.status_code)] += 1

    def server_errors(self) -> int:
        return sum(n for answer, n in self.answers.items() if answer.startswith("5"))


@dataclass
class Reading:
    path: str
    quiet_ms: list[float] = field(default_factory=list)
    attacked_ms: list[float] = field(default_factory=list)
    errors: int = 0


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 120, 40)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _rss_mb(pid: int) -> float:
    """The server's resident memory with its children's (the Markdown render workers)."""
    total = 0
    for process in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except FileNotFoundError:
            continue  # a worker replaced meanwhile
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(child) for child in tasks.read_text().split())
    return found


def read_phase(url: str, paths: list[str], seconds: float) -> list[tuple[list[float], int]]:
    """The reader, in a process of its own (as a reader is on a machine of their own): each
    path in turn for `seconds`; per path, the times taken in ms and the failures."""
    return asyncio.run(_read_loop(url, paths, time.monotonic() + seconds))


async def _read_loop(url: str, paths: list[str], until: float) -> list[tuple[list[float], int]]:
    taken: list[tuple[list[float], int]] = [([], 0) for _ in paths]
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        while time.monotonic() < until:
            for i, path in enumerate(paths):
                start = time.monotonic()
                try:
                    response = await http.get(path, headers={"Accept": "text/html"})
                    failed = response.status_code >= 400
                except httpx.HTTPError:
                    failed = True
                times, errors = taken[i]
                times.append((time.monotonic() - start) * 1000)
                taken[i] = (times, errors + failed)
    return taken


async def _flood(
    attack: Attack, count: int, parallel: int, one: Callable[[int], Awaitable[httpx.Response]]
) -> None:
    gate = asyncio.Semaphore(parallel)

    async def run(i: int) -> None:
        async with gate:
            try:
                attack.answered(await one(i))
            except httpx.HTTPError as exc:
                attack.answered(None, type(exc).__name__)

    await asyncio.gather(*(run(i) for i in range(count)))


async def drill(args: argparse.Namespace) -> dict[str, Any]:
    server = new_server(args.backend, prefix="moot-abuse-")
    server.start_env["MOOT_TRUSTED_PROXIES"] = ""
    server.start()
    assert server.process is not None
    pid = server.process.pid
    try:
        async with httpx.AsyncClient(base_url=server.api, timeout=60) as api:
            admin = await open_site(api)
            [member] = await register(api, ["abusedmember"])
            community_id = await community(api, member, "abuse")
            post = await ok(
                await api.post(
                    "/post",
                    json={"name": "Read me", "community_id": community_id, "body": "Hello."},
                    headers=auth(member),
                )
            )
            post_id = int(post["post_view"]["post"]["id"])
            # Lemmy's default for logins and sign-ups again: 10 an hour per address.
            await ok(
                await api.put(
                    "/site",
                    json={"rate_limit_register": 10, "rate_limit_register_per_second": 3600},
                    headers=auth(admin),
                )
            )
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as site:
            upload = await site.post(
                "/pictrs/image",
                files=[("images[]", ("p.jpg", _picture(), "image/jpeg"))],
                headers=auth(member),
            )
            picture = upload.json()["files"][0]["file"]

        readings = [Reading("/api/v3/post/list?sort=New&limit=20"), Reading("/")]
        rss_peak = [_rss_mb(pid)]
        rss_start = rss_peak[0]

        paths = [reading.path for reading in readings]
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as reader:
            await loop.run_in_executor(reader, read_phase, server.url, paths, 2)  # warm up
            quiet_load = load()
            quiet = await loop.run_in_executor(reader, read_phase, server.url, paths, args.seconds)
            for reading, (times, errors) in zip(readings, quiet, strict=True):
                reading.quiet_ms, reading.errors = times, errors

            markdown, renditions, logins = (
                Attack("markdown"),
                Attack("renditions"),
                Attack("logins"),
            )
            async with httpx.AsyncClient(base_url=server.url, timeout=120) as attacker:

                async def comment(i: int) -> httpx.Response:
                    pattern = PATTERNS[i % len(PATTERNS)]
                    body = {
                        "post_id": post_id,
                        "content": pattern * (MARKDOWN_BYTES // len(pattern)),
                    }
                    return await attacker.post("/api/v3/comment", json=body, headers=auth(member))

                async def rendition(i: int) -> httpx.Response:
                    return await attacker.get(
                        f"/pictrs/image/{picture}", params={"format": "png", "thumbnail": 64 + i}
                    )

                async def guess(i: int) -> httpx.Response:
                    return await attacker.post(
                        "/api/v3/user/login",
                        json={"username_or_email": "abusedmember", "password": f"guess-{i}"},
                        headers={"X-Forwarded-For": f"198.51.{i // 250}.{i % 250}"},
                    )

                async def watch_memory(until: float) -> None:
                    while time.monotonic() < until:
                        rss_peak.append(_rss_mb(pid))
                        await asyncio.sleep(0.25)

                attacked_load_before = load()
                attacked, *_ = await asyncio.gather(
                    loop.run_in_executor(reader, read_phase, server.url, paths, args.seconds),
                    watch_memory(time.monotonic() + args.seconds),
                    _flood(markdown, args.comments, 4, comment),
                    _flood(renditions, args.renditions, 8, rendition),
                    _flood(logins, args.logins, 8, guess),
                )
            attacked_load_after = load()
            for reading, (times, errors) in zip(readings, attacked, strict=True):
                reading.attacked_ms, reading.errors = times, reading.errors + errors
        attacks = [markdown, renditions, logins]
        return {
            "machine": machine(),
            "tree": describe_tree(ROOT),
            "backend": args.backend,
            "seconds": args.seconds,
            "load": {
                "quiet": quiet_load,
                "attack_start": attacked_load_before,
                "attack_end": attacked_load_after,
            },
            "readings": [asdict(r) for r in readings],
            "attacks": [
                {"name": a.name, "sent": a.sent, "answers": dict(a.answers)} for a in attacks
            ],
            "server_errors": sum(a.server_errors() for a in attacks),
            "logins_got_in": logins.answers.get("200", 0),
            "rss_mb": {"start": round(rss_start), "peak": round(max(rss_peak))},
            "memory_bound_mb": args.memory_bound_mb,
        }
    finally:
        destroy(server)


def verdict(result: dict[str, Any]) -> list[str]:
    """The checks that failed, in words."""
    failed = []
    for r in result["readings"]:
        quiet, attacked = p99(r["quiet_ms"]), p99(r["attacked_ms"])
        if attacked > SLOWDOWN_LIMIT * quiet:
            failed.append(f"{r['path']}: p99 {attacked:.0f} ms under attack > 3 x {quiet:.0f} ms")
        if r["errors"]:
            failed.append(f"{r['path']}: {r['errors']} reader errors")
    if result["rss_mb"]["peak"] > result["memory_bound_mb"]:
        failed.append(f"memory peak {result['rss_mb']['peak']} MB > {result['memory_bound_mb']} MB")
    if result["server_errors"]:
        failed.append(f"{result['server_errors']} 5xx answers to the attackers")
    if result["logins_got_in"]:
        failed.append(f"{result['logins_got_in']} guessed logins succeeded")
    return failed


def markdown_report(result: dict[str, Any], failed: list[str]) -> str:
    m = result["machine"]
    lines = [
        f"- **Date:** {m['date']}; **machine:** {m['nproc']} cores ({m['cpu']}), Linux "
        f"{m['kernel']}, Python {m['python']}; moot `{result['tree']}`, {result['backend']}.",
        f"- **Load average:** {result['load']['quiet']} in the quiet phase, "
        f"{result['load']['attack_start']} → {result['load']['attack_end']} under attack.",
        f"- **Phases:** {result['seconds']} s quiet, then {result['seconds']} s under attack.",
        "",
        "| reader's request | quiet p50 / p99 ms | under attack p50 / p99 ms | p99 ratio | "
        "requests quiet / attacked |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in result["readings"]:
        q, a = r["quiet_ms"], r["attacked_ms"]
        ratio = p99(a) / p99(q) if q and a else float("nan")
        lines.append(
            f"| `GET {r['path']}` | {statistics.median(q):.1f} / {p99(q):.1f} | "
            f"{statistics.median(a):.1f} / {p99(a):.1f} | **{ratio:.2f}** | {len(q)} / {len(a)} |"
        )
    lines += ["", "| attack | sent | answers |", "|---|---:|---|"]
    for a in result["attacks"]:
        answers = ", ".join(f"{k} x{v}" for k, v in sorted(a["answers"].items()))
        lines.append(f"| {a['name']} | {a['sent']} | {answers} |")
    rss = result["rss_mb"]
    lines += [
        "",
        f"Server memory (RSS): {rss['start']} MB before the attack, peak {rss['peak']} MB "
        f"(bound {result['memory_bound_mb']} MB). 5xx answers: {result['server_errors']}. "
        f"Guessed logins that got in: {result['logins_got_in']}.",
        "",
        "Result: " + ("**ok**" if not failed else "**FAILED**: " + "; ".join(failed)),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.abuse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--seconds", type=float, default=30.0, help="per phase")
    ap.add_argument("--comments", type=int, default=40, help="pathological comments sent")
    ap.add_argument("--renditions", type=int, default=200, help="rendition requests sent")
    ap.add_argument("--logins", type=int, default=300, help="login guesses sent")
    ap.add_argument("--memory-bound-mb", type=int, default=700)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv)
    result = asyncio.run(drill(args))
    failed = verdict(result)
    report = markdown_report(result, failed)
    print(report)
    if args.markdown:
        args.markdown.write_text(report + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
