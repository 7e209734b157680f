"""Crash drill: `kill -9` a `moot serve` in the middle of a burst of writes, start it again on
the same database, and check that nothing it acknowledged was lost and no counter drifted.

    .venv/bin/python -m bench.crash_drill [--backend sqlite|postgresql|both] [--runs 5]
        [--comments 200] [--votes 200] [--concurrency 12] [--seed 1]
        [--allow-5xx] [--no-kill] [--python PY] [--markdown FILE] [--json FILE]

Each run, on a fresh database: start `moot serve` (tests/servers.py), sign up MEMBERS members,
make a community and POSTS posts (by the members in turn, so each author starts with their own
upvote), then send `--comments` comments and `--votes` post votes in a shuffled order,
`--concurrency` in flight. A comment is a reply, half of the time, to a comment already
acknowledged on the same post. Votes land on MEMBERS x POSTS (person, post) pairs, each pair's
votes going +1, -1, 0 (withdrawn), +1, … in the order they are sent; several votes of one pair
are often in flight together — the race the concurrency work is about. After a random number
of answers (20-70 % of the burst) the server gets SIGKILL; requests in flight then get no
answer, and nothing more is sent. The server is started again on the same database, and:

- every acknowledged comment (HTTP 200) is stored under the id it was answered with, with its
  content and post, not deleted; no comment is stored twice (a replayed request must not
  write twice); no comment whose request was answered with an error is stored;
- the stored vote of each pair is one that could have been the last to commit. A request
  acknowledged at time t committed before any request sent after t started, so the last one
  to commit is a request that got a 200 or no answer at all (a request answered with an error
  wrote nothing), and that was not acknowledged before another acknowledged request of the
  pair was sent. The stored vote must be the score of such a request — with one request of a
  pair in flight at a time, that is "the last acknowledged one, or a later one in flight at
  the kill" — or, when no request of the pair was acknowledged, the vote before the burst;
- the server answers: GET /site, the acknowledged comments by GET /comment (the first
  twenty), a new comment and a vote;
- stopped, `moot admin recount` corrects 0 rows (the counters match the rows).

The server (and `moot admin recount`) can be another revision's: `--python` names the
interpreter of its virtualenv; the drill reads the database with this tree's models.

5xx answers are failures too, unless `--allow-5xx` (a revision known to lose the vote race).
The exit status is 1 when any run failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench.live import (
    VersionServer,
    auth,
    community,
    describe_tree,
    destroy,
    load,
    machine,
    new_server,
    open_site,
    posts,
    register,
)
from moot.db import models as m
from moot.db.engine import Database
from moot.db.recount import expected_counters

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 6
POSTS = 4
SCORES = (1, -1, 0)
console = Console()


@dataclass
class Write:
    """One request of the burst and what became of it."""

    kind: str  # "comment" or "vote"
    member: int
    post: int  # index into the run's posts
    score: int = 0  # vote
    content: str = ""  # comment
    parent_id: int | None = None  # comment
    sent_at: float = math.nan
    answered_at: float = math.inf  # no answer: in flight when the server died
    status: int | None = None
    error: str | None = None  # the transport error, when there was no answer
    comment_id: int | None = None  # acknowledged comment

    @property
    def acknowledged(self) -> bool:
        return self.status == 200


@dataclass
class RunResult:
    backend: str
    run: int
    sent: int = 0
    acknowledged: int = 0
    unanswered: int = 0
    status_5xx: int = 0
    other_errors: int = 0
    killed_after_answers: int = 0
    killed_at_s: float = 0.0
    corrected: int | None = None
    missing: int = 0  # acknowledged writes not found as acknowledged
    drift: dict[str, int] = field(default_factory=dict)  # "table.column": rows off
    answers: dict[str, int] = field(default_factory=dict)  # status (or transport error): count
    failures: list[str] = field(default_factory=list)


# Set-up and burst -------------------------------------------------------------------------


@dataclass
class Site:
    admin: str
    members: list[str]  # tokens
    member_ids: list[int]
    post_ids: list[int]
    control_post: int  # for the writes after the restart, outside the burst


async def person_ids(database_url: str, names: list[str]) -> list[int]:
    db = Database(database_url)
    await db.connect(size=1)
    try:
        async with db.connection() as conn:
            rows = await conn.fetch_all(
                sa.select(m.person.c.id, m.person.c.name).where(
                    m.person.c.name.in_(names), m.person.c.local
                )
            )
    finally:
        await db.close()
    by_name = {r["name"]: int(r["id"]) for r in rows}
    return [by_name[n] for n in names]


async def set_up(server: VersionServer) -> Site:
    async with httpx.AsyncClient(base_url=server.api, timeout=60) as client:
        admin = await open_site(client)
        names = [f"member{i}" for i in range(MEMBERS)]
        members = await register(client, names)
        community_id = await community(client, admin, "drill")
        post_ids = await posts(client, members, community_id, POSTS)
        control = (await posts(client, [admin], community_id, 1))[0]
    return Site(admin, members, await person_ids(server.database_url, names), post_ids, control)


def plan_burst(rng: random.Random, comments: int, votes: int, run: int) -> list[Write]:
    """The burst's requests in sending order; scores are given as they are sent."""
    writes = [
        Write(
            "comment",
            rng.randrange(MEMBERS),
            rng.randrange(POSTS),
            content=f"Crash drill run {run}, comment {i} ({rng.getrandbits(32):08x}).",
        )
        for i in range(comments)
    ]
    writes += [Write("vote", rng.randrange(MEMBERS), rng.randrange(POSTS)) for _ in range(votes)]
    rng.shuffle(writes)
    return writes


