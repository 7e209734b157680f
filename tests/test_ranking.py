"""The rank formulas (reference § 3), against numbers worked out by hand.

30 hours is a convenient age: (30 + 2) ** 1.8 = 2 ** (5 * 1.8) = 2 ** 9 = 512. And a score of 8
gives log10(8 + 2) = 1, a score of 98 log10(100) = 2.
"""

import math
from datetime import UTC, datetime, timedelta

import pytest

from moot import ranking
from moot.ranking import (
    RANK_DEFAULT,
    TOP_WINDOWS,
    advance_necro_time,
    controversy_rank,
    hot_rank,
    scaled_rank,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
THIRTY_HOURS_AGO = NOW - timedelta(hours=30)


def test_rank_default() -> None:
    assert RANK_DEFAULT == 0.0001


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (8, 1 / 512),
        (98, 2 / 512),
        (0, math.log10(2) / 512),
        (-5, math.log10(2) / 512),  # every score ≤ 0 counts as 0
        (-1000, math.log10(2) / 512),
        (1, math.log10(3) / 512),
    ],
)
def test_hot_rank_at_thirty_hours(score: int, expected: float) -> None:
    assert hot_rank(score, THIRTY_HOURS_AGO, NOW) == pytest.approx(expected, rel=1e-12)


def test_hot_rank_uses_fractional_hours() -> None:
    # One hour old, score 1: log10(3) / 3 ** 1.8 = 0.4771213 / 7.224674 = 0.0660405…
    assert hot_rank(1, NOW - timedelta(hours=1), NOW) == pytest.approx(0.0660405, rel=1e-5)
    # 90 minutes: log10(3) / 3.5 ** 1.8 = 0.4771213 / 9.535039 = 0.0500387…
    assert hot_rank(1, NOW - timedelta(minutes=90), NOW) == pytest.approx(0.0500387, rel=1e-5)


def test_hot_rank_falls_with_age_and_rises_with_score() -> None:
    ages = [timedelta(minutes=1), timedelta(hours=1), timedelta(days=1), timedelta(days=6)]
    ranks = [hot_rank(10, NOW - age, NOW) for age in ages]
    assert ranks == sorted(ranks, reverse=True)
    assert hot_rank(11, THIRTY_HOURS_AGO, NOW) > hot_rank(10, THIRTY_HOURS_AGO, NOW)


@pytest.mark.parametrize(
    "age",
    [
        timedelta(0),  # the window is open at both ends
        timedelta(days=7),
        timedelta(days=7, seconds=1),
        timedelta(days=365),
        timedelta(seconds=-1),  # a future timestamp from a fast clock
        timedelta(days=-3),
    ],
)
def test_hot_rank_is_zero_outside_the_week(age: timedelta) -> None:
    assert hot_rank(100, NOW - age, NOW) == 0.0


def test_hot_rank_just_inside_the_week() -> None:
    # (167.99… + 2) ** 1.8 ≈ 10 347; log10(102) ≈ 2.0086 → about 0.000194.
    rank = hot_rank(100, NOW - timedelta(days=7) + timedelta(seconds=1), NOW)
    assert rank == pytest.approx(math.log10(102) / 170**1.8, rel=1e-5)
    assert rank > 0
    assert hot_rank(100, NOW - timedelta(microseconds=1), NOW) == pytest.approx(
        math.log10(102) / 2**1.8
    )


@pytest.mark.parametrize(
    ("users", "divisor"),
    [
        (8, 1.0),  # log10(10)
        (98, 2.0),  # log10(100)
        (998, 3.0),  # log10(1000)
        (0, math.log10(2)),  # an empty community still divides by log10(2)
        (-4, math.log10(2)),  # a bad count is treated as 0, never divides by 0
    ],
)
def test_scaled_rank(users: int, divisor: float) -> None:
    expected = (1 / 512) / divisor
    assert scaled_rank(8, THIRTY_HOURS_AGO, users, NOW) == pytest.approx(expected, rel=1e-12)


