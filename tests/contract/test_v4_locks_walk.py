"""The real npm client of Lemmy 1.0, lemmy-js-client 1.0.0-beta.2, walks a live server's
comment locks and warnings (tests/contract/js/walk_v4_locks.mjs): locking and unlocking a
comment's sub-thread, replies refused under it on v4 and v3 and a moderator's allowed,
the modlog's entries and the author's `mod_action` notifications, warnings of a post's and
a comment's author; refusals too. Every answer is asserted and checked field by field
against the package's types. Without Node.js and `npm ci` in tests/contract/js the test
fails: a client test that skips proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import Server

STEPS = 10


@pytest.fixture(scope="session")
def locks_walk(server: Server) -> dict[str, Any]:
    return run_walk("walk_v4_locks.mjs", server.url, server.backend, unique("l"))


def test_locks_walk_steps_succeed(locks_walk: dict[str, Any]) -> None:
    assert locks_walk["ok"] is True
    assert locks_walk["steps"] == STEPS, locks_walk["names"]


def test_locks_responses_match_types(locks_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert locks_walk["unknown"] == []
    assert locks_walk["diffs"] == [], _diff_text(locks_walk["diffs"])
