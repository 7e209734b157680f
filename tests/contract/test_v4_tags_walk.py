"""lemmy-js-client 1.0.0-beta.2 walks a live server's community post tags and a moderator's
edit of a post (tests/contract/js/walk_v4_tags.mjs): tags created, edited, deleted and
brought back by a moderator (refused to a member, a name taken twice, a bad colour), posts
tagged on create and edit (only with their community's tags), listings filtered by tag,
comments showing their post's tags, /post/mod_edit changing NSFW and tags. Every answer is
asserted and checked field by field against the package's types. Without Node.js and `npm
ci` in tests/contract/js the test fails: a client test that skips proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import Server

STEPS = 7


@pytest.fixture(scope="session")
def v4_tags_walk(server: Server) -> dict[str, Any]:
    return run_walk("walk_v4_tags.mjs", server.url, server.backend, unique("t"))


def test_v4_tags_walk_steps_succeed(v4_tags_walk: dict[str, Any]) -> None:
    assert v4_tags_walk["ok"] is True
    assert v4_tags_walk["steps"] == STEPS, v4_tags_walk["names"]


def test_v4_tags_responses_match_types(v4_tags_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_tags_walk["unknown"] == []
    assert v4_tags_walk["diffs"] == [], _diff_text(v4_tags_walk["diffs"])