def test_scaled_rank_is_zero_when_hot_rank_is() -> None:
    assert scaled_rank(50, NOW - timedelta(days=8), 1000, NOW) == 0.0


@pytest.mark.parametrize(
    ("up", "down", "expected"),
    [
        (5, 5, 10.0),  # (5 + 5) ** 1
        (1, 1, 2.0),
        (8, 2, 10**0.25),  # 10 ** (2/8) = 1.7782794…
        (2, 8, 10**0.25),  # symmetric
        (3, 1, 4 ** (1 / 3)),  # cube root of 4 = 1.5874010…
        (1, 3, 1.5874010519681994),
        (100, 1, 101 ** (1 / 100)),  # lopsided: barely above 1
        (0, 5, 0.0),
        (5, 0, 0.0),
        (0, 0, 0.0),
        (-1, 5, 0.0),
        (5, -1, 0.0),
    ],
)
def test_controversy_rank(up: int, down: int, expected: float) -> None:
    assert controversy_rank(up, down) == pytest.approx(expected, rel=1e-12)


def test_controversy_prefers_more_votes_at_the_same_balance() -> None:
    assert controversy_rank(50, 50) > controversy_rank(5, 5) > controversy_rank(50, 5)


POSTED = datetime(2024, 6, 1, 0, 0, tzinfo=UTC)
OP, OTHER = 1, 2


def test_necro_time_moves_for_other_peoples_early_comments() -> None:
    comment = POSTED + timedelta(hours=5)
    assert advance_necro_time(POSTED, POSTED, OP, comment, OTHER) == comment


def test_necro_time_ignores_the_author() -> None:
    comment = POSTED + timedelta(hours=5)
    assert advance_necro_time(POSTED, POSTED, OP, comment, OP) == POSTED


def test_necro_time_ignores_comments_after_two_days() -> None:
    just_inside = POSTED + timedelta(days=2) - timedelta(microseconds=1)
    assert advance_necro_time(POSTED, POSTED, OP, just_inside, OTHER) == just_inside
    exactly = POSTED + timedelta(days=2)  # the post must be strictly newer than comment - 2 days
    assert advance_necro_time(POSTED, POSTED, OP, exactly, OTHER) == POSTED
    late = POSTED + timedelta(days=3)
    assert advance_necro_time(just_inside, POSTED, OP, late, OTHER) == just_inside


def test_necro_time_never_goes_back() -> None:
    current = POSTED + timedelta(hours=10)
    earlier = POSTED + timedelta(hours=3)  # e.g. a federated comment arriving late
    assert advance_necro_time(current, POSTED, OP, earlier, OTHER) == current


def test_active_rank_is_hot_rank_from_the_necro_time() -> None:
    # A post 30 hours old whose last early non-OP comment was 2 hours after it ranks on
    # Active as a 28-hour-old post: (28 + 2) ** 1.8.
    necro = advance_necro_time(
        THIRTY_HOURS_AGO, THIRTY_HOURS_AGO, OP, NOW - timedelta(hours=28), OTHER
    )
    assert hot_rank(8, necro, NOW) == pytest.approx(1 / 30**1.8)


def test_top_windows() -> None:
    assert {
        "TopHour": timedelta(hours=1),
        "TopSixHour": timedelta(hours=6),
        "TopTwelveHour": timedelta(hours=12),
        "TopDay": timedelta(days=1),
        "TopWeek": timedelta(days=7),
        "TopMonth": timedelta(days=30),
        "TopThreeMonths": timedelta(days=90),
        "TopSixMonths": timedelta(days=180),
        "TopNineMonths": timedelta(days=270),
        "TopYear": timedelta(days=365),
        "TopAll": None,
    } == TOP_WINDOWS
    bounded = [w for w in TOP_WINDOWS.values() if w is not None]
    assert bounded == sorted(bounded)


def test_windows_are_what_the_refresh_relies_on() -> None:
    assert timedelta(days=7) == ranking.HOT_RANK_WINDOW
    assert timedelta(days=2) == ranking.NECRO_WINDOW
