"""Benchmark a real `moot serve` over HTTP, and EXPLAIN the post listing of each sort.

    .venv/bin/python -m bench.run --database-url URL [--requests N] [--concurrency N]

The database must have been filled by bench/generate.py. The server runs as a child process
on a free loopback port with a temporary data folder; the admin (`bench_admin`) is created on
its first start from MOOT_SETUP_ADMIN_NAME/PASSWORD, logs in and raises every rate limit, so
the numbers measure moot and not its limiter. The client is httpx with `--concurrency`
requests in flight; it shares the machine's cores with the server. Writes run last, so the
reads see the generated data only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, get_args

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench.generate import BIG_THREAD_NAME
from moot.api.v3.forms import SortType
from moot.api.v3.shapes import COMMENT_COLUMNS, PERSON_COLUMNS
from moot.db import models as m
from moot.db.engine import Connection, Database, Row
from moot.db.listings import CommentFilter, list_comments_around
from moot.db.post_listing import PostFilter, list_posts
from moot.db.prepared import Prepared
from moot.db.types import utcnow

SORTS = ("Hot", "Active", "New", "TopDay", "Scaled")
ADMIN_NAME = "bench_admin"
ADMIN_PASSWORD = "bench-admin-password"
console = Console()


@dataclass
class Result:
    name: str
    requests: int
    concurrency: int
    p50_ms: float
    p99_ms: float
    rps: float
    errors: int


@dataclass
class Plan:
    name: str
    sql: str
    plan: str
    # A sort of rows straight from a table scan (any PostgreSQL Sort node; a SQLite temp
    # b-tree over a table): the listing does not stop after `limit`. SQLite's re-sort of
    # arms that are themselves limited index scans (a Top sort's tiers) is not counted.
    sorted_rows: bool
    db_ms: float | None
    # PostgreSQL only: rows the scans of `post` produced or filtered out, over all loops.
    post_rows_read: int | None = None


# The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(
        self,
        database_url: str,
        port: int,
        *,
        prefix: Sequence[str] = (),
        options: Sequence[str] = (),
        log_level: str = "WARNING",
    ) -> None:
        self.database_url = database_url
        self.port = port
        # `prefix`: a command the server runs under (bench/versus.py pins it with taskset);
        # `options`: more options of `moot serve`.
        self.prefix, self.options, self.log_level = list(prefix), list(options), log_level
        self.data_dir = Path(tempfile.mkdtemp(prefix="moot-bench-"))
        self.log_path = self.data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v3"

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            MOOT_DATABASE_URL=self.database_url,
            MOOT_DATA_DIR=str(self.data_dir),
            MOOT_HOSTNAME="localhost",
            MOOT_SETUP_ADMIN_NAME=ADMIN_NAME,
            MOOT_SETUP_ADMIN_PASSWORD=ADMIN_PASSWORD,
            # No rank refresh during the run: it would compete with the requests measured.
            MOOT_RANK_REFRESH_SECONDS="86400",
            MOOT_LOG_LEVEL=self.log_level,
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *self.prefix,
                    sys.executable,
                    "-m",
                    "moot",
                    "serve",
                    "--port",
                    str(self.port),
                    *self.options,
                ],
                env=env,
                cwd=self.data_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moot serve exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.api}/site", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"moot serve did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.data_dir, ignore_errors=True)


# Measuring --------------------------------------------------------------------------------


async def measure(
    name: str,
    send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    client: httpx.AsyncClient,
    requests: int,
    concurrency: int,
    warmup: int = 5,
) -> Result:
    """`requests` calls of `send(client, i)`, `concurrency` at a time; latencies of each."""
    for i in range(warmup):
        response = await send(client, -1 - i)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.text[:500]}")
    latencies: list[float] = []
    errors = 0
    next_index = 0

    async def worker() -> None:
        nonlocal next_index, errors
        while next_index < requests:
            i = next_index
            next_index += 1
            start = time.perf_counter()
            response = await send(client, i)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors += 1
                if errors == 1:
                    console.print(f"[red]{name}: HTTP {response.status_code}: {response.text}")

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    latencies.sort()
    result = Result(
        name=name,
        requests=requests,
        concurrency=concurrency,
        p50_ms=round(statistics.median(latencies) * 1000, 2),
        p99_ms=round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2),
        rps=round(requests / wall, 1),
        errors=errors,
    )
    console.print(
        f"{name:<40} p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  "
        f"{result.rps:8.1f} req/s  errors {errors}"
    )
    return result


# Plans ------------------------------------------------------------------------------------


class CaptureConnection(Connection):
    """Records the statement a listing function would run (with its values), instead of
    running it; what it reads first (a cursor's row) is read on `real`, when given."""

    def __init__(self, dialect_name: str, real: Connection | None = None) -> None:
        self.dialect_name = dialect_name
        self.real = real
        self.statements: list[tuple[sa.ClauseElement, dict[str, Any] | None]] = []

    async def fetch_all(
        self, stmt: sa.ClauseElement, params: dict[str, Any] | None = None
    ) -> list[Row]:
        if self.real is not None:
            return await self.real.fetch_all(stmt, params)
        self.statements.append((stmt, params))
        return []

    async def run(
        self, prepared: Prepared, params: Mapping[str, Any], variant: Hashable = None
    ) -> list[Row]:
        self.statements.append((prepared.build(self.dialect_name, variant), dict(params)))
        return []


def anonymous_filter(sort: str) -> PostFilter:
    """What GET /post/list?type_=All&sort=… builds for a visitor who is not logged in."""
    return PostFilter(listing_type="All", sort=sort, show_read=True, show_nsfw=False)


_SORT_NODE = re.compile(r"(^|->\s*)(Incremental )?Sort\b", re.M)
_POST_SCAN = re.compile(r"Scan.* on post\b.*rows=(\d+) loops=(\d+)")
_REMOVED = re.compile(r"Rows Removed by (Filter|Index Recheck): (\d+)")


def _pg_rows_read(text: str) -> int:
    """Rows the scans of `post` returned or threw away, from EXPLAIN ANALYZE's counts."""
    total, loops = 0, 0
    for line in text.splitlines():
        scan = _POST_SCAN.search(line)
        if scan:
            loops = int(scan.group(2))
            total += int(scan.group(1)) * loops
            continue
        removed = _REMOVED.search(line)
        if removed and loops:
            total += int(removed.group(2)) * loops
        elif "->" in line:
            loops = 0  # the next node: filter counts below belong to it, not to a post scan
    return total


def _sqlite_sorts_a_scan(text: str) -> bool:
    """A temp b-tree whose select reads a table. One whose select reads `anon_N` first (a
    subquery with its own LIMIT: a Top sort's tier arm, or its page) only orders rows that
    were already cut to the page."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "TEMP B-TREE" not in line:
            continue
        depth = len(line) - len(line.lstrip())
        first_read = None
        for above in reversed(lines[:i]):
            above_depth = len(above) - len(above.lstrip())
            if above_depth < depth:
                break
            if above_depth == depth and above.lstrip().startswith(("SCAN", "SEARCH")):
                first_read = above.strip()
        if first_read is None or not first_read.startswith("SCAN anon_"):
            return True
    return False


async def explain(
    db: Database,
    name: str,
    captured: tuple[sa.ClauseElement, dict[str, Any] | None],
    repeat: int = 20,
) -> Plan:
    """The plan of exactly the SQL moot runs (same compiler, same bound values)."""
    sql, values, _ = db._compiler.prepare(*captured)
    async with db.connection() as conn:
        raw: Any = conn._conn  # type: ignore[attr-defined]
        if db.dialect_name == "postgresql":
            await raw.fetch(sql, *values)  # warm the cache, as a running server's is
            rows = await raw.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", *values)
            text = "\n".join(r[0] for r in rows)
            sorted_rows, read = bool(_SORT_NODE.search(text)), _pg_rows_read(text)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                await raw.fetch(sql, *values)
                times.append(time.perf_counter() - start)
        else:
            async with raw.execute(f"EXPLAIN QUERY PLAN {sql}", values) as cur:
                rows = await cur.fetchall()
            text = "\n".join(f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows)
            sorted_rows, read = _sqlite_sorts_a_scan(text), None
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                async with raw.execute(sql, values) as cur:
                    await cur.fetchall()
                times.append(time.perf_counter() - start)
    median_ms = round(statistics.median(times) * 1000, 3)
    return Plan(name, sql, text, sorted_rows, median_ms, read)


def _depth(rows: Sequence[Any], row: Any) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def subscribed_filter(sort: str, person_id: int) -> PostFilter:
    """What GET /post/list?type_=Subscribed&sort=… builds for `person_id`."""
    return PostFilter(listing_type="Subscribed", sort=sort, viewer_id=person_id)


# The member whose Subscribed feed is planned follows this many communities: the smallest
# that still hold this many posts, so that page 50 (of 20) exists in their feed.
SUBSCRIBED_COMMUNITIES = 5
SUBSCRIBED_MIN_POSTS = 210


async def make_subscriber(db: Database) -> tuple[int, list[int]]:
    """Make the first person follow SUBSCRIBED_COMMUNITIES small communities (and nothing
    else): the shape where filtering the site index reads the most rows per row shown."""
    pc = m.post.c
    async with db.transaction() as conn:
        person_id = int(await conn.scalar(sa.select(sa.func.min(m.person.c.id))))
        sizes = (
            sa.select(pc.community_id, sa.func.count().label("n"))
            .group_by(pc.community_id)
            .having(sa.func.count() >= SUBSCRIBED_MIN_POSTS)
            .subquery()
        )
        communities = [
            int(r["community_id"])
            for r in await conn.fetch_all(
                sa.select(sizes.c.community_id)
                .order_by(sizes.c.n, sizes.c.community_id)
                .limit(SUBSCRIBED_COMMUNITIES)
            )
        ]
        follows = m.community_follower
        await conn.execute(sa.delete(follows).where(follows.c.person_id == person_id))
        await conn.execute(
            sa.insert(follows).values(
                [
                    {"community_id": c, "person_id": person_id, "published": utcnow()}
                    for c in communities
                ]
            )
        )
    return person_id, communities


async def cursor_of_page(db: Database, f: PostFilter, limit: int, page: int) -> int | None:
    """The post that `page` of a listing starts after, walked with moot's own listing."""
    cursor: int | None = None
    async with db.connection() as conn:
        for _ in range(page - 1):
            rows = await list_posts(conn, f, 1, limit, cursor)
            if not rows:
                return None
            cursor = int(rows[-1]["id"])
    return cursor


async def plans(db: Database, limit: int, big_post: int, subscriber: int) -> list[Plan]:
    """Page 1 and page 50 of every post sort, for All and for a member's Subscribed, then
    the comment tree."""
    out = []
    listings = (("", anonymous_filter), ("Subscribed ", lambda s: subscribed_filter(s, subscriber)))
    for prefix, make in listings:
        for sort in get_args(SortType):
            f = make(sort)
            for label, page in (("page 1", 1), ("page 50", 50)):
                cursor = await cursor_of_page(db, f, limit, page) if page > 1 else None
                if page > 1 and cursor is None:
                    continue
                async with db.connection() as conn:
                    capture = CaptureConnection(db.dialect_name, conn)
                    await list_posts(capture, f, 1, limit, cursor)
                name = f"post/list {prefix}{sort} {label}"
                out.append(await explain(db, name, capture.statements[0]))
    capture = CaptureConnection(db.dialect_name)
    tree = CommentFilter(sort="Hot", listing_type="All", post_id=big_post, max_depth=8)
    # What GET /comment/list runs: the page with each comment's own surroundings.
    await list_comments_around(capture, tree, 1, 10, COMMENT_COLUMNS, PERSON_COLUMNS)
    out.append(await explain(db, "comment/list post_id max_depth=8", capture.statements[0]))
    return out


# The run ----------------------------------------------------------------------------------


async def dataset_facts(db: Database) -> dict[str, Any]:
    async with db.connection() as conn:
        big = await conn.scalar(
            sa.select(m.post.c.id).where(m.post.c.name == BIG_THREAD_NAME).limit(1)
        )
        if big is None:
            raise SystemExit("no big thread post: fill the database with bench/generate.py")
        person = await conn.fetch_one(
            sa.select(m.person.c.name, m.person.c.post_count, m.person.c.comment_count)
            .where(m.person.c.post_count > 0)
            .order_by((m.person.c.post_count + m.person.c.comment_count).desc())
            .limit(1)
        )
        assert person is not None
        post_ids = [
            int(r["id"])
            for r in await conn.fetch_all(
                sa.select(m.post.c.id).where(m.post.c.id != big).order_by(m.post.c.id)
            )
        ]
        counts = {}
        for t in (m.person, m.community, m.post, m.comment, m.post_like, m.comment_like):
            counts[t.name] = int(await conn.scalar(sa.select(sa.func.count()).select_from(t)))
        big_comments = await conn.scalar(sa.select(m.post.c.comments).where(m.post.c.id == big))
    return {
        "big_post": int(big),
        "big_post_comments": int(big_comments),
        "user": person["name"],
        "user_posts": int(person["post_count"]),
        "user_comments": int(person["comment_count"]),
        "post_ids": post_ids,
        "counts": counts,
    }


async def walk_to_page(client: httpx.AsyncClient, sort: str, limit: int, page: int) -> str | None:
    """Follow next_page from page 1; the cursor that gives page `page` (None: no such page)."""
    cursor = None
    seen: list[int] = []
    for _ in range(page - 1):
        params: dict[str, Any] = {"type_": "All", "sort": sort, "limit": limit}
        if cursor is not None:
            params["page_cursor"] = cursor
        response = await client.get("/post/list", params=params)
        response.raise_for_status()
        body = response.json()
        seen += [p["post"]["id"] for p in body["posts"]]
        cursor = body.get("next_page")
        if cursor is None or len(body["posts"]) < limit:
            console.print(f"[yellow]{sort}: the listing has fewer than {page} pages")
            return None
    if len(seen) != len(set(seen)):
        raise RuntimeError(f"{sort}: the cursor walk repeated posts")
    return cursor


async def lift_rate_limits(
    client: httpx.AsyncClient, name: str = ADMIN_NAME, password: str = ADMIN_PASSWORD
) -> dict[str, str]:
    """Log in as the admin (the bench's, by default) and raise every rate limit; the
    admin's auth header."""
    login = await client.post("/user/login", json={"username_or_email": name, "password": password})
    login.raise_for_status()
    auth = {"Authorization": f"Bearer {login.json()['jwt']}"}
    unlimited: dict[str, int] = {}
    for bucket in ("message", "post", "register", "image", "comment", "search"):
        unlimited[f"rate_limit_{bucket}"] = 10_000_000
        unlimited[f"rate_limit_{bucket}_per_second"] = 1
    # A fresh site is RequireApplication without a question, and moot refuses any
    # site edit until one is given (Lemmy's schema has a default question).
    settings = {**unlimited, "application_question": "Why do you want to join?"}
    edited = await client.put("/site", json=settings, headers=auth)
    if edited.status_code != 200:
        raise RuntimeError(f"raising the rate limits failed: {edited.text}")
    return auth


async def measure_api(args: argparse.Namespace, facts: dict[str, Any]) -> list[Result]:
    """Every timed request, against a real `moot serve` started for the run."""
    server = Server(args.database_url, args.port or free_port())
    results: list[Result] = []
    n, conc, limit = args.requests, args.concurrency, args.limit
    try:
        server.start()
        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
        async with httpx.AsyncClient(base_url=server.api, limits=limits, timeout=60) as client:
            auth = await lift_rate_limits(client)

            for sort in SORTS:
                params = {"type_": "All", "sort": sort, "limit": limit}

                async def first_page(
                    c: httpx.AsyncClient, i: int, params: dict[str, Any] = params
                ) -> httpx.Response:
                    return await c.get("/post/list", params=params)

                results.append(
                    await measure(f"post/list {sort} page 1", first_page, client, n, conc)
                )
            for sort in SORTS:
                cursor = await walk_to_page(client, sort, limit, 50)
                if cursor is None:
                    continue
                params = {"type_": "All", "sort": sort, "limit": limit, "page_cursor": cursor}

                async def deep_page(
                    c: httpx.AsyncClient, i: int, params: dict[str, Any] = params
                ) -> httpx.Response:
                    return await c.get("/post/list", params=params)

                results.append(
                    await measure(f"post/list {sort} page 50 (cursor)", deep_page, client, n, conc)
                )

            tree = {"post_id": facts["big_post"], "max_depth": 8, "type_": "All"}

            async def comment_tree(c: httpx.AsyncClient, i: int) -> httpx.Response:
                return await c.get("/comment/list", params=tree)

            results.append(
                await measure(
                    f"comment/list {facts['big_post_comments']}-comment post, max_depth=8",
                    comment_tree,
                    client,
                    max(20, n // 4),
                    conc,
                )
            )

            async def user(c: httpx.AsyncClient, i: int) -> httpx.Response:
                return await c.get("/user", params={"username": facts["user"]})

            results.append(await measure("user?username=", user, client, n, conc))

            async def site(c: httpx.AsyncClient, i: int) -> httpx.Response:
                return await c.get("/site")

            results.append(await measure("site (anonymous)", site, client, max(20, n // 4), conc))

            rng = random.Random(7)
            post_ids: list[int] = facts["post_ids"]

            async def create_comment(c: httpx.AsyncClient, i: int) -> httpx.Response:
                body = {"post_id": rng.choice(post_ids), "content": f"Benchmark comment {i}."}
                return await c.post("/comment", json=body, headers=auth)

            results.append(
                await measure("POST comment (logged in)", create_comment, client, n // 2, conc)
            )

            async def like_post(c: httpx.AsyncClient, i: int) -> httpx.Response:
                body = {"post_id": rng.choice(post_ids), "score": rng.choice((1, -1))}
                return await c.post("/post/like", json=body, headers=auth)

            results.append(await measure("POST post/like (logged in)", like_post, client, n, conc))
    finally:
        server.stop()

    return results


async def run(args: argparse.Namespace) -> dict[str, Any]:
    db = Database(args.database_url)
    await db.connect(size=2)
    try:
        facts = await dataset_facts(db)
    finally:
        await db.close()
    console.print(
        f"dataset: {facts['counts']}; big thread post {facts['big_post']} "
        f"({facts['big_post_comments']} comments); user {facts['user']}"
    )
    load_before = os.getloadavg()
    results = [] if args.plans_only else await measure_api(args, facts)
    db = Database(args.database_url)
    await db.connect(size=2)
    try:
        subscriber, followed = await make_subscriber(db)
        console.print(f"Subscribed plans: person {subscriber} follows communities {followed}")
        plan_list = await plans(db, args.limit, facts["big_post"], subscriber)
    finally:
        await db.close()
    for plan in plan_list:
        flag = "[red]SORTS ROWS" if plan.sorted_rows else "[green]index order, stops at limit"
        console.print(f"\n[bold]{plan.name}[/bold] ({plan.db_ms} ms in the database) {flag}")
        console.print(plan.plan, markup=False, highlight=False)
    facts.pop("post_ids")
    return {
        "database": db.dialect_name,
        "limit": args.limit,
        "facts": facts,
        # Other processes on the machine compete for its cores: record how busy it was.
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "results": [asdict(r) for r in results],
        "plans": [asdict(p) for p in plan_list],
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Load average (1, 5, 15 min) before the run: {report['load_average_before']}, "
        f"after: {report['load_average_after']}.",
        "",
        f"| request ({report['database']}, limit {report['limit']}) | p50 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|",
    ]
    for r in report["results"]:
        errors = f" ({r['errors']} errors)" if r["errors"] else ""
        lines.append(f"| {r['name']}{errors} | {r['p50_ms']} | {r['p99_ms']} | {r['rps']} |")
    lines += [
        "",
        f"| plan ({report['database']}) | order | post rows read | ms through the driver |",
        "|---|---|---:|---:|",
    ]
    for p in report["plans"]:
        verdict = "**sorts rows**" if p["sorted_rows"] else "index order"
        read = "—" if p["post_rows_read"] is None else str(p["post_rows_read"])
        lines.append(f"| {p['name']} | {verdict} | {read} | {p['db_ms']} |")
    lines.append("")
    for p in report["plans"]:
        verdict = "**sorts rows (no early stop)**" if p["sorted_rows"] else "index order"
        lines += [
            f"**{p['name']}** — {verdict}, {p['db_ms']} ms per execution through the driver "
            "(median of 20)",
            "",
            "```",
            p["plan"],
            "```",
            "",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--requests", type=int, default=400, help="per read endpoint")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--limit", type=int, default=20, help="posts per page")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument(
        "--plans-only", action="store_true", help="skip the HTTP measurements, print the plans"
    )
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--markdown", type=Path, help="write a markdown table and the plans here")
    args = ap.parse_args(argv)
    report = asyncio.run(run(args))
    table = Table("request", "p50 ms", "p99 ms", "req/s", "errors")
    for r in report["results"]:
        table.add_row(
            r["name"], str(r["p50_ms"]), str(r["p99_ms"]), str(r["rps"]), str(r["errors"])
        )
    console.print(table)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(report) + "\n")


if __name__ == "__main__":
    main()
