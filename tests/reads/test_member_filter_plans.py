"""A member's keyword filters and instance-person blocks keep the post listing's plan: the
same index scan that stops after the page, on both backends, at 10,000 posts.

The filters are checked row by row as the scan goes (moot/db/post_listing.py,
`_no_blocked_keyword`), so the rows read are the page's plus the few posts the filters throw
away; a semi-join or anti-join the planner could cost wrongly (and answer by reading every
post and sorting) is what this test would catch. Each listing is compared with the same
member's before they set any filter.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench import generate
from bench.run import CaptureConnection, Plan, explain
from moot import auth
from moot.actions import instance_blocks, keyword_blocks
from moot.actions.accounts import create_local_user
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.listings import CommentFilter, list_comments
from moot.db.post_listing import PostFilter, list_posts, member_filters
from moot.db.types import utcnow
from tests.conftest import BACKENDS
from tests.servers import drop_database, new_database_url

POSTS = 10_000
COMMENTS = 10_000
LIMIT = 20
KEYWORDS = ["zqxjv", "wvkpq", "100%_x"]  # in no generated post


@pytest.fixture(scope="module", params=BACKENDS)
async def busy(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    folder = Path(tempfile.mkdtemp(prefix="moot-filters-"))
    url = new_database_url(request.param, folder)
    args = ["--database-url", url, "--posts", str(POSTS), "--comments", str(COMMENTS)]
    args += ["--votes", "0"]
    args += ["--persons", "300", "--communities", "12", "--big-thread", "0"]
    try:
        await asyncio.to_thread(generate.main, args)
        db = Database(url)
        await db.connect()
        yield db
        await db.close()
    finally:
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


async def _member(db: Database, name: str) -> auth.Viewer:
    """A new member following four communities, with no filter yet."""
    async with db.transaction() as tx:
        person_id, local_user_id = await create_local_user(
            tx, Settings(hostname="localhost"), name, "not a hash", admin=False
        )
        communities = await tx.fetch_all(sa.select(m.community.c.id).order_by(m.community.c.id))
        for row in communities[:4]:
            await tx.execute(
                sa.insert(m.community_follower).values(
                    community_id=row["id"], person_id=person_id, published=utcnow()
                )
            )
        return await _viewer(tx, person_id, local_user_id)


async def _viewer(conn: Any, person_id: int, local_user_id: int) -> auth.Viewer:
    person = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
    user = await conn.fetch_one(sa.select(m.local_user).where(m.local_user.c.id == local_user_id))
    return auth.Viewer(local_user=user, person=person, token="")


FILTERS = {
    "All Hot": PostFilter(listing_type="All", sort="Hot"),
    "All New": PostFilter(listing_type="All", sort="New"),
    "All TopDay": PostFilter(listing_type="All", sort="TopDay"),
    "Subscribed Active": PostFilter(listing_type="Subscribed", sort="Active"),
}


async def _plan(db: Database, f: PostFilter, community: int | None = None) -> Plan:
    if community is not None:
        f = replace(f, community_id=community)
    capture = CaptureConnection(db.dialect_name)
    await list_posts(capture, f, 1, LIMIT)
    return await explain(db, "listing", capture.statements[0], repeat=1)


def _post_reads(plan: Plan, table: str = "post") -> list[str]:
    """How the plan reads `table`: its scans' lines, without row counts or times."""
    lines = [line.strip() for line in plan.plan.splitlines()]
    reads = [
        line.split("(actual")[0].split("  (")[0]
        for line in lines
        if re.search(rf"\b(SCAN|SEARCH) {table}\b|Scan.* on {table}\b", line)
    ]
    return sorted(reads)