async def burst(
    server: VersionServer,
    site: Site,
    writes: list[Write],
    concurrency: int,
    kill_after: int,
    rng: random.Random,
) -> tuple[list[Write], float]:
    """Send `writes`, `concurrency` in flight, and SIGKILL the server once `kill_after`
    requests were answered; the writes that were sent, and when the kill came."""
    queue = list(reversed(writes))
    sent: list[Write] = []
    votes_sent: Counter[tuple[int, int]] = Counter()
    acked_comments: dict[int, list[int]] = defaultdict(list)  # post index -> comment ids
    answers = 0
    killed_at = math.nan
    start = time.monotonic()
    limits = httpx.Limits(max_connections=concurrency)

    async with httpx.AsyncClient(base_url=server.api, limits=limits, timeout=60) as client:

        async def slot() -> None:
            nonlocal answers, killed_at
            while queue and math.isnan(killed_at):
                w = queue.pop()
                token = site.members[w.member]
                if w.kind == "vote":
                    pair = (w.member, w.post)
                    w.score = SCORES[votes_sent[pair] % len(SCORES)]
                    votes_sent[pair] += 1
                    path = "/post/like"
                    body: dict[str, Any] = {"post_id": site.post_ids[w.post], "score": w.score}
                else:
                    if acked_comments[w.post] and rng.random() < 0.5:
                        w.parent_id = rng.choice(acked_comments[w.post])
                    path = "/comment"
                    body = {"post_id": site.post_ids[w.post], "content": w.content}
                    if w.parent_id is not None:
                        body["parent_id"] = w.parent_id
                sent.append(w)
                w.sent_at = time.monotonic()
                try:
                    response = await client.post(path, json=body, headers=auth(token))
                except httpx.HTTPError as exc:
                    w.error = type(exc).__name__
                    continue
                w.answered_at = time.monotonic()
                w.status = response.status_code
                if w.acknowledged and w.kind == "comment":
                    w.comment_id = int(response.json()["comment_view"]["comment"]["id"])
                    acked_comments[w.post].append(w.comment_id)
                answers += 1
                if answers >= kill_after and math.isnan(killed_at):
                    server.kill9()
                    killed_at = time.monotonic() - start

        await asyncio.gather(*(slot() for _ in range(concurrency)))
    return sent, killed_at


# Checks -----------------------------------------------------------------------------------


