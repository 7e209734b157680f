"""The items pages show by the hundred, written by Python functions (moot/web/cards.py,
format.when, names.person_link): what they write, escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from moot.web.format import exact, iso, time_ago, when
from moot.web.names import person_link


def test_a_badged_link_is_still_a_link() -> None:
    link = person_link({"name": "ann", "local": True}, admin=True, mod=True)
    assert link == (
        '<a class="who" href="/u/ann">ann</a>'
        ' <abbr class="badge" title="Admin">A</abbr>'
        ' <abbr class="badge" title="Moderator">M</abbr>'
    )


def test_a_link_escapes_the_name() -> None:
    person = {"name": "bob", "display_name": 'Bob <b>"&"</b>', "local": True}
    assert person_link(person) == (
        '<a class="who" href="/u/bob">Bob &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;</a>'
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59),  # naive, as SQLite gives: UTC
        datetime(2025, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))),
        datetime(999, 6, 1, 12, 0, tzinfo=UTC),
    ],
)
def test_when_writes_what_iso_exact_and_time_ago_say(moment: datetime) -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    expected = (
        f'<time datetime="{iso(moment)}" title="{exact(moment)}">{time_ago(moment, now)}</time>'
    )
    assert when(moment, now) == expected
