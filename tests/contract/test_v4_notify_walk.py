"""lemmy-js-client 1.0.0-beta.2 walks a live server's notification settings
(tests/contract/js/walk_v4_notify.mjs): subscriptions to a post's comments and a
community's posts, a muted post, and the one notification list that shows what they told,
comments written through v3 included; reports about a community, the admins' to see and
resolve; invitations made, listed and revoked, and registering by invitation; an admin's
block and allow of one instance. Every answer is asserted and checked field by field
against the package's types. Without Node.js and `npm ci` in tests/contract/js the test
fails: a client test that skips proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 9


@pytest.fixture(scope="session")
def v4_notify_walk(server: Server) -> dict[str, Any]:
    return run_walk(
        "walk_v4_notify.mjs", server.url, server.backend, unique("n"), ADMIN_NAME, ADMIN_PASSWORD
    )


def test_v4_notify_walk_steps_succeed(v4_notify_walk: dict[str, Any]) -> None:
    assert v4_notify_walk["ok"] is True
    assert v4_notify_walk["steps"] == STEPS, v4_notify_walk["names"]


def test_v4_notify_responses_match_types(v4_notify_walk: dict[str, Any]) -> None:
    """Every answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_notify_walk["unknown"] == []
    assert v4_notify_walk["diffs"] == [], _diff_text(v4_notify_walk["diffs"])
