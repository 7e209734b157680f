"""Moments in the API's JSON: written as Lemmy writes them (RFC 3339, `Z`, always six
digits of microseconds), whether `shapes.stamp` wrote them or msgspec did.

The shapes leave a moment with a fraction for msgspec to write as the answer is encoded
(the same text, without a Python call per moment) and stamp only the whole seconds, which
msgspec would write without the `.000000`."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
import sqlalchemy as sa

from moot.api.v3 import shapes
from moot.db.types import rfc3339_text

MOMENTS = [
    (datetime(2020, 9, 2, 13, 5, 7, 123456, tzinfo=UTC), "2020-09-02T13:05:07.123456Z"),
    (datetime(2020, 9, 2, 13, 5, 7, 120000, tzinfo=UTC), "2020-09-02T13:05:07.120000Z"),
    (datetime(2020, 9, 2, 13, 5, 7, 1, tzinfo=UTC), "2020-09-02T13:05:07.000001Z"),
    (datetime(2020, 9, 2, 13, 5, 7, tzinfo=UTC), "2020-09-02T13:05:07.000000Z"),
    (datetime(2020, 9, 2, tzinfo=UTC), "2020-09-02T00:00:00.000000Z"),
]


def _person(published: datetime, updated: datetime | None) -> dict[str, object]:
    return {
        "id": 1,
        "name": "comrade",
        "banned": False,
        "published": published,
        "actor_id": "https://example.org/u/comrade",
        "local": True,
        "deleted": False,
        "bot_account": False,
        "instance_id": 1,
        "updated": updated,
    }


@pytest.mark.parametrize(("moment", "text"), MOMENTS)
def test_a_moment_reads_the_same_in_the_encoded_answer(moment: datetime, text: str) -> None:
    assert shapes.stamp(moment) == text
    encoded = msgspec.json.decode(msgspec.json.encode(shapes.person(_person(moment, moment))))
    assert encoded["published"] == text  # a required moment
    assert encoded["updated"] == text  # an optional one


def test_a_missing_optional_moment_is_left_out() -> None:
    shaped = shapes.person(_person(MOMENTS[0][0], None))
    assert "updated" not in shaped


@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("2020-09-02 13:05:07.123456", "2020-09-02T13:05:07.123456Z"),
        ("2020-09-02 13:05:07.000000", "2020-09-02T13:05:07.000000Z"),
        ("2020-09-02 13:05:07", "2020-09-02T13:05:07.000000Z"),  # SQLite's own functions
        (None, None),
    ],
)
def test_sqlite_writes_a_moment_as_the_api_does(stored: str | None, text: str | None) -> None:
    """`Around.moments_as_text`: SQLite's naive UTC text written by the statement itself."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        written = conn.execute(sa.select(rfc3339_text(sa.literal(stored, sa.String)))).scalar()
    assert written == text
