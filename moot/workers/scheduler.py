"""Periodic jobs: hot ranks decay with time, so they are recomputed on a schedule.

Votes and comments already recompute the ranks of the row they touch; this job moves every
other recent row along the clock, like Lemmy's 10-minute refresh.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import sqlalchemy as sa

from moot import ranking
from moot.db import models as m
from moot.db.engine import Database
from moot.db.types import utcnow
from moot.state import Moot

log = logging.getLogger("moot.scheduler")
BATCH = 1000


async def refresh_ranks(db: Database) -> int:
    """Recompute hot ranks of posts and comments younger than the rank window."""
    now = utcnow()
    since = now - ranking.HOT_RANK_WINDOW - timedelta(hours=1)
    p, c = m.post.c, m.comment.c
    changed = 0
    last_id = 0
    while True:
        async with db.transaction() as tx:
            rows = await tx.fetch_all(
                sa.select(
                    p.id,
                    p.score,
                    p.published,
                    p.newest_comment_time_necro,
                    m.community.c.users_active_month,
                )
                .join(m.community, m.community.c.id == p.community_id)
                .where(
                    p.id > last_id,
                    sa.or_(
                        p.published > since,
                        p.newest_comment_time_necro > since,
                        p.hot_rank != 0,
                        p.hot_rank_active != 0,
                    ),
                )
                .order_by(p.id)
                .limit(BATCH)
            )
            for row in rows:
                score = int(row["score"])
                await tx.execute(
                    sa.update(m.post)
                    .where(p.id == row["id"])
                    .values(
                        hot_rank=ranking.hot_rank(score, row["published"], now),
                        hot_rank_active=ranking.hot_rank(
                            score, row["newest_comment_time_necro"], now
                        ),
                        scaled_rank=ranking.scaled_rank(
                            score, row["published"], int(row["users_active_month"]), now
                        ),
                    )
                )
        changed += len(rows)
        if len(rows) < BATCH:
            break
        last_id = int(rows[-1]["id"])
    last_id = 0
    while True:
        async with db.transaction() as tx:
            rows = await tx.fetch_all(
                sa.select(c.id, c.score, c.published)
                .where(c.id > last_id, sa.or_(c.published > since, c.hot_rank != 0))
                .order_by(c.id)
                .limit(BATCH)
            )
            for row in rows:
                await tx.execute(
                    sa.update(m.comment)
                    .where(c.id == row["id"])
                    .values(hot_rank=ranking.hot_rank(int(row["score"]), row["published"], now))
                )
        changed += len(rows)
        if len(rows) < BATCH:
            break
        last_id = int(rows[-1]["id"])
    return changed


async def run_scheduler(moot: Moot) -> None:
    interval = moot.settings.rank_refresh_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            changed = await refresh_ranks(moot.db)
            log.info("refreshed ranks of %d posts and comments", changed)
        except Exception:
            log.exception("rank refresh failed; will try again in %d s", interval)
        moot.limiter.collect_garbage()
