"""Every route of lemmy-js-client 0.19.9 answers with the shapes its TypeScript types
declare, field by field (tests/contract/js/walk_v3.mjs through check.mjs).

One walk per backend calls each of the 102 routes with data that fills the optional parts
of the answers (pictures, a thread with a reply and a mention, a private message, reports,
bans, an application, modlog entries, ...). Every 2xx body is validated against the JSON
Schema of the route's response type, every error against LemmyErrorType; objects take no
key their type does not declare, and an optional field is absent or of its type, never
null. The diff names the route, the JSON path and what the type expected."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.conftest import Api, unique
from tests.contract.contract import JS_DIR, contract_path, load_contract, node
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

# Routes a set-up instance without mail can only refuse: the walk checks their errors.
ERROR_ONLY = {
    "createSite": "site_already_exists",
    "passwordReset": "no_email_setup",
    "verifyEmail": "token_not_found",
    "passwordChangeAfterReset": "token_not_found",
}

# Optional fields the walk cannot fill here, and why; every other optional field of every
# type in the answers shows up at least once (the walk would be testing less otherwise).
NEVER_PRESENT = {
    # Captcha is not implemented: moot answers {} as Lemmy does with captcha off.
    "GetCaptchaResponse.ok",
    # The site of a remote person's or community's instance: nothing federates here.
    "GetCommunityResponse.site",
    "GetPersonDetailsResponse.site",
    "InstanceBlockView.site",
    # moot does not record the size and type of thumbnails (Lemmy's image_details table).
    "PostView.image_details",
    # Made by lemmy-js-client from `files`, never sent by a server.
    "UploadImageResponse.delete_url",
    "UploadImageResponse.url",
}


def remote_instance(server: Server, domain: str) -> None:
    """An instance on no network, known with its software and a delivery state (as if
    delivery to it had failed twice), for /site/block and /federated_instances."""
    server.sql(
        "INSERT INTO instance (domain, software, version, published, updated) "
        f"SELECT '{domain}', 'lemmy', '0.19.9', published, published FROM instance "
        "ORDER BY id LIMIT 1"
    )
    server.sql(
        "INSERT INTO federation_queue_state (instance_id, last_successful_id, fail_count, "
        "last_retry, next_retry, last_successful_published_time) "
        "SELECT id, 0, 2, published, published, published FROM instance "
        f"WHERE domain = '{domain}'"
    )


@pytest.fixture(scope="session")
def v3_walk(server: Server) -> dict[str, Any]:
    path = contract_path("v3")
    before = _settings(server)
    domain = f"{unique('far')}.example"
    remote_instance(server, domain)
    args = [str(path), unique("k"), ADMIN_NAME, ADMIN_PASSWORD, domain]
    try:
        result = subprocess.run(
            [node(), str(JS_DIR / "walk_v3.mjs"), server.url, *args],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=240,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"walk_v3.mjs timed out; stderr:\n{exc.stderr!r}")
    if result.returncode != 0:
        pytest.fail(f"walk_v3.mjs exited {result.returncode}:\n{result.stderr}\n{result.stdout}")
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    report["settings"] = (before, _settings(server))
    return report


def _settings(server: Server) -> dict[str, Any]:
    """The site's settings an admin can change, without their timestamps."""
    view = Api(server).ok("GET", "/site")["site_view"]
    return {
        part: {k: v for k, v in view[part].items() if k not in ("updated", "last_refreshed_at")}
        for part in ("site", "local_site", "local_site_rate_limit")
    }


def _diff_text(diffs: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{d['route']} ({d['status']}) {d['path'] or '/'}: {d['problem']}"
        f" [{d['seen']}x, e.g. {d['example']}]"
        for d in diffs
    )


def test_v3_walk_steps_succeed(v3_walk: dict[str, Any]) -> None:
    assert v3_walk["failed"] == {}, "\n\n".join(f"{k}: {v}" for k, v in v3_walk["failed"].items())
    assert v3_walk["unknown"] == []


def test_v3_every_route_called(v3_walk: dict[str, Any]) -> None:
    routes = [r["name"] for r in load_contract("v3")["routes"]]
    calls = v3_walk["calls"]
    assert sorted(set(routes) - set(calls)) == []
    answered = {n for n in routes if calls[n]["ok"] > 0}
    assert sorted(set(routes) - answered) == sorted(ERROR_ONLY)
    for name, code in ERROR_ONLY.items():
        assert calls[name]["errors"] == {code: 1}, (name, calls[name])


def test_v3_responses_match_types(v3_walk: dict[str, Any]) -> None:
    assert v3_walk["diffs"] == [], "\n" + _diff_text(v3_walk["diffs"])


def test_v3_walk_fills_optional_fields(v3_walk: dict[str, Any]) -> None:
    assert set(v3_walk["never_present"]) == NEVER_PRESENT


def test_v3_walk_puts_the_site_back(v3_walk: dict[str, Any]) -> None:
    """The walk changes the shared server's settings for a moment; it leaves them as it
    found them."""
    before, after = v3_walk["settings"]
    assert after == before
