"""Comment locks and warnings across live instances (issue 15, must show 3): a community on
beta, followed from alpha and gamma. A moderator's lock of a comment on beta reaches alpha
and gamma as Lemmy 1.0's Lock of the Note, announced by the community, and replies under it
are refused there until the Undo comes; a warning on beta of an alpha member's post or
comment reaches them as Lemmy 1.0's Warn, in their notifications. And Lemmy 1.0's own
samples (tests/federation/fixtures/lemmy-1.0), their URLs made beta's and signed with the
key of beta's admin, are accepted by alpha's inbox and applied."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from moot.federation import signatures
from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, Peer, follow, wait_for
from tests.federation.test_live import _comment_on, _post_on

SAMPLES = Path(__file__).parent / "fixtures" / "lemmy-1.0"


@dataclass
class Stage:
    actor: str  # the community's URL
    ids: dict[str, int]  # its id on each instance
    a_user: Api
    g_user: Api
    b_user: Api


@pytest.fixture(scope="module")
def stage(cluster: Cluster) -> Stage:
    beta = cluster.beta
    name = unique("lockf")
    made = beta.admin.ok("POST", "/community", {"name": name, "title": "Locks"})
    a_user, g_user = cluster.alpha.member(), cluster.gamma.member()
    ids = {
        "beta": int(made["community_view"]["community"]["id"]),
        "alpha": follow(a_user, beta.host, name),
        "gamma": follow(g_user, beta.host, name),
    }
    actor = str(made["community_view"]["community"]["actor_id"])
    return Stage(actor, ids, a_user, g_user, beta.member())


def _v4(api: Api, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
    url = f"{api.server.url}/api/v4{path}"
    answer = api.http.request(method, url, json=body, params=params or None)
    assert answer.status_code == 200, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json()


def _thread(stage: Stage) -> dict[str, Any]:
    """A beta member's post, and an alpha member's comment on it, known on every instance:
    the post's and the comment's ids on each (keyed by instance) and the comment's URL."""
    made = stage.b_user.ok(
        "POST", "/post", {"name": "Lock here", "community_id": stage.ids["beta"]}
    )
    post_ap = made["post_view"]["post"]["ap_id"]
    posts = {
        "beta": made["post_view"]["post"]["id"],
        "alpha": _post_on(stage.a_user, stage.ids["alpha"], post_ap)["post"]["id"],
        "gamma": _post_on(stage.g_user, stage.ids["gamma"], post_ap)["post"]["id"],
    }
    comment = stage.a_user.ok(
        "POST", "/comment", {"post_id": posts["alpha"], "content": "Lock under me"}
    )["comment_view"]["comment"]
    ap_id = comment["ap_id"]
    comments = {
        "alpha": comment["id"],
        "beta": _comment_on(stage.b_user, posts["beta"], ap_id)["comment"]["id"],
        "gamma": _comment_on(stage.g_user, posts["gamma"], ap_id)["comment"]["id"],
    }
    return {"posts": posts, "comments": comments, "ap_id": ap_id}


def _locked_on(api: Api, comment_id: int, locked: bool) -> None:
    wait_for(
        lambda: (
            _v4(api, "GET", "/comment", id=comment_id)["comment_view"]["comment"]["locked"]
            == locked
        ),
        f"comment {comment_id} locked={locked} on {api.server.hostname}",
    )


def _mod_notices(api: Api, kind: str) -> list[dict[str, Any]]:
    items = _v4(api, "GET", "/account/notification/list", type_="mod_action")["items"]
    return [n for n in items if n["data"]["modlog"]["kind"] == kind]


def test_a_comment_lock_on_beta_blocks_replies_on_alpha_and_gamma(
    cluster: Cluster, stage: Stage
) -> None:
    t = _thread(stage)
    users = {"alpha": stage.a_user, "gamma": stage.g_user}
    _v4(
        cluster.beta.admin,
        "POST",
        "/comment/lock",
        {"comment_id": t["comments"]["beta"], "locked": True, "reason": "Cool down"},
    )
    for name, api in users.items():
        _locked_on(api, t["comments"][name], True)
        body = {"post_id": t["posts"][name], "parent_id": t["comments"][name], "content": "no"}
        assert api.error("POST", "/comment", body) == (400, "locked")
    # The author, on alpha, is told, with the reason.
    notices = wait_for(
        lambda: _mod_notices(stage.a_user, "mod_lock_comment") or None, "the lock's notice"
    )
    assert notices[0]["data"]["modlog"]["reason"] == "Cool down"

    _v4(
        cluster.beta.admin,
        "POST",
        "/comment/lock",
        {"comment_id": t["comments"]["beta"], "locked": False, "reason": "Calm again"},
    )
    _locked_on(stage.a_user, t["comments"]["alpha"], False)
    body = {"post_id": t["posts"]["alpha"], "parent_id": t["comments"]["alpha"], "content": "ok"}
    reply = stage.a_user.ok("POST", "/comment", body)["comment_view"]["comment"]["ap_id"]
    _comment_on(stage.b_user, t["posts"]["beta"], reply)
    _comment_on(stage.g_user, t["posts"]["gamma"], reply)