async def stored_state(
    database_url: str, site: Site, contents: list[str]
) -> tuple[dict[str, list[dict[str, Any]]], dict[tuple[int, int], int]]:
    """The comments stored with any of `contents` (by content: the burst's are unique), and
    every stored vote on the burst's posts by (person id, post id)."""
    db = Database(database_url)
    await db.connect(size=1)
    c, pl = m.comment.c, m.post_like.c
    rows = []
    try:
        async with db.connection() as conn:
            if contents:
                rows = await conn.fetch_all(
                    sa.select(c.id, c.content, c.post_id, c.deleted, c.removed).where(
                        c.content.in_(contents)
                    )
                )
            votes = await conn.fetch_all(
                sa.select(pl.person_id, pl.post_id, pl.score).where(pl.post_id.in_(site.post_ids))
            )
    finally:
        await db.close()
    comments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        comments[str(r["content"])].append(dict(r))
    return comments, {(int(v["person_id"]), int(v["post_id"])): int(v["score"]) for v in votes}


async def drifted(database_url: str) -> dict[str, int]:
    """Which counters `moot admin recount` is about to correct: per table.column, the rows
    whose stored value differs from its recomputation (recount itself only says how many
    rows it changed)."""
    db = Database(database_url)
    await db.connect(size=1)
    off = {}
    try:
        async with db.connection() as conn:
            for table, counters in expected_counters().items():
                for name, expr in counters.items():
                    n = await conn.scalar(
                        sa.select(sa.func.count()).select_from(table).where(table.c[name] != expr)
                    )
                    if n:
                        off[f"{table.name}.{name}"] = int(n)
    finally:
        await db.close()
    return off


def possible_votes(writes: list[Write], before: int) -> set[int]:
    """The votes a pair can hold after `writes` (its requests): the score of any request that
    may have committed last (see the module's docstring)."""
    acked = [w for w in writes if w.acknowledged]
    could_commit = [w for w in writes if w.acknowledged or w.status is None]
    last = {w.score for w in could_commit if not any(c.sent_at > w.answered_at for c in acked)}
    return last if acked else last | {before}


def check_writes(
    result: RunResult,
    site: Site,
    sent: list[Write],
    comments: dict[str, list[dict[str, Any]]],
    votes_before: dict[tuple[int, int], int],
    votes_after: dict[tuple[int, int], int],
) -> None:
    for w in sent:
        if w.kind != "comment":
            continue
        stored = comments.get(w.content, [])
        if len(stored) > 1:
            result.failures.append(f"comment stored {len(stored)} times: {w.content!r}")
        if w.acknowledged:
            found = [s for s in stored if s["id"] == w.comment_id]
            if not found:
                result.missing += 1
                result.failures.append(f"acknowledged comment {w.comment_id} missing")
            elif (
                found[0]["post_id"] != site.post_ids[w.post]
                or found[0]["deleted"]
                or found[0]["removed"]
            ):
                result.missing += 1
                result.failures.append(f"acknowledged comment {w.comment_id} altered: {found[0]}")
        elif w.status is not None and stored:
            result.failures.append(f"comment refused with {w.status} but stored: {w.content!r}")
    by_pair: dict[tuple[int, int], list[Write]] = defaultdict(list)
    for w in sent:
        if w.kind == "vote":
            key = (site.member_ids[w.member], site.post_ids[w.post])
            by_pair[key].append(w)
    for key, writes in by_pair.items():
        allowed = possible_votes(writes, votes_before.get(key, 0))
        stored_vote = votes_after.get(key, 0)
        if stored_vote not in allowed:
            result.missing += 1
            t0 = writes[0].sent_at
            history = ", ".join(
                f"{w.score:+d} sent {w.sent_at - t0:.3f} s: "
                + (f"{w.status} at {w.answered_at - t0:.3f} s" if w.status else str(w.error))
                for w in writes
            )
            result.failures.append(
                f"vote of person {key[0]} on post {key[1]} is {stored_vote:+d}, "
                f"expected one of {sorted(allowed)} (requests: {history})"
            )


