"""Lemmy 0.19's rank formulas (reference § 3), as pure functions of their inputs.

The stored rank columns are filled from these, so listings sort the way Lemmy users expect.
`log10` stands for PostgreSQL's `log()`, which is base 10. All datetimes are aware, in UTC.
"""

import math
from datetime import datetime, timedelta

# What a new row's hot ranks start at until the first refresh: just above 0, because the
# refresh job only revisits rows whose rank is not 0, and a new row must not be skipped.
RANK_DEFAULT = 0.0001

# Hot ranks fall to 0 after this and are never refreshed again.
HOT_RANK_WINDOW = timedelta(days=7)

# A comment revives a post on the Active sort only if it comes this soon after the post.
NECRO_WINDOW = timedelta(days=2)

# How far back each Top* sort looks; None means all time. Lemmy uses calendar months and
# years (PostgreSQL intervals); fixed 30-day months and a 365-day year differ by a day or two
# at the window's far edge, which no reader notices and which keeps the bound a plain offset.
TOP_WINDOWS: dict[str, timedelta | None] = {
    "TopHour": timedelta(hours=1),
    "TopSixHour": timedelta(hours=6),
    "TopTwelveHour": timedelta(hours=12),
    "TopDay": timedelta(days=1),
    "TopWeek": timedelta(weeks=1),
    "TopMonth": timedelta(days=30),
    "TopThreeMonths": timedelta(days=90),
    "TopSixMonths": timedelta(days=180),
    "TopNineMonths": timedelta(days=270),
    "TopYear": timedelta(days=365),
    "TopAll": None,
}

# A post's age tier is the index of the first Top window it is still inside (len = older
# than them all). Tiers let a windowed Top listing read, per tier, an index in score order
# that stops after `limit` rows, instead of walking the whole score index and skipping every
# post outside the window (moot/db/listings.py). A tier only ever grows with time; the
# scheduler moves posts along, and the listing still checks `published` exactly, so a stale
# tier costs a few skipped rows, never a wrong answer.
AGE_TIER_BOUNDS: tuple[timedelta, ...] = tuple(w for w in TOP_WINDOWS.values() if w is not None)
OLDEST_TIER = len(AGE_TIER_BOUNDS)


def age_tier(published: datetime, now: datetime) -> int:
    age = now - published
    for tier, bound in enumerate(AGE_TIER_BOUNDS):
        if age < bound:
            return tier
    return OLDEST_TIER


def tiers_within(window: timedelta) -> range:
    """The tiers whose posts may be younger than `window` (one of the Top windows)."""
    return range(AGE_TIER_BOUNDS.index(window) + 1)


def hot_rank(score: int, published: datetime, now: datetime) -> float:
    """Score on a log scale, divided by a power of the age in hours.

    0 for anything older than a week, and for timestamps in the future (a remote server's
    clock ahead of ours must not pin its posts to the top).
    """
    age = now - published
    if not timedelta(0) < age < HOT_RANK_WINDOW:
        return 0.0
    hours = age.total_seconds() / 3600
    # max(2, …): every score of 0 or below ranks as a score of 0 would.
    return math.log10(max(2, score + 2)) / math.pow(hours + 2, 1.8)


def scaled_rank(score: int, published: datetime, users_active_month: int, now: datetime) -> float:
    """Hot rank divided by the community's size, so small communities reach the front page."""
    # 2 + users keeps the divisor at log10(2) or more; a negative count is treated as 0.
    return hot_rank(score, published, now) / math.log10(2 + max(0, users_active_month))


def controversy_rank(upvotes: int, downvotes: int) -> float:
    """High when many votes are split evenly: total votes raised to the balance (≤ 1)."""
    if upvotes <= 0 or downvotes <= 0:
        return 0.0
    balance = downvotes / upvotes if upvotes > downvotes else upvotes / downvotes
    return math.pow(upvotes + downvotes, balance)


def advance_necro_time(
    current: datetime,
    post_published: datetime,
    post_creator_id: int,
    comment_published: datetime,
    commenter_id: int,
) -> datetime:
    """The post's `newest_comment_time_necro` after a counted comment arrives.

    The Active sort is Hot measured from this time. Only other people's comments in the
    post's first two days move it, so neither the author nor a late reply can keep a post
    alive; its Active life is thus at most about nine days.
    """
    if commenter_id == post_creator_id:
        return current
    if post_published <= comment_published - NECRO_WINDOW:
        return current
    return max(current, comment_published)
