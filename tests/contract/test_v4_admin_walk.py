"""lemmy-js-client 1.0.0-beta.2 walks the admin side of a live server's API v4
(tests/contract/js/walk_v4_admin.mjs): editing the site, leaving the admins, taglines, custom emoji,
registration applications, the local users, vote lists, federated instances and the
combined modlog, as the admin and as members (refusals too). Every answer is asserted and
checked field by field against the package's types; what v4 wrote is read back through v3.
Without Node.js and `npm ci` in tests/contract/js the test fails: a client test that skips
proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 10


@pytest.fixture(scope="session")
def v4_admin_walk(server: Server) -> dict[str, Any]:
    return run_walk(
        "walk_v4_admin.mjs", server.url, server.backend, unique("x"), ADMIN_NAME, ADMIN_PASSWORD
    )


def test_v4_admin_walk_steps_succeed(v4_admin_walk: dict[str, Any]) -> None:
    assert v4_admin_walk["ok"] is True
    assert v4_admin_walk["steps"] == STEPS, v4_admin_walk["names"]


def test_v4_admin_responses_match_types(v4_admin_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_admin_walk["unknown"] == []
    assert v4_admin_walk["diffs"] == [], _diff_text(v4_admin_walk["diffs"])
