"""lemmy-js-client 1.0.0-beta.2 walks a live server's multi-community feeds
(tests/contract/js/walk_v4_feeds.mjs): all seven `/multi_community…` routes and the feed's
post listing (every sort, by cursor), as the owner, another member and anonymously (refusals
too). Every answer is asserted and checked field by field against the package's types.
Without Node.js and `npm ci` in tests/contract/js the test fails: a client test that skips
proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 9


@pytest.fixture(scope="session")
def v4_feeds_walk(server: Server) -> dict[str, Any]:
    return run_walk(
        "walk_v4_feeds.mjs", server.url, server.backend, unique("f"), ADMIN_NAME, ADMIN_PASSWORD
    )


def test_v4_feeds_walk_steps_succeed(v4_feeds_walk: dict[str, Any]) -> None:
    assert v4_feeds_walk["ok"] is True
    assert v4_feeds_walk["steps"] == STEPS, v4_feeds_walk["names"]


def test_v4_feeds_responses_match_types(v4_feeds_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_feeds_walk["unknown"] == []
    assert v4_feeds_walk["diffs"] == [], _diff_text(v4_feeds_walk["diffs"])
