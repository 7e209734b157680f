"""The real npm client of Lemmy 1.0, lemmy-js-client 1.0.0-beta.2, walks a live server's
API v4 (tests/live/js4/walk4.mjs), and reads back through v3 what v4 wrote and the other
way round: the site, registration and sign-in, the member's account, following, posts,
votes, saves, every sort with time windows and cursors, comments, a person's page, sign-out.
It needs Node.js and `npm ci` in tests/live/js4 (bin/test does that); without them the test
fails: a client test that skips proves nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

JS_DIR = Path(__file__).resolve().parent / "js4"
CLIENT = JS_DIR / "node_modules" / "lemmy-js-client" / "package.json"
VERSION = "1.0.0-beta.2"
STEPS = 22


def test_client_package_is_pinned() -> None:
    """bin/test installs exactly the client version the walk was written against."""
    manifest = json.loads((JS_DIR / "package.json").read_text())
    assert manifest["dependencies"] == {"lemmy-js-client": VERSION}
    lock = json.loads((JS_DIR / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/lemmy-js-client"]["version"] == VERSION
    if CLIENT.exists():
        assert json.loads(CLIENT.read_text())["version"] == VERSION


def test_lemmy_js_client_v4_walk(server: Server) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed")
    if not CLIENT.exists():
        pytest.fail("lemmy-js-client 1.0 is not installed: run `npm ci` in tests/live/js4")
    try:
        result = subprocess.run(
            [node, str(JS_DIR / "walk4.mjs"), server.url, unique("w"), ADMIN_NAME, ADMIN_PASSWORD],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"walk4.mjs timed out after 120 s; stderr:\n{exc.stderr!r}")
    assert result.returncode == 0, (
        f"walk4.mjs exited {result.returncode} ({server.backend})\n"
        f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout}"
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True
    assert summary["steps"] == STEPS, summary["names"]