async def answers(server: VersionServer, site: Site, acked: list[Write]) -> list[str]:
    """The restarted server serves reads of what it acknowledged, and takes new writes."""
    problems = []
    async with httpx.AsyncClient(base_url=server.api, timeout=60) as client:
        if (await client.get("/site")).status_code != 200:
            problems.append("GET /site failed after the restart")
        for w in acked[:20]:
            got = await client.get("/comment", params={"id": w.comment_id})
            if got.status_code != 200:
                problems.append(f"GET /comment?id={w.comment_id}: HTTP {got.status_code}")
            elif got.json()["comment_view"]["comment"]["content"] != w.content:
                problems.append(f"GET /comment?id={w.comment_id}: other content")
        token = auth(site.members[0])
        body = {"post_id": site.control_post, "content": "After the restart."}
        if (await client.post("/comment", json=body, headers=token)).status_code != 200:
            problems.append("POST /comment failed after the restart")
        body = {"post_id": site.control_post, "score": 1}
        if (await client.post("/post/like", json=body, headers=token)).status_code != 200:
            problems.append("POST /post/like failed after the restart")
    return problems


async def read_votes(database_url: str, site: Site) -> dict[tuple[int, int], int]:
    return (await stored_state(database_url, site, []))[1]


def drill(backend: str, run: int, args: argparse.Namespace) -> RunResult:
    rng = random.Random(f"{args.seed}-{backend}-{run}")
    result = RunResult(backend, run)
    server = new_server(backend, python=args.python or sys.executable, prefix="moot-drill-")
    try:
        server.start()
        site = asyncio.run(set_up(server))
        votes_before = asyncio.run(read_votes(server.database_url, site))
        writes = plan_burst(rng, args.comments, args.votes, run)
        kill_after = rng.randint(int(len(writes) * 0.2), int(len(writes) * 0.7))
        if args.no_kill:
            kill_after = len(writes) + 1  # never: the burst runs to its end
        sent, killed_at = asyncio.run(
            burst(server, site, writes, args.concurrency, kill_after, rng)
        )
        if server.process is not None:
            if not args.no_kill:
                result.failures.append("the burst ended before the kill")
            server.kill9()
        result.sent = len(sent)
        result.acknowledged = sum(w.acknowledged for w in sent)
        result.unanswered = sum(w.status is None for w in sent)
        result.status_5xx = sum(w.status is not None and w.status >= 500 for w in sent)
        result.other_errors = sum(
            w.status is not None and w.status != 200 and w.status < 500 for w in sent
        )
        result.killed_after_answers, result.killed_at_s = kill_after, round(killed_at, 2)
        result.answers = dict(Counter(str(w.status or w.error) for w in sent))
        if result.status_5xx and not args.allow_5xx:
            codes = Counter(w.status for w in sent if w.status and w.status >= 500)
            result.failures.append(f"5xx answers: {dict(codes)}")
        if result.other_errors:
            codes = Counter(
                w.status for w in sent if w.status and w.status != 200 and w.status < 500
            )
            result.failures.append(f"4xx answers: {dict(codes)}")

        server.start()  # same data folder, same database
        contents = [w.content for w in sent if w.kind == "comment"]
        comments, votes_after = asyncio.run(stored_state(server.database_url, site, contents))
        check_writes(result, site, sent, comments, votes_before, votes_after)
        acked = [w for w in sent if w.kind == "comment" and w.acknowledged]
        result.failures += asyncio.run(answers(server, site, acked))
        server.stop()
        result.drift = asyncio.run(drifted(server.database_url))
        result.corrected = server.recount()
        if result.corrected:
            detail = ", ".join(f"{k} {v}" for k, v in result.drift.items())
            result.failures.append(f"recount corrected {result.corrected} rows ({detail})")
        if result.failures:
            console.print(
                f"[red]{backend} run {run}:[/red] server log tail:\n{server.log_tail(20)}"
            )
    except Exception as exc:  # a run that breaks is a failed run; the others still run
        result.failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        destroy(server)
    return result


# Report -----------------------------------------------------------------------------------

