"""Periodic jobs: hot ranks decay with time, so they are recomputed on a schedule (with
them, expired bans are lifted and the image proxy's stale pictures removed); and once a
day, the NodeInfo check of known instances.

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
from sqlalchemy.dialects import postgresql as pg

from moot import ranking
from moot.actions import counters
from moot.actions.bans import clear_expired_bans
from moot.db import models as m
from moot.db.engine import Connection, Database, Row
from moot.db.types import utcnow
from moot.federation.instance_check import check_instances
from moot.media.remote_pictures import ProxyCache
from moot.state import Moot

log = logging.getLogger("moot.scheduler")
BATCH = 1000
_AGE_TIER_JOB = "age_tiers"
_NODEINFO_JOB = "nodeinfo"


async def _refresh_in_batches(
    db: Database,
    table: sa.Table,
    query: sa.Select[Any],
    ranks: Callable[[Row, datetime], dict[str, float]],
    inputs: tuple[str, ...],
    now: datetime,
) -> int:
    """Walk `query`'s rows by id, BATCH at a time, writing `ranks(row, now)` to each.

    A row whose inputs (`inputs`: its score, its activity time) changed since the batch was
    read is left alone: the vote or comment that changed them wrote fresh ranks already,
    and ranks computed from the old score must not overwrite those."""
    done, last_id = 0, 0
    while True:
        async with db.transaction() as tx:
            rows = await tx.fetch_all(
                query.where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
            )
            for row in rows:
                unchanged = [table.c[name] == row[name] for name in inputs]
                await tx.execute(
                    sa.update(table)
                    .where(table.c.id == row["id"], *unchanged)
                    .values(**ranks(row, now))
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
    post_inputs = ("score", "newest_comment_time_necro")
    return await _refresh_in_batches(
        db, m.post, posts, counters.post_time_ranks, post_inputs, now
    ) + await _refresh_in_batches(
        db, m.comment, comments, counters.comment_time_ranks, ("score",), now
    )


def _tier_at(published: sa.ColumnElement[datetime], now: datetime) -> sa.Case[int]:
    """moot.ranking.age_tier as SQL."""
    young = [(published > now - bound, tier) for tier, bound in enumerate(ranking.AGE_TIER_BOUNDS)]
    return sa.case(*young, else_=ranking.OLDEST_TIER)


async def refresh_age_tiers(db: Database) -> int:
    """Move the posts that have left a Top window since the last pass into their older tier.

    Tier 0 is swept whole: it is small (the last hour's posts), and it is where a post lands
    when it was written without its tier. For every later bound, the posts that crossed it
    since the last pass are a range of `published` (on ix_post_site_new), so a pass touches
    only the posts that are due, however large the table. The first pass ever has no lower
    bound and looks at every post once.
    """
    now = utcnow()
    p, runs = m.post.c, m.job_run.c
    bounds = ranking.AGE_TIER_BOUNDS
    async with db.transaction() as tx:
        last = await tx.scalar(sa.select(runs.finished).where(runs.name == _AGE_TIER_JOB))
        due = [sa.and_(p.age_tier == 0, p.published <= now - bounds[0])]
        for tier in range(1, ranking.OLDEST_TIER):
            crossed = [
                p.featured_local.in_([False, True]),  # lets the scan use ix_post_site_new
                p.published <= now - bounds[tier],
                p.age_tier <= tier,
            ]
            if last is not None:
                crossed.append(p.published > last - bounds[tier])
            due.append(sa.and_(*crossed))
        moved = 0
        for condition in due:
            moved += await tx.execute(
                sa.update(m.post).where(condition).values(age_tier=_tier_at(p.published, now))
            )
        await _finish_job(tx, _AGE_TIER_JOB, now)
    return moved


async def _run_jobs(moot: Moot) -> None:
    moved = await refresh_age_tiers(moot.db)
    changed = await refresh_ranks(moot.db)
    log.info("refreshed ranks of %d posts and comments; %d posts changed age tier", changed, moved)


async def _finished(db: Database, job: str) -> datetime | None:
    async with db.connection() as conn:
        last: datetime | None = await conn.scalar(
            sa.select(m.job_run.c.finished).where(m.job_run.c.name == job)
        )
    return last


async def _finish_job(conn: Connection, job: str, finished: datetime) -> None:
    """Remember when `job` last finished: an upsert, since every process runs the
    scheduler and two may finish a pass at the same moment."""
    done = pg.insert(m.job_run).values(name=job, finished=finished)
    await conn.execute(
        done.on_conflict_do_update(
            index_elements=[m.job_run.c.name], set_={"finished": done.excluded.finished}
        )
    )


async def _record(db: Database, job: str, finished: datetime) -> None:
    async with db.transaction() as tx:
        await _finish_job(tx, job, finished)


async def run_instance_checks(moot: Moot) -> None:
    """The NodeInfo check once a day (every few seconds in test mode), counted from the last
    pass, which job_run keeps across restarts."""
    fed = moot.federation
    if fed is None:
        return
    every = timedelta(seconds=5) if fed.test_mode else timedelta(days=1)
    retry = 5.0 if fed.test_mode else 60.0
    while True:
        try:
            last = await _finished(moot.db, _NODEINFO_JOB)
            wait = (last + every - utcnow()).total_seconds() if last is not None else 0.0
            if wait <= 0:
                asked, answered = await check_instances(fed)
                await _record(moot.db, _NODEINFO_JOB, utcnow())
                # Once a day, a line; every few seconds (test mode), only when asked for.
                level = logging.DEBUG if fed.test_mode else logging.INFO
                log.log(level, "NodeInfo check: %d of %d instances answered", answered, asked)
                continue
        except Exception:
            log.exception("the NodeInfo check failed; retrying in %.0f s", retry)
            wait = retry
        await asyncio.sleep(min(wait, every.total_seconds()))


async def run_scheduler(moot: Moot) -> None:
    async with asyncio.TaskGroup() as jobs:
        jobs.create_task(_refresh_loop(moot))
        jobs.create_task(run_instance_checks(moot))


async def _refresh_loop(moot: Moot) -> None:
    interval = moot.settings.rank_refresh_seconds
    try:
        # Posts imported or migrated since the last run all start in tier 0: place them now.
        await refresh_age_tiers(moot.db)
    except Exception:
        log.exception("placing posts in their age tiers failed; the next refresh retries")
    while True:
        await asyncio.sleep(interval)
        try:
            await _run_jobs(moot)
        except Exception:
            log.exception("rank refresh failed; will try again in %d s", interval)
        try:
            lifted = await clear_expired_bans(moot.db)
            if lifted:
                log.info("lifted %d expired bans", lifted)
        except Exception:
            log.exception("clearing expired bans failed; will try again in %d s", interval)
        try:
            pruned = await ProxyCache(moot.settings.image_cache_dir).prune()
            if pruned:
                log.info("removed %d stale pictures from the image proxy's cache", pruned)
        except OSError:
            log.exception("pruning the image cache failed; will try again in %d s", interval)
