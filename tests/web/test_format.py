"""How the pages word dates: fixed moments, so the anniversary and the edges are checked on
every day of the year, not only on the day a browser test happens to run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moot.web.format import duration, is_cake_day, long_date, ordinal, time_ago, until

JOINED = datetime(2020, 9, 2, 14, 30, tzinfo=UTC)  # the seed's person


@pytest.mark.parametrize(
    ("now", "cake"),
    [
        (datetime(2026, 9, 2, 0, 5, tzinfo=UTC), True),
        (datetime(2026, 9, 2, 23, 59, tzinfo=UTC), True),
        (datetime(2026, 9, 1, 23, 59, tzinfo=UTC), False),
        (datetime(2026, 9, 3, 0, 0, tzinfo=UTC), False),
        (datetime(2020, 9, 2, 18, 0, tzinfo=UTC), False),  # the day itself is no anniversary
    ],
)
def test_cake_day(now: datetime, cake: bool) -> None:
    assert is_cake_day(JOINED, now) is cake


def test_naive_database_times_are_utc() -> None:
    assert is_cake_day(JOINED.replace(tzinfo=None), datetime(2027, 9, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("now", "words"),
    [
        (datetime(2026, 12, 1, tzinfo=UTC), "6 years ago"),
        (datetime(2026, 9, 2, 14, 29, tzinfo=UTC), "6 years ago"),
        (datetime(2026, 9, 1, tzinfo=UTC), "5 years ago"),
        (datetime(2021, 9, 2, 15, tzinfo=UTC), "a year ago"),
        (datetime(2020, 9, 2, 14, 30, 30, tzinfo=UTC), "just now"),
        (datetime(2020, 9, 2, 14, 31, tzinfo=UTC), "a minute ago"),
        (datetime(2020, 9, 2, 15, 30, tzinfo=UTC), "an hour ago"),
        (datetime(2020, 9, 4, 14, 30, tzinfo=UTC), "2 days ago"),
        (datetime(2021, 1, 2, tzinfo=UTC), "4 months ago"),
    ],
)
def test_time_ago(now: datetime, words: str) -> None:
    assert time_ago(JOINED, now) == words


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (31, "31st"),
    ],
)
def test_ordinal(n: int, word: str) -> None:
    assert ordinal(n) == word


def test_long_date_is_the_seeds_cake_day() -> None:
    assert long_date(JOINED) == "September 2nd, 2020"


@pytest.mark.parametrize(
    ("span", "said"),
    [
        (timedelta(0), "none"),
        (timedelta(milliseconds=300), "under a second"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(seconds=59), "59 seconds"),
        (timedelta(minutes=3, seconds=50), "3 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(days=2, hours=23), "2 days"),
    ],
)
def test_durations_to_one_unit(span: timedelta, said: str) -> None:
    assert duration(span) == said


def test_until_a_moment() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert until(now + timedelta(minutes=5), now) == "in 5 minutes"
    assert until(now - timedelta(seconds=5), now) == "now"
    assert until((now + timedelta(hours=2)).replace(tzinfo=None), now) == "in 2 hours"