COLUMNS = (
    "backend",
    "run",
    "sent",
    "acknowledged",
    "no answer (in flight at the kill)",
    "5xx",
    "rows corrected by recount",
    "missing acknowledged writes",
    "result",
)


def row(r: RunResult) -> list[str]:
    return [
        r.backend,
        str(r.run),
        str(r.sent),
        str(r.acknowledged),
        str(r.unanswered),
        str(r.status_5xx),
        "-" if r.corrected is None else str(r.corrected),
        str(r.missing),
        "ok" if not r.failures else f"**FAILED** ({len(r.failures)})",
    ]


def markdown(report: dict[str, Any], results: list[RunResult]) -> str:
    mach, a = report["machine"], report["args"]
    lines = [
        f"- **Date:** {mach['date']}; **machine:** {mach['nproc']} cores ({mach['cpu']}), "
        f"Linux {mach['kernel']}, Python {mach['python']}; load average "
        f"{report['load_before']} before, {report['load_after']} after "
        f"({report['seconds']} s).",
        f"- **Command:** `{report['command']}` on `{report['commit']}`.",
        f"- **Burst:** {a['comments']} comments and {a['votes']} post votes from {MEMBERS} "
        f"members on {POSTS} posts, {a['concurrency']} in flight, "
        + (
            "answered to the end (control run, `--no-kill`), then SIGKILL"
            if a["no_kill"]
            else "SIGKILL after a random 20-70 % of the answers"
        )
        + "; then restart, checks, `moot admin recount`.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    failed = [r for r in results if r.failures]
    if failed:
        lines += ["", "Failures (first five of each run):", ""]
        for r in failed:
            lines += [f"- {r.backend} run {r.run}: " + "; ".join(r.failures[:5])]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m bench.crash_drill",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--runs", type=int, default=5, help="per backend")
    ap.add_argument("--comments", type=int, default=200)
    ap.add_argument("--votes", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=12)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--allow-5xx", action="store_true", help="report 5xx, do not fail on them")
    ap.add_argument(
        "--no-kill",
        action="store_true",
        help="control run: the whole burst is answered, then the server is killed; "
        "what fails then is not the crash's doing",
    )
    ap.add_argument(
        "--python",
        default="",
        help="serve the moot installed for this interpreter instead of this tree's, e.g. "
        "the write-path benchmark's /tmp/moot-bench-before/<commit>/.venv/bin/python",
    )
    ap.add_argument("--json", type=Path)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv)

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    load_before, started = load(), time.monotonic()
    results = []
    for backend in backends:
        for run in range(1, args.runs + 1):
            r = drill(backend, run, args)
            verdict = "[green]ok" if not r.failures else f"[red]{len(r.failures)} failures"
            console.print(
                f"{backend} run {run}: sent {r.sent}, acknowledged {r.acknowledged}, "
                f"no answer {r.unanswered}, 5xx {r.status_5xx}, killed after "
                f"{r.killed_after_answers} answers ({r.killed_at_s} s), recount corrected "
                f"{r.corrected}, missing {r.missing}: {verdict}"
            )
            console.print(f"    answers: {r.answers}", markup=False, highlight=False)
            for failure in r.failures[:10]:
                console.print(f"    {failure}", markup=False, highlight=False)
            results.append(r)
    report: dict[str, Any] = {
        "machine": machine(),
        "commit": f"moot of {args.python}" if args.python else describe_tree(ROOT),
        "command": " ".join([".venv/bin/python -m bench.crash_drill", *sys.argv[1:]]),
        "args": {k: v for k, v in vars(args).items() if not isinstance(v, Path)},
        "load_before": load_before,
        "load_after": load(),
        "seconds": round(time.monotonic() - started),
        "runs": [asdict(r) for r in results],
    }
    table = Table(*COLUMNS)
    for r in results:
        table.add_row(*row(r))
    console.print(table)
    text = markdown(report, results)
    print("\n" + text + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    sys.exit(1 if any(r.failures for r in results) else 0)


if __name__ == "__main__":
    main()
