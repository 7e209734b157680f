"""The real npm client, lemmy-js-client 0.19.9, walks a live server (tests/live/js/walk.mjs).

The walk registers two users, builds a community with posts and a comment thread, votes,
saves, hides, lists with every sort, paginates, edits, deletes and logs out, asserting every
response with `node:assert/strict`. It needs Node.js and `npm ci` in tests/live/js (bin/test
does that); without them the test fails: a client test that skips proves nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import unique
from tests.servers import Server

JS_DIR = Path(__file__).resolve().parent / "js"
CLIENT = JS_DIR / "node_modules" / "lemmy-js-client" / "package.json"
STEPS = 15


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed")
    if not CLIENT.exists():
        pytest.fail("lemmy-js-client is not installed: run `npm ci` in tests/live/js")
    return node


def test_client_package_is_pinned() -> None:
    """bin/test installs exactly the client version the walk was written against."""
    manifest = json.loads((JS_DIR / "package.json").read_text())
    assert manifest["dependencies"] == {"lemmy-js-client": "0.19.9"}
    lock = json.loads((JS_DIR / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/lemmy-js-client"]["version"] == "0.19.9"
    if CLIENT.exists():
        assert json.loads(CLIENT.read_text())["version"] == "0.19.9"


def test_lemmy_js_client_walk(server: Server) -> None:
    node = _node()
    try:
        result = subprocess.run(
            [node, str(JS_DIR / "walk.mjs"), server.url, unique("w")],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"walk.mjs timed out after 120 s; stderr:\n{exc.stderr!r}")
    assert result.returncode == 0, (
        f"walk.mjs exited {result.returncode} ({server.backend})\n"
        f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout}"
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True
    assert summary["steps"] == STEPS, summary["names"]
    # Every sort under All/Local/Subscribed for two users, three front pages, and a
    # three-page cursor walk per sort.
    assert summary["listings"] == 19 * 3 * 2 + 3 + 19 * 3
