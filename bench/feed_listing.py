"""A multi-community feed of 20 communities, listed at page 1 and page 50 (by cursor), for
its 20 largest and its 20 smallest communities: the rows read stay bounded whatever the
communities' sizes (docs/benchmarks.md, "Multi-community feeds").

    .venv/bin/python -m bench.feed_listing --backend postgresql --posts 100000
    .venv/bin/python -m bench.feed_listing --database-url postgresql://…/moot_bench

Fills a fresh database (bench/generate.py) unless `--database-url` names one already
filled, makes two feeds (moot/actions/multi_communities.py's tables, written directly),
then for each sort walks to page 50 with moot's own listing and plans exactly the SQL moot
runs for page 1 and page 50 (bench/run.py's `explain`: `EXPLAIN (ANALYZE, BUFFERS)` on
PostgreSQL, with the rows the scans of `post` read; `EXPLAIN QUERY PLAN` on SQLite), with
its median time in the database. `--plans FILE` writes every plan out.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from bench import generate
from bench.run import CaptureConnection, Plan, cursor_of_page, explain
from moot.db import models as m
from moot.db.engine import Database
from moot.db.post_listing import PostFilter, list_posts
from moot.db.types import utcnow
from tests.servers import drop_database, new_database_url

FEED_SIZE = 20
LIMIT = 20
PAGES = (1, 50)
SORTS = ("Hot", "Active", "New", "Old", "MostComments", "NewComments", "TopAll")
# A small community still holds page 50's posts between the feed's 20: 20 x 60 > 50 x 20.
SMALL_MIN_POSTS = 60


async def make_feeds(db: Database) -> dict[str, tuple[int, int]]:
    """Two feeds: of the 20 largest communities, and of the 20 smallest that hold at least
    SMALL_MIN_POSTS posts. Name → (feed id, posts in its communities)."""
    pc = m.post.c
    sizes = (
        sa.select(pc.community_id, sa.func.count().label("n")).group_by(pc.community_id).subquery()
    )
    made: dict[str, tuple[int, int]] = {}
    async with db.transaction() as tx:
        owner = int(await tx.scalar(sa.select(sa.func.min(m.person.c.id))))
        instance = int(await tx.scalar(sa.select(sa.func.min(m.instance.c.id))))
        choices = {
            "largest": sa.select(sizes).order_by(sizes.c.n.desc(), sizes.c.community_id),
            "smallest": sa.select(sizes)
            .where(sizes.c.n >= SMALL_MIN_POSTS)
            .order_by(sizes.c.n, sizes.c.community_id),
        }
        for name, chosen in choices.items():
            rows = await tx.fetch_all(chosen.limit(FEED_SIZE))
            feed_name = f"bench_{name}"
            await tx.execute(
                sa.delete(m.multi_community).where(m.multi_community.c.name == feed_name)
            )
            feed_id = await tx.scalar(
                sa.insert(m.multi_community)
                .values(
                    creator_id=owner,
                    instance_id=instance,
                    name=feed_name,
                    ap_id=f"http://localhost/m/{feed_name}",
                    published=utcnow(),
                    communities=len(rows),
                )
                .returning(m.multi_community.c.id)
            )
            await tx.execute(
                sa.insert(m.multi_community_entry).values(
                    [
                        {"multi_community_id": feed_id, "community_id": r["community_id"]}
                        for r in rows
                    ]
                )
            )
            made[name] = (int(feed_id), sum(int(r["n"]) for r in rows))
    return made


async def feed_plans(db: Database, feeds: dict[str, tuple[int, int]]) -> list[Plan]:
    out = []
    for name, (feed_id, _) in feeds.items():
        for sort in SORTS:
            f = PostFilter(listing_type="All", sort=sort, multi_community_id=feed_id)
            for page in PAGES:
                cursor = await cursor_of_page(db, f, LIMIT, page) if page > 1 else None
                if page > 1 and cursor is None:
                    continue
                async with db.connection() as conn:
                    capture = CaptureConnection(db.dialect_name, conn)
                    await list_posts(capture, f, 1, LIMIT, cursor)
                label = f"feed of the {FEED_SIZE} {name} {sort} page {page}"
                out.append(await explain(db, label, capture.statements[0]))
    return out


async def measure(url: str) -> tuple[dict[str, tuple[int, int]], list[Plan]]:
    db = Database(url)
    await db.connect()
    try:
        feeds = await make_feeds(db)
        return feeds, await feed_plans(db, feeds)
    finally:
        await db.close()


def report(backend: str, feeds: dict[str, tuple[int, int]], plans: list[Plan]) -> str:
    lines = [
        f"Feeds ({backend}): "
        + ", ".join(
            f"{n}: {posts} posts in its {FEED_SIZE} communities" for n, (_, posts) in feeds.items()
        ),
        "",
        "| listing | post rows read | sorts a scan | db median |",
        "|---|---:|---|---:|",
    ]
    for p in plans:
        read = "-" if p.post_rows_read is None else str(p.post_rows_read)
        lines.append(f"| {p.name} | {read} | {'yes' if p.sorted_rows else 'no'} | {p.db_ms} ms |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    ap.add_argument("--database-url", help="an already generated dataset (kept)")
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--communities", type=int, default=1000)
    ap.add_argument("--plans", type=Path, help="write every plan to this file")
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="moot-feedbench-"))
    url = args.database_url or new_database_url(args.backend, folder)
    try:
        if args.database_url is None:
            sizes = ["--posts", str(args.posts), "--comments", "0", "--votes", "0"]
            sizes += ["--persons", "2000", "--communities", str(args.communities)]
            generate.main(["--database-url", url, *sizes, "--big-thread", "0"])
        feeds, plans = asyncio.run(measure(url))
    finally:
        if args.database_url is None:
            drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(report(backend, feeds, plans))
    if args.plans is not None:
        args.plans.write_text(
            "\n\n".join(f"## {p.name}\n\n{p.sql}\n\n{p.plan}" for p in plans) + "\n"
        )


if __name__ == "__main__":
    main()