async def test_filters_keep_the_index_scan(busy: Database) -> None:
    viewer = await _member(busy, "filterer")
    async with busy.connection() as conn:
        community = int(await conn.scalar(sa.select(sa.func.min(m.community.c.id))))
        far = int(
            await conn.scalar(
                sa.insert(m.instance)
                .values(domain="far-filters.example", published=utcnow())
                .returning(m.instance.c.id)
            )
        )

    def own(v: auth.Viewer, f: PostFilter) -> PostFilter:
        return replace(
            f,
            viewer_id=v.person_id,
            viewer_local_user_id=v.local_user_id,
            **member_filters(v.local_user),
        )

    before = {
        name: await _plan(busy, own(viewer, f), community if name == "All New" else None)
        for name, f in FILTERS.items()
    }
    async with busy.transaction() as tx:
        await keyword_blocks.set_keyword_blocks(tx, viewer, KEYWORDS)
        await instance_blocks.block_instance_persons(tx, viewer, far, True)
        viewer = await _viewer(tx, viewer.person_id, viewer.local_user_id)
    assert member_filters(viewer.local_user) == {
        "keyword_filtered": True,
        "instance_persons_filtered": True,
    }
    for name, f in FILTERS.items():
        filtered = own(viewer, f)
        after = await _plan(busy, filtered, community if name == "All New" else None)
        # The filters are in the statement…
        assert "local_user_keyword_block" in after.sql, name
        assert "instance_person_block" in after.sql, name
        # …and the plan reads post as it did: the same indexes, nothing more sorted.
        assert _post_reads(after) == _post_reads(before[name]), (
            f"{name}:\n{_post_reads(after)}\n{_post_reads(before[name])}"
        )
        assert after.sorted_rows == before[name].sorted_rows, f"{name}:\n{after.plan}"
        # (A Subscribed feed merges its communities' arms, and a Top sort may sort a small
        # tier: as the same member's listing did before, which is what is compared.)
        if name in ("All Hot", "All New"):
            assert not after.sorted_rows, f"{name}:\n{after.plan}"
        if after.post_rows_read is not None:  # PostgreSQL's EXPLAIN ANALYZE counts
            bound = max(2 * int(before[name].post_rows_read or 0), 4 * LIMIT)
            assert after.post_rows_read <= bound, f"{name}:\n{after.plan}"
        async with busy.connection() as conn:
            assert len(await list_posts(conn, filtered, 1, LIMIT)) == LIMIT, name


async def _comment_plan(db: Database, f: CommentFilter) -> Plan:
    capture = CaptureConnection(db.dialect_name)
    await list_comments(capture, f, 1, LIMIT)
    return await explain(db, "comments", capture.statements[0], repeat=1)


async def test_the_comment_listing_keeps_its_plan(busy: Database) -> None:
    """Blocking an instance's persons adds a primary-key look-up of each comment's creator
    to the comment listings; they read `comment` as they did."""
    viewer = await _member(busy, "commentreader")
    async with busy.connection() as conn:
        thread = int(
            await conn.scalar(
                sa.select(m.comment.c.post_id)
                .group_by(m.comment.c.post_id)
                .order_by(sa.func.count().desc())
                .limit(1)
            )
        )
        far = int(
            await conn.scalar(
                sa.insert(m.instance)
                .values(domain="far-comments.example", published=utcnow())
                .returning(m.instance.c.id)
            )
        )
    listings = {
        "All New": CommentFilter(sort="New", viewer_id=viewer.person_id),
        "All Hot": CommentFilter(sort="Hot", viewer_id=viewer.person_id),
        "thread Hot": CommentFilter(
            sort="Hot", post_id=thread, max_depth=8, viewer_id=viewer.person_id
        ),
    }
    before = {name: await _comment_plan(busy, f) for name, f in listings.items()}
    async with busy.transaction() as tx:
        await instance_blocks.block_instance_persons(tx, viewer, far, True)
    for name, f in listings.items():
        after = await _comment_plan(busy, replace(f, instance_persons_filtered=True))
        assert "instance_person_block" in after.sql, name
        assert _post_reads(after, "comment") == _post_reads(before[name], "comment"), (
            f"{name}:\n{after.plan}\n--- before:\n{before[name].plan}"
        )
        assert after.sorted_rows == before[name].sorted_rows, f"{name}:\n{after.plan}"
