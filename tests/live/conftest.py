"""Fixtures of the moderation tests: a cast of real clients, and one lemmy-js-client walk
over every moderator and admin action per backend (tests/live/js/moderation.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unique
from tests.live.mod_support import Cast, make_cast
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

JS_DIR = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="session")
def cast(server: Server) -> Cast:
    return make_cast(server)


@pytest.fixture(scope="session")
def js_moderation(server: Server) -> dict[str, Any]:
    """The summary of moderation.mjs on this backend: {"passed": [...], "failed": {...}}."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed")
    if not (JS_DIR / "node_modules" / "lemmy-js-client").exists():
        pytest.fail("lemmy-js-client is not installed: run `npm ci` in tests/live/js")
    try:
        result = subprocess.run(
            [
                node,
                str(JS_DIR / "moderation.mjs"),
                server.url,
                unique("m"),
                ADMIN_NAME,
                ADMIN_PASSWORD,
            ],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"moderation.mjs timed out; stderr:\n{exc.stderr!r}")
    if result.returncode != 0:
        pytest.fail(f"moderation.mjs exited {result.returncode}:\n{result.stderr}\n{result.stdout}")
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary
