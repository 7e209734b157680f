"""The real npm client of Lemmy 1.0, lemmy-js-client 1.0.0-beta.2, walks a live server's
API v4 (tests/contract/js/walk_v4.mjs): every answer is asserted, checked field by field
against the package's types (check.mjs), and what v4 wrote is read back through v3 and the
other way round — the site, registration and sign-in, the account, following, posts, votes,
saves, every sort with time windows and cursors, comments, edits, moderation, reports,
notifications, search, settings, private messages, bans, admins and purges. It needs
Node.js and `npm ci` in tests/contract/js (bin/test does that); without them the test
fails: a client test that skips proves nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 28


@pytest.fixture(scope="session")
def v4_walk(server: Server) -> dict[str, Any]:
    return run_walk(
        "walk_v4.mjs", server.url, server.backend, unique("w"), ADMIN_NAME, ADMIN_PASSWORD
    )


def test_v4_walk_steps_succeed(v4_walk: dict[str, Any]) -> None:
    assert v4_walk["ok"] is True
    assert v4_walk["steps"] == STEPS, v4_walk["names"]


def test_v4_responses_match_types(v4_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_walk["unknown"] == []
    assert v4_walk["diffs"] == [], _diff_text(v4_walk["diffs"])
