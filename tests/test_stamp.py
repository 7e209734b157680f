"""`shapes.stamp` writes a moment as chrono does, for every moment: six digits of
microseconds and a `Z` for UTC (the shapes use it for whole seconds and leave the rest to
msgspec, tests/reads/test_moments.py; other answers call it directly)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from moot.api.v3.shapes import stamp

OFFSETS = st.sampled_from(
    [
        UTC,
        timezone(timedelta(0)),
        timezone(timedelta(hours=5, minutes=30)),
        timezone(-timedelta(hours=3)),
    ]
)


def chrono(value: datetime) -> str:
    """What Lemmy (chrono) writes: always six digits of microseconds, UTC as `Z`."""
    return value.isoformat(timespec="microseconds").replace("+00:00", "Z")


@given(st.datetimes(timezones=OFFSETS))
def test_an_aware_moment_is_written_as_chrono_writes_it(value: datetime) -> None:
    assert stamp(value) == chrono(value)


@given(st.datetimes())
def test_a_naive_moment_keeps_no_offset(value: datetime) -> None:
    assert stamp(value) == chrono(value)


def test_a_whole_second_and_the_edges_of_the_fraction() -> None:
    base = datetime(2026, 12, 3, 18, 0, 0, tzinfo=UTC)
    assert stamp(base) == "2026-12-03T18:00:00.000000Z"
    assert stamp(base.replace(microsecond=1)) == "2026-12-03T18:00:00.000001Z"
    assert stamp(base.replace(microsecond=120000)) == "2026-12-03T18:00:00.120000Z"
    assert stamp(base.replace(year=999)) == "0999-12-03T18:00:00.000000Z"
    assert stamp(None) is None
