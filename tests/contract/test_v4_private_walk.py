"""lemmy-js-client 1.0.0-beta.2 walks private communities on a live server
(tests/contract/js/walk_v4_private.mjs): a moderator makes a community private, a member's
follow waits for approval (listed, approved, denied), and its posts and comments are shown
only to approved followers, moderators and admins, by every reading on v4 and v3. Every
answer is asserted and checked field by field against the package's types. Without
Node.js and `npm ci` in tests/contract/js the test fails: a client test that skips proves
nothing."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import JS_DIR, contract_path, node
from tests.contract.test_v3_shapes import _diff_text
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 7


@pytest.fixture(scope="session")
def v4_private_walk(server: Server) -> dict[str, Any]:
    args = [str(contract_path("v4")), unique("p"), ADMIN_NAME, ADMIN_PASSWORD]
    try:
        result = subprocess.run(
            [node(), str(JS_DIR / "walk_v4_private.mjs"), server.url, *args],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=180,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"walk_v4_private.mjs timed out; stderr:\n{exc.stderr!r}")
    assert result.returncode == 0, (
        f"walk_v4_private.mjs exited {result.returncode} ({server.backend})\n"
        f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout[-3000:]}"
    )
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_v4_private_walk_steps_succeed(v4_private_walk: dict[str, Any]) -> None:
    assert v4_private_walk["ok"] is True
    assert v4_private_walk["steps"] == STEPS, v4_private_walk["names"]


def test_v4_admin_responses_match_types(v4_private_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert v4_private_walk["unknown"] == []
    assert v4_private_walk["diffs"] == [], _diff_text(v4_private_walk["diffs"])
