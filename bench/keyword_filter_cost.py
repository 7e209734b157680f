"""What a member's keyword filters cost their post listing (docs/benchmarks.md).

    .venv/bin/python -m bench.keyword_filter_cost --backend sqlite --posts 10000

Fills a fresh database (bench/generate.py), makes a member who follows four communities,
and times the database's part of their post listing (20 rows, the SQL moot runs, median of
`--repeat` runs after a warm-up: bench/run.py's `explain`) with 0, 1, 10 and 50 keywords
that match no post, so every listing reads the same rows.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from bench import generate
from bench.run import CaptureConnection, explain
from moot import auth
from moot.actions import keyword_blocks
from moot.actions.accounts import create_local_user
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.post_listing import PostFilter, list_posts, member_filters
from moot.db.types import utcnow
from tests.servers import drop_database, new_database_url

LISTINGS = {
    "All Hot": PostFilter(listing_type="All", sort="Hot"),
    "All New": PostFilter(listing_type="All", sort="New"),
    "Subscribed Active": PostFilter(listing_type="Subscribed", sort="Active"),
}
COUNTS = (0, 1, 10, 50)


async def _viewer(db: Database) -> auth.Viewer:
    async with db.transaction() as tx:
        person_id, local_user_id = await create_local_user(
            tx, Settings(hostname="localhost"), "benchfilter", "not a hash", admin=False
        )
        for row in (await tx.fetch_all(sa.select(m.community.c.id).order_by(m.community.c.id)))[:4]:
            await tx.execute(
                sa.insert(m.community_follower).values(
                    community_id=row["id"], person_id=person_id, published=utcnow()
                )
            )
    return await _reload(db, person_id, local_user_id)


async def _reload(db: Database, person_id: int, local_user_id: int) -> auth.Viewer:
    async with db.connection() as conn:
        person = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
        user = await conn.fetch_one(
            sa.select(m.local_user).where(m.local_user.c.id == local_user_id)
        )
    assert person is not None and user is not None
    return auth.Viewer(local_user=user, person=person, token="")


async def measure(url: str, repeat: int) -> dict[tuple[str, int], float]:
    db = Database(url)
    await db.connect()
    try:
        viewer = await _viewer(db)
        found: dict[tuple[str, int], float] = {}
        for count in COUNTS:
            async with db.transaction() as tx:
                words = [f"nomatch{n:02d}qz" for n in range(count)]
                await keyword_blocks.set_keyword_blocks(tx, viewer, words)
            viewer = await _reload(db, viewer.person_id, viewer.local_user_id)
            for name, f in LISTINGS.items():
                mine = replace(
                    f,
                    viewer_id=viewer.person_id,
                    viewer_local_user_id=viewer.local_user_id,
                    **member_filters(viewer.local_user),
                )
                capture = CaptureConnection(db.dialect_name)
                await list_posts(capture, mine, 1, 20)
                plan = await explain(db, name, capture.statements[0], repeat=repeat)
                found[(name, count)] = plan.db_ms or 0.0
        return found
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="moot-kwbench-"))
    url = new_database_url(args.backend, folder)
    try:
        sizes = ["--posts", str(args.posts), "--comments", "0", "--votes", "0"]
        sizes += ["--persons", "500", "--communities", "20", "--big-thread", "0"]
        generate.main(["--database-url", url, *sizes])
        found = asyncio.run(measure(url, args.repeat))
    finally:
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"| listing ({args.backend}, {args.posts} posts) | " + " | ".join(map(str, COUNTS)))
    for name in LISTINGS:
        cells = " | ".join(f"{found[(name, c)]:.3f} ms" for c in COUNTS)
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
