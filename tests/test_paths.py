"""Comment tree paths as Lemmy's clients read them (`0.12.345`), top-level or nested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from moot.db.paths import ids_of, lemmy_path, segment

IDS = st.lists(st.integers(min_value=1, max_value=2**31 - 1), min_size=1, max_size=8)


@given(IDS)
def test_a_path_is_written_as_its_ids_after_a_zero(ids: list[int]) -> None:
    path = "".join(segment(i) for i in ids)
    assert lemmy_path(path) == "0." + ".".join(str(i) for i in ids)
    assert ids_of(path) == ids


def test_top_level_and_nested() -> None:
    assert lemmy_path(segment(12)) == "0.12"
    assert lemmy_path(segment(10)) == "0.10"
    assert lemmy_path(segment(12) + segment(345)) == "0.12.345"
