"""The logged-in post listing keeps its plan when the statistics are stale (PostgreSQL).

A member created after the last ANALYZE (a new member on a busy instance; or any member
with autovacuum off) has `local_user_language` rows the statistics know nothing of. The
language filter was a semi-join, and with those statistics PostgreSQL chose to read every
post, join, and sort (on main before this test: a Seq Scan of 20,000 posts and a Sort,
180 ms, against an index scan that stops after the page). The plan must read at most twice
the page's rows from `post`, whatever the statistics say.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench import generate
from bench.run import CaptureConnection
from moot.actions.accounts import create_local_user
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.post_listing import PostFilter, list_posts
from tests.servers import drop_database, new_database_url

POSTS = 20_000
LIMIT = 20
# Tables whose statistics the listing's plan depends on: none of them is analyzed again.
FROZEN = ("post", "community", "person", "local_user", "local_user_language", "language")


@pytest.fixture(scope="module")
async def busy() -> AsyncIterator[Database]:
    """A PostgreSQL database with POSTS posts, analyzed, then autovacuum off."""
    folder = Path(tempfile.mkdtemp(prefix="moot-stale-"))
    url = new_database_url("postgresql", folder)
    args = ["--database-url", url, "--posts", str(POSTS), "--comments", "0", "--votes", "0"]
    args += ["--persons", "500", "--communities", "20", "--big-thread", "0"]
    try:
        await asyncio.to_thread(generate.main, args)  # ends with VACUUM ANALYZE
        db = Database(url)
        await db.connect()
        async with db.connection() as conn:
            for table in FROZEN:
                await conn.execute(sa.text(f"ALTER TABLE {table} SET (autovacuum_enabled = off)"))
        yield db
        await db.close()
    finally:
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


def _post_rows_read(node: dict[str, Any]) -> int:
    """Rows the scans of `post` in this plan returned or threw away, over all their loops."""
    total = 0
    if node.get("Relation Name") == "post":
        loops = int(node.get("Actual Loops", 1))
        kept = int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
        total += kept * loops
    for child in node.get("Plans", []):
        total += _post_rows_read(child)
    return total


def _node_types(node: dict[str, Any]) -> list[tuple[str, str | None]]:
    found = [(str(node["Node Type"]), node.get("Relation Name"))]
    for child in node.get("Plans", []):
        found += _node_types(child)
    return found


async def test_a_member_newer_than_the_statistics_gets_an_index_scan(busy: Database) -> None:
    async with busy.transaction() as tx:
        person_id, local_user_id = await create_local_user(
            tx, Settings(hostname="localhost"), "latecomer", "not a hash", admin=False
        )
    assert await _statistics_behind(busy), "the statistics must not know the new member"
    capture = CaptureConnection("postgresql")
    viewer = PostFilter(
        listing_type="All", sort="Hot", viewer_id=person_id, viewer_local_user_id=local_user_id
    )
    await list_posts(capture, viewer, 1, LIMIT)
    sql, values, _ = busy._compiler.prepare(*capture.statements[0])
    async with busy.connection() as conn:
        raw: Any = conn._conn  # type: ignore[attr-defined]
        answer = await raw.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *values)
        shown = await raw.fetch(sql, *values)
    plan = json.loads(answer)[0]["Plan"]
    nodes = _node_types(plan)
    assert len(shown) == LIMIT
    assert ("Seq Scan", "post") not in nodes, nodes
    assert _post_rows_read(plan) <= 2 * LIMIT, nodes


async def _statistics_behind(db: Database) -> bool:
    """Whether the planner's row count of `local_user_language` (set by the last ANALYZE or
    VACUUM) is below the rows the table holds."""
    async with db.connection() as conn:
        known = await conn.scalar(
            sa.select(sa.column("reltuples"))
            .select_from(sa.table("pg_class"))
            .where(sa.column("relname") == "local_user_language")
        )
        rows = await conn.scalar(sa.select(sa.func.count()).select_from(m.local_user_language))
    return float(known) < int(rows)


@pytest.mark.parametrize("signed_in", [False, True])
async def test_a_top_sort_settles_on_its_generic_plan(busy: Database, signed_in: bool) -> None:
    """A windowed Top sort, prepared as asyncpg prepares every statement, is planned once
    per connection: PostgreSQL takes its generic plan after the first five runs. With the
    arms' tiers bound as parameters the generic plan cost more than the custom plans, and
    every run was planned again, from the window's estimate (at 100k posts: 5 ms of
    planning, and 3,183 rows read and sorted, for a member's TopDay page 1)."""
    viewer: dict[str, Any] = {}
    if signed_in:
        async with busy.transaction() as tx:
            person_id, local_user_id = await create_local_user(
                tx, Settings(hostname="localhost"), "topreader", "not a hash", admin=False
            )
        viewer = {"viewer_id": person_id, "viewer_local_user_id": local_user_id}
    capture = CaptureConnection("postgresql")
    await list_posts(capture, PostFilter(listing_type="All", sort="TopDay", **viewer), 1, LIMIT)
    sql, values, _ = busy._compiler.prepare(*capture.statements[0])
    async with busy.connection() as conn:
        raw: Any = conn._conn  # type: ignore[attr-defined]
        statement = await raw.prepare(sql)
        for _ in range(7):
            await statement.fetch(*values)
        # The statement run most on this connection: this one.
        plans = await raw.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "ORDER BY generic_plans + custom_plans DESC LIMIT 1"
        )
    assert dict(plans) == {"generic_plans": 2, "custom_plans": 5}