def test_a_warning_on_beta_reaches_the_author_on_alpha(cluster: Cluster, stage: Stage) -> None:
    t = _thread(stage)
    _v4(
        cluster.beta.admin,
        "POST",
        "/comment/warn",
        {"comment_id": t["comments"]["beta"], "reason": "Mind the rules"},
    )
    notice = wait_for(
        lambda: _mod_notices(stage.a_user, "mod_warn_comment") or None, "the warning on alpha"
    )[0]
    assert notice["data"]["modlog"]["reason"] == "Mind the rules"
    assert notice["data"]["target_comment"]["id"] == t["comments"]["alpha"]
    # Nobody else hears of it: gamma's log has no warning.
    log = _v4(stage.g_user, "GET", "/modlog", type_="mod_warn_comment")
    assert all(e["target_comment"]["ap_id"] != t["ap_id"] for e in log["items"])


def _rows(peer: Peer, query: str) -> list[str]:
    """One column of the instance's own database, on either backend."""
    if peer.server.backend == "sqlite":
        with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
            return [str(r[0]) for r in conn.execute(query).fetchall()]
    out = subprocess.run(
        ["psql", peer.server.database_url, "-qAt", "-c", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [out.strip()] if out.strip() else []


def _as_beta_admin(cluster: Cluster, sample: str, fill: dict[str, str]) -> httpx.Response:
    """Lemmy 1.0's sample with its URLs replaced by beta's, signed with the key of beta's
    admin (read from beta's database) and posted to alpha's inbox."""
    beta, alpha = cluster.beta, cluster.alpha
    me = beta.admin.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    doc = json.loads((SAMPLES / sample).read_text())
    text = json.dumps(doc)
    for old, new in fill.items():
        text = text.replace(old, new)
    doc = json.loads(text)
    doc["actor"] = me["actor_id"]
    if isinstance(doc["object"], dict):
        doc["object"]["actor"] = me["actor_id"]
    body = json.dumps(doc).encode()
    key = _rows(beta, f"SELECT private_key FROM person WHERE id = {int(me['id'])}")[0]
    path = "/inbox"
    headers = signatures.sign(
        f"http://{alpha.server.hostname}{path}", body, key, f"{me['actor_id']}#main-key"
    )
    return httpx.post(f"{alpha.server.url}{path}", content=body, headers=headers, timeout=30)


def test_lemmy_samples_of_a_comment_lock_are_applied(cluster: Cluster, stage: Stage) -> None:
    t = _thread(stage)
    origin = stage.actor.split("/c/")[0]
    fill = {
        "https://lemmy-alpha/comment/1": t["ap_id"],
        "http://lemmy-alpha/c/main": stage.actor,
        "https://lemmy-alpha/c/test": stage.actor,
    }
    lock_id = f"{origin}/activities/lock/{uuid.uuid4()}"
    sent = _as_beta_admin(
        cluster,
        "lock_note.json",
        {
            **fill,
            "https://lemmy-alpha/activities/lock/ae02478a-c7fa-4cc9-9838-eae131d3e9fa": lock_id,
        },
    )
    assert sent.status_code == 200, sent.text
    _locked_on(stage.a_user, t["comments"]["alpha"], True)
    log = _v4(
        stage.a_user, "GET", "/modlog", type_="mod_lock_comment", comment_id=t["comments"]["alpha"]
    )
    assert log["items"][0]["modlog"]["reason"] == "A reason for a lock"

    undo = {
        **fill,
        "https://lemmy-alpha/activities/undo/8c0a65ff-eea6-47cf-9025-6b94a86252ff": (
            f"{origin}/activities/undo/{uuid.uuid4()}"
        ),
        "https://lemmy-alpha/activities/lock/574b9805-19f5-4349-8c6e-c38c82898df9": (
            f"{origin}/activities/lock/{uuid.uuid4()}"
        ),
    }
    sent = _as_beta_admin(cluster, "undo_lock_note.json", undo)
    assert sent.status_code == 200, sent.text
    _locked_on(stage.a_user, t["comments"]["alpha"], False)
    log = _v4(
        stage.a_user, "GET", "/modlog", type_="mod_lock_comment", comment_id=t["comments"]["alpha"]
    )
    assert log["items"][0]["modlog"]["reason"] == "A reason for an unlock."
    assert log["items"][0]["modlog"]["is_revert"] is True


def test_a_lemmy_sample_of_a_warning_is_applied(cluster: Cluster, stage: Stage) -> None:
    """warn.json about an alpha member's post in beta's community, to that member."""
    made = stage.a_user.ok("POST", "/post", {"name": "Warn me", "community_id": stage.ids["alpha"]})
    post = made["post_view"]["post"]
    _post_on(stage.b_user, stage.ids["beta"], post["ap_id"])
    author = made["post_view"]["creator"]["actor_id"]
    origin = stage.actor.split("/c/")[0]
    fill = {
        "http://voyager.lemmy.ml/post/1541": post["ap_id"],
        "http://voyager.lemmy.ml/u/lemmy_alpha": author,
        "http://enterprise.lemmy.ml/c/main": stage.actor,
        "http://enterprise.lemmy.ml/activities/warn/14f1654e-0843-4cd9-9c93-ec35a2bb64bb": (
            f"{origin}/activities/warn/{uuid.uuid4()}"
        ),
    }
    sent = _as_beta_admin(cluster, "warn.json", fill)
    assert sent.status_code == 200, sent.text
    notice = wait_for(
        lambda: (
            [
                n
                for n in _mod_notices(stage.a_user, "mod_warn_post")
                if n["data"]["target_post"]["id"] == post["id"]
            ]
            or None
        ),
        "the sample's warning on alpha",
    )[0]
    assert notice["data"]["modlog"]["reason"] == "fU8HltC5wq"
