"""lemmy-js-client 1.0.0-beta.2 walks private communities on a live server
(tests/contract/js/walk_v4_private.mjs): a moderator makes a community private, a member's
follow waits for approval (listed, approved, denied), and its posts and comments are shown
only to approved followers, moderators and admins, by every reading on v4 and v3. Every
answer is asserted and checked field by field against the package's types. Without
Node.js and `npm ci` in tests/contract/js the test fails: a client test that skips proves
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 7


@pytest.fixture(scope="session")
def v4_private_walk(server: Server) -> dict[str, Any]:
    return run_walk(
        "walk_v4_private.mjs", server.url, server.backend, unique("p"), ADMIN_NAME, ADMIN_PASSWORD
    )


def test_v4_private_walk_steps_succeed(v4_private_walk: dict[str, Any]) -> None:
    assert v4_private_walk["ok"] is True
    assert v4_private_walk["steps"] == STEPS, v4_private_walk["names"]


def test_v4_admin_responses_match_types(v4_private_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_private_walk["unknown"] == []
    assert v4_private_walk["diffs"] == [], _diff_text(v4_private_walk["diffs"])
