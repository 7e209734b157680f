"""Periodic jobs: hot ranks decay with time, so they are recomputed on a schedule.

Votes and comments already recompute the ranks of the row they touch; this job moves every
other recent row along the clock, like Lemmy's 10-minute refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from moot import ranking
from moot.actions import counters
from moot.actions.bans import clear_expired_bans
from moot.db import models as m
from moot.db.engine import Database, Row
from moot.db.types import utcnow
from moot.state import Moot

log = logging.getLogger("moot.scheduler")
BATCH = 1000


async def _refresh_in_batches(
    db: Database,
    table: sa.Table,
    query: sa.Select[Any],
    ranks: Callable[[Row, datetime], dict[str, float]],
    now: datetime,
) -> int:
    """Walk `query`'s rows by id, BATCH at a time, writing `ranks(row, now)` to each."""
    done, last_id = 0, 0
    while True:
        async with db.transaction() as tx:
            rows = await tx.fetch_all(
                query.where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
            )
            for row in rows:
                await tx.execute(
                    sa.update(table).where(table.c.id == row["id"]).values(**ranks(row, now))
                )
        done += len(rows)
        if len(rows) < BATCH:
            return done
        last_id = int(rows[-1]["id"])


async def refresh_ranks(db: Database) -> int:
    """Recompute hot ranks of posts and comments younger than the rank window."""
    now = utcnow()
    since = now - ranking.HOT_RANK_WINDOW - timedelta(hours=1)
    p, c = m.post.c, m.comment.c
    posts = (
        sa.select(
            p.id,
            p.score,
            p.published,
            p.newest_comment_time_necro,
            m.community.c.users_active_month,
        )
        .join(m.community, m.community.c.id == p.community_id)
        .where(
            sa.or_(
                p.published > since,
                p.newest_comment_time_necro > since,
                p.hot_rank != 0,
                p.hot_rank_active != 0,
            )
        )
    )
    comments = sa.select(c.id, c.score, c.published).where(
        sa.or_(c.published > since, c.hot_rank != 0)
    )
    return await _refresh_in_batches(
        db, m.post, posts, counters.post_time_ranks, now
    ) + await _refresh_in_batches(db, m.comment, comments, counters.comment_time_ranks, now)


async def run_scheduler(moot: Moot) -> None:
    interval = moot.settings.rank_refresh_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            changed = await refresh_ranks(moot.db)
            log.info("refreshed ranks of %d posts and comments", changed)
        except Exception:
            log.exception("rank refresh failed; will try again in %d s", interval)
        try:
            lifted = await clear_expired_bans(moot.db)
            if lifted:
                log.info("lifted %d expired bans", lifted)
        except Exception:
            log.exception("clearing expired bans failed; will try again in %d s", interval)
        moot.limiter.collect_garbage()
