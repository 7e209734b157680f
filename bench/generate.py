"""Fill an empty moot database with a synthetic forum, for the benchmarks in bench/run.py.

    .venv/bin/python -m bench.generate --database-url URL --posts N --comments N --votes N \
        --persons N --communities N

Migrates the database and bootstraps the site first (as `moot migrate` and the first
`moot serve` do), then writes persons, communities, follows, posts, threaded comments and
votes with bulk writes: asyncpg COPY on PostgreSQL, one prepared INSERT run over all rows of
a table in one transaction (sqlite3 `executemany`) on SQLite. Every counter and rank is
computed in Python while generating, so the rows are what moot's actions would have written;
`--verify` runs `moot.db.recount.recount` afterwards and fails if it had to change any row.

Times are spread over the last 30 days. One post gets exactly `--big-thread` comments (5000
by default) for the comment-tree benchmark; it is named BIG_THREAD_NAME.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from moot import ranking
from moot.actions.bootstrap import bootstrap
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.migrate import upgrade
from moot.db.paths import segment
from moot.db.recount import recount

BIG_THREAD_NAME = "Benchmark thread with many comments"
DAY = 86_400.0
SPAN = 30 * DAY  # content is published over the last 30 days
CHUNK = 50_000  # rows per COPY / executemany call (progress granularity)
OTHER_THREAD_CAP = 4_000  # no other post gets this many comments, so the big one is unique

console = Console()
TimeValue = Any  # datetime on PostgreSQL, SQLAlchemy's text format on SQLite
Record = Sequence[Any]


def sqlite_time(ts: float) -> str:
    """The text moot stores on SQLite: UtcDateTime's naive UTC in SQLAlchemy's format.

    Generated rows must match it exactly, or keyset cursors compare unequal at the cursor
    row itself.
    """
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def pg_time(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@dataclass
class Table:
    """Rows for one table, in the order of `columns`."""

    table: sa.Table
    columns: list[str]
    rows: list[Any] = field(default_factory=list)  # tuples, or lists filled in later


@dataclass
class Sizes:
    persons: int
    communities: int
    posts: int
    comments: int
    votes: int
    post_vote_share: float
    big_thread: int
    follows_per_person: int


def spread(
    total: int, weights: Sequence[float], caps: Sequence[int], rng: random.Random
) -> list[int]:
    """Split `total` into len(weights) integers proportional to weights, each ≤ its cap."""
    n = len(weights)
    counts = [0] * n
    remaining = total
    active = [i for i in range(n) if caps[i] > 0]
    while remaining > 0 and active:
        wsum = sum(weights[i] for i in active)
        given = 0
        for i in active:
            share = int(remaining * weights[i] / wsum)
            share = min(share, caps[i] - counts[i])
            counts[i] += share
            given += share
        remaining -= given
        active = [i for i in active if counts[i] < caps[i]]
        if given == 0:  # the rest one by one, at random, to items with room left
            while remaining > 0 and active:
                i = rng.choice(active)
                counts[i] += 1
                remaining -= 1
                if counts[i] >= caps[i]:
                    active.remove(i)
    return counts


class Generator:
    def __init__(
        self,
        sizes: Sizes,
        *,
        origin: str,
        instance_id: int,
        first_ids: dict[str, int],
        to_time: Callable[[float], TimeValue],
        seed: int,
        progress: Progress,
    ) -> None:
        self.s = sizes
        self.origin = origin
        self.instance_id = instance_id
        self.first = first_ids
        self.t = to_time
        self.rng = random.Random(seed)
        self.progress = progress
        self.now_dt = datetime.now(UTC)
        self.now = self.now_dt.timestamp()

    def run(self) -> list[Table]:
        rng, s = self.rng, self.s
        now = self.now
        p0, c0, pe0, cm0 = (
            self.first["post"],
            self.first["comment"],
            self.first["person"],
            self.first["community"],
        )
        persons = list(range(pe0, pe0 + s.persons))
        communities = list(range(cm0, cm0 + s.communities))
        person_published = [now - SPAN - rng.random() * 60 * DAY for _ in persons]
        community_published = [now - SPAN - rng.random() * 60 * DAY for _ in communities]

        # Per-person and per-community counters, indexed from 0.
        person_posts = [0] * s.persons
        person_post_score = [0] * s.persons
        person_comments = [0] * s.persons
        person_comment_score = [0] * s.persons
        community_posts = [0] * s.communities
        community_comments = [0] * s.communities
        community_active: list[set[int]] = [set() for _ in communities]

        # Follows: each person follows a few communities, big ones more often.
        task = self.progress.add_task("follows", total=s.persons)
        community_weight = [1.0 / (i + 1) ** 0.8 for i in range(s.communities)]
        cum_weight = list(itertools.accumulate(community_weight))
        follows = Table(m.community_follower, ["community_id", "person_id", "published"])
        subscribers = [0] * s.communities
        for pi, person_id in enumerate(persons):
            k = min(s.follows_per_person, s.communities)
            chosen: set[int] = set()
            while len(chosen) < k:
                chosen.add(rng.choices(range(s.communities), cum_weights=cum_weight)[0])
            for ci in chosen:
                subscribers[ci] += 1
                when = max(person_published[pi], community_published[ci]) + rng.random() * DAY
                follows.rows.append((communities[ci], person_id, self.t(when)))
            if pi % 10_000 == 0:
                self.progress.update(task, completed=pi)
        self.progress.update(task, completed=s.persons)

        # Posts: creators and communities skewed, times uniform over the span.
        task = self.progress.add_task("posts + comments + votes (in memory)", total=s.posts)
        post_community = rng.choices(range(s.communities), cum_weights=cum_weight, k=s.posts)
        post_creator = [rng.randrange(s.persons) for _ in range(s.posts)]
        post_published = sorted(now - rng.random() * SPAN for _ in range(s.posts))
        # The big thread: a post from about half a day ago, so it is also on the front page.
        big = min(range(s.posts), key=lambda i: abs(post_published[i] - (now - DAY / 2)))
        big = big if s.comments >= s.big_thread and s.big_thread > 0 else -1

        weights = [rng.paretovariate(1.3) for _ in range(s.posts)]
        caps = [min(OTHER_THREAD_CAP - 1, s.comments)] * s.posts
        rest = s.comments
        if big >= 0:
            weights[big], caps[big] = 0.0, 0
            rest -= s.big_thread
        comment_counts = spread(rest, weights, caps, rng)
        if big >= 0:
            comment_counts[big] = s.big_thread

        post_votes_total = min(round(s.votes * s.post_vote_share), s.posts * s.persons)
        vote_weights = [rng.paretovariate(1.2) for _ in range(s.posts)]
        post_vote_counts = spread(post_votes_total, vote_weights, [s.persons] * s.posts, rng)
        comment_votes_total = min(s.votes - post_votes_total, s.comments * s.persons)
        # Comment votes go to comments in proportion to per-comment weights drawn below.
        comment_vote_rate = comment_votes_total / max(1, s.comments)

        posts = Table(
            m.post,
            [
                "id",
                "name",
                "body",
                "body_html",
                "creator_id",
                "community_id",
                "published",
                "ap_id",
                "instance_id",
                "featured_local",
                "comments",
                "score",
                "upvotes",
                "downvotes",
                "newest_comment_time",
                "newest_comment_time_necro",
                "hot_rank",
                "hot_rank_active",
                "scaled_rank",
                "controversy_rank",
                "age_tier",
            ],
        )
        comments = Table(
            m.comment,
            [
                "id",
                "creator_id",
                "post_id",
                "content",
                "content_html",
                "published",
                "ap_id",
                "path",
                "depth",
                "score",
                "upvotes",
                "downvotes",
                "child_count",
                "hot_rank",
                "controversy_rank",
            ],
        )
        post_likes = Table(m.post_like, ["post_id", "person_id", "score", "published"])
        comment_likes = Table(
            m.comment_like, ["comment_id", "person_id", "post_id", "score", "published"]
        )
        post_scores: list[tuple[int, float, int]] = []  # (score, necro, community index)
        comment_id = c0
        comment_votes_left = comment_votes_total
        comments_left = s.comments
        necro_window = ranking.NECRO_WINDOW.total_seconds()
        for i in range(s.posts):
            post_id = p0 + i
            published = post_published[i]
            creator = post_creator[i]
            ci = post_community[i]
            person_posts[creator] += 1
            community_posts[ci] += 1
            if now - published < SPAN:
                community_active[ci].add(creator)

            # Votes on the post: distinct voters, a per-post leaning.
            up_share = rng.choice((0.97, 0.9, 0.8, 0.65, 0.5))
            voters = rng.sample(range(s.persons), post_vote_counts[i])
            up = down = 0
            for voter in voters:
                score = 1 if rng.random() < up_share else -1
                if score == 1:
                    up += 1
                else:
                    down += 1
                when = published + rng.random() * (now - published)
                post_likes.rows.append((post_id, persons[voter], score, self.t(when)))
            score = up - down
            person_post_score[creator] += score

            # The thread: sorted times, each reply's parent an earlier comment of the post.
            n = comment_counts[i]
            times = sorted(published + rng.random() * (now - published) for _ in range(n))
            first_id = comment_id
            paths: list[str] = []
            parents: list[int] = []
            newest = published
            necro = published
            rows_start = len(comments.rows)
            for j in range(n):
                cid = comment_id
                comment_id += 1
                if j == 0 or rng.random() < 0.25:
                    parent = -1
                    path = segment(cid)
                else:
                    parent = rng.randrange(j)
                    path = paths[parent] + segment(cid)
                paths.append(path)
                parents.append(parent)
                commenter = rng.randrange(s.persons)
                at = times[j]
                newest = max(newest, at)
                if commenter != creator and at - published < necro_window:
                    necro = max(necro, at)
                person_comments[commenter] += 1
                if now - at < SPAN:
                    community_active[ci].add(commenter)
                # Votes: Poisson-ish around the mean rate, more for early comments.
                rate = comment_vote_rate * (2.0 if j < n / 4 else 0.67)
                k = min(int(rng.expovariate(1 / rate) + 0.5) if rate > 0 else 0, s.persons)
                k = min(k, comment_votes_left)
                if comments_left <= 1:
                    k = min(comment_votes_left, s.persons)  # the last comment takes the rest
                comments_left -= 1
                comment_votes_left -= k
                c_up = c_down = 0
                lean = rng.choice((0.95, 0.85, 0.7, 0.5))
                for voter in rng.sample(range(s.persons), k):
                    v = 1 if rng.random() < lean else -1
                    if v == 1:
                        c_up += 1
                    else:
                        c_down += 1
                    when = at + rng.random() * (now - at)
                    comment_likes.rows.append((cid, persons[voter], post_id, v, self.t(when)))
                c_score = c_up - c_down
                person_comment_score[commenter] += c_score
                comments.rows.append(
                    [
                        cid,
                        persons[commenter],
                        post_id,
                        f"Comment {cid} on post {post_id}.",
                        f"<p>Comment {cid} on post {post_id}.</p>\n",
                        self.t(at),
                        f"{self.origin}/comment/{cid}",
                        path,
                        len(path) // 10 - 1,
                        c_score,
                        c_up,
                        c_down,
                        0,
                        ranking.hot_rank(
                            c_score, self.now_dt - timedelta(seconds=now - at), self.now_dt
                        ),
                        ranking.controversy_rank(c_up, c_down),
                    ]
                )
            # child_count: every descendant, as counters.comment_counted keeps it.
            child = [0] * n
            for j in range(n - 1, -1, -1):
                if parents[j] >= 0:
                    child[parents[j]] += child[j] + 1
            for j in range(n):
                comments.rows[rows_start + j][12] = child[j]
            assert comment_id - first_id == n
            community_comments[ci] += n

            posts.rows.append(
                [
                    post_id,
                    BIG_THREAD_NAME if i == big else f"Post {post_id}: a synthetic title",
                    f"Body of post {post_id}.",
                    f"<p>Body of post {post_id}.</p>\n",
                    persons[creator],
                    communities[ci],
                    self.t(published),
                    f"{self.origin}/post/{post_id}",
                    self.instance_id,
                    False,
                    n,
                    score,
                    up,
                    down,
                    self.t(newest),
                    self.t(necro),
                    0.0,
                    0.0,
                    0.0,
                    ranking.controversy_rank(up, down),
                    ranking.age_tier(self.now_dt - timedelta(seconds=now - published), self.now_dt),
                ]
            )
            post_scores.append((score, necro, ci))
            if i % 1000 == 0:
                self.progress.update(task, completed=i)
        self.progress.update(task, completed=s.posts)

        # Ranks that depend on community activity, now that it is known.
        users_month = [len(a) for a in community_active]
        for i, row in enumerate(posts.rows):
            score, necro, ci = post_scores[i]
            published_dt = self.now_dt - timedelta(seconds=now - post_published[i])
            necro_dt = self.now_dt - timedelta(seconds=now - necro)
            row[16] = ranking.hot_rank(score, published_dt, self.now_dt)
            row[17] = ranking.hot_rank(score, necro_dt, self.now_dt)
            row[18] = ranking.scaled_rank(score, published_dt, users_month[ci], self.now_dt)

        person_table = Table(
            m.person,
            [
                "id",
                "name",
                "display_name",
                "actor_id",
                "inbox_url",
                "instance_id",
                "published",
                "post_count",
                "post_score",
                "comment_count",
                "comment_score",
            ],
        )
        for pi, person_id in enumerate(persons):
            actor = f"{self.origin}/u/user{person_id}"
            person_table.rows.append(
                (
                    person_id,
                    f"user{person_id}",
                    f"User {person_id}",
                    actor,
                    f"{actor}/inbox",
                    self.instance_id,
                    self.t(person_published[pi]),
                    person_posts[pi],
                    person_post_score[pi],
                    person_comments[pi],
                    person_comment_score[pi],
                )
            )
        community_table = Table(
            m.community,
            [
                "id",
                "name",
                "title",
                "description",
                "actor_id",
                "inbox_url",
                "followers_url",
                "instance_id",
                "published",
                "subscribers",
                "subscribers_local",
                "posts",
                "comments",
                "users_active_day",
                "users_active_week",
                "users_active_month",
                "users_active_half_year",
            ],
        )
        for ci, community_id in enumerate(communities):
            actor = f"{self.origin}/c/community{community_id}"
            community_table.rows.append(
                (
                    community_id,
                    f"community{community_id}",
                    f"Community {community_id}",
                    f"Synthetic community {community_id}.",
                    actor,
                    f"{actor}/inbox",
                    f"{actor}/followers",
                    self.instance_id,
                    self.t(community_published[ci]),
                    subscribers[ci],
                    subscribers[ci],
                    community_posts[ci],
                    community_comments[ci],
                    users_month[ci] // 30,
                    users_month[ci] // 4,
                    users_month[ci],
                    users_month[ci],
                )
            )
        self.big_post_id = p0 + big if big >= 0 else None
        return [person_table, community_table, follows, posts, comments, post_likes, comment_likes]


# Writing ----------------------------------------------------------------------------------


def chunks(rows: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def write_postgres(url: str, tables: list[Table], progress: Progress) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET synchronous_commit = off")
        async with conn.transaction():
            for t in tables:
                task = progress.add_task(f"COPY {t.table.name}", total=len(t.rows))
                for part in chunks(t.rows, CHUNK):
                    await conn.copy_records_to_table(t.table.name, records=part, columns=t.columns)
                    progress.advance(task, len(part))
            for name in ("person", "community", "community_follower", "post", "comment"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {name}))"
                )
        task = progress.add_task("VACUUM ANALYZE", total=None)
        await conn.execute("VACUUM ANALYZE")
        progress.update(task, total=1, completed=1)
    finally:
        await conn.close()


def write_sqlite(path: Path, tables: list[Table], progress: Progress, analyze: bool) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-2000000")  # 2 GB of page cache while building indexes
        db.execute("BEGIN")
        for t in tables:
            task = progress.add_task(f"INSERT {t.table.name}", total=len(t.rows))
            sql = (
                f"INSERT INTO {t.table.name} ({', '.join(t.columns)}) "
                f"VALUES ({', '.join('?' * len(t.columns))})"
            )
            for part in chunks(t.rows, CHUNK):
                db.executemany(sql, part)
                progress.advance(task, len(part))
        db.execute("COMMIT")
        if analyze:
            db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


# Setup ------------------------------------------------------------------------------------


def recreate(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.split(":///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return

    async def go() -> None:
        base, name = url.rsplit("/", 1)
        conn = await asyncpg.connect(f"{base}/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(go())


async def prepare(url: str, settings: Settings) -> tuple[int, dict[str, int]]:
    """Bootstrap the site; the local instance id and the first free id of each table."""
    db = Database(url)
    await db.connect(size=2)
    try:
        await bootstrap(db, settings)
        async with db.connection() as conn:
            if await conn.scalar(sa.select(sa.func.count()).select_from(m.post)):
                raise SystemExit("the database already has posts: give an empty one")
            instance_id = await conn.scalar(
                sa.select(m.instance.c.id).where(m.instance.c.domain == settings.hostname)
            )
            first: dict[str, int] = {}
            for t in (m.person, m.community, m.post, m.comment):
                first[t.name] = (
                    int(await conn.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))) or 0)
                    + 1
                )
        return int(instance_id), first
    finally:
        await db.close()


async def verify(url: str) -> tuple[int, float]:
    db = Database(url)
    await db.connect(size=2)
    try:
        start = time.perf_counter()
        changed = await recount(db)
        return changed, time.perf_counter() - start
    finally:
        await db.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--database-url", required=True, help="postgresql://… or sqlite:///path")
    ap.add_argument("--posts", type=int, default=2_000)
    ap.add_argument("--comments", type=int, default=20_000)
    ap.add_argument("--votes", type=int, default=100_000)
    ap.add_argument("--persons", type=int, default=2_000)
    ap.add_argument("--communities", type=int, default=50)
    ap.add_argument("--post-vote-share", type=float, default=0.4, help="of --votes, on posts")
    ap.add_argument("--big-thread", type=int, default=5_000, help="comments on the big post")
    ap.add_argument("--follows-per-person", type=int, default=3)
    ap.add_argument("--hostname", default="localhost", help="as MOOT_HOSTNAME of the server")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--recreate", action="store_true", help="drop and create the database first")
    ap.add_argument("--verify", action="store_true", help="run recount after; it must change 0")
    ap.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="run ANALYZE on SQLite (moot itself never does)",
    )
    ap.add_argument("--summary", type=Path, help="write sizes and timings to this JSON file")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url: str = args.database_url
    sizes = Sizes(
        persons=args.persons,
        communities=args.communities,
        posts=args.posts,
        comments=args.comments,
        votes=args.votes,
        post_vote_share=args.post_vote_share,
        big_thread=args.big_thread,
        follows_per_person=args.follows_per_person,
    )
    if min(sizes.persons, sizes.communities, sizes.posts) < 1:
        raise SystemExit("--persons, --communities and --posts must be at least 1")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if args.recreate:
        recreate(url)
    upgrade(url)
    settings = Settings(database_url=url, hostname=args.hostname, run_workers=False)
    instance_id, first = asyncio.run(prepare(url, settings))
    timings["migrate_and_bootstrap"] = time.perf_counter() - started

    postgres = url.startswith("postgres")
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        step = time.perf_counter()
        gen = Generator(
            sizes,
            origin=settings.origin,
            instance_id=instance_id,
            first_ids=first,
            to_time=pg_time if postgres else sqlite_time,
            seed=args.seed,
            progress=progress,
        )
        tables = gen.run()
        timings["generate_in_python"] = time.perf_counter() - step
        step = time.perf_counter()
        if postgres:
            asyncio.run(write_postgres(url, tables, progress))
        else:
            write_sqlite(Path(url.split(":///", 1)[1]), tables, progress, args.sqlite_analyze)
        timings["write"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    rows = {t.table.name: len(t.rows) for t in tables}
    summary: dict[str, Any] = {
        "database": "postgresql" if postgres else "sqlite",
        "rows": rows,
        "big_thread_post_id": gen.big_post_id,
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
        "rows_per_second": round(sum(rows.values()) / timings["total"]),
        "generated_at": gen.now_dt.isoformat(timespec="seconds"),
    }
    if args.verify:
        changed, seconds = asyncio.run(verify(url))
        summary["recount"] = {"rows_changed": changed, "seconds": round(seconds, 2)}
    console.print_json(json.dumps(summary))
    if args.summary is not None:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(json.dumps(summary, indent=2) + "\n")
    if args.verify and summary["recount"]["rows_changed"]:
        raise SystemExit("recount changed rows: the generated counters are inconsistent")


if __name__ == "__main__":
    main()
