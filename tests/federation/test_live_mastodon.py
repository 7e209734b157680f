"""A local community's second Announce of each post, of the bare Page, as Lemmy sends it for
Mastodon and Pleroma (reference §4, §9), seen by a Mastodon-like follower (the hand-written
peer) and by the moot instances that follow the same community."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from moot.federation.protocol.common import CONTEXT
from tests.conftest import unique
from tests.federation.conftest import Cluster, Peer, follow, wait_for
from tests.federation.peer import EvilPeer, start_peer


@pytest.fixture(scope="module")
def mastodon() -> Iterator[EvilPeer]:
    peer = start_peer("moot-toot")
    yield peer
    peer.close()


def _rows(peer: Peer, query: str) -> list[tuple[Any, ...]]:
    if peer.server.backend == "sqlite":
        with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
            return conn.execute(query).fetchall()
    out = subprocess.run(
        ["psql", peer.server.database_url, "-qAtc", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [tuple(None if v == "" else v for v in line.split("|")) for line in out.splitlines()]


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _listed(peer: Peer, api: Any, community_id: int) -> list[str]:
    posts = api.ok(
        "GET", "/post/list", community_id=community_id, sort="New", limit=50, type_="All"
    )["posts"]
    return [p["post"]["ap_id"] for p in posts]


def test_posts_are_announced_twice_for_mastodon_comments_once(
    cluster: Cluster, mastodon: EvilPeer
) -> None:
    alpha, beta, gamma = cluster.alpha, cluster.beta, cluster.gamma
    name = unique("masto")
    made = alpha.admin.ok("POST", "/community", {"name": name, "title": "For Mastodon"})
    on_alpha = int(made["community_view"]["community"]["id"])
    group = f"http://{alpha.host}/c/{name}"

    # A Mastodon account follows the Group as it follows a person.
    fan = unique("fan")
    body = {
        "@context": CONTEXT,
        "id": mastodon.activity_id("follow"),
        "type": "Follow",
        "actor": mastodon.actor(fan),
        "object": group,
    }
    response = mastodon.post(alpha.server, json.dumps(body).encode(), signer=fan)
    assert response.status_code == 200, response.text
    wait_for(
        lambda: any(
            a.get("type") == "Accept" and a["object"]["actor"] == mastodon.actor(fan)
            for a in mastodon.received
        ),
        "the Accept of the Mastodon follow",
    )
    b_user, g_user = beta.member(), gamma.member()
    on_beta = follow(b_user, alpha.host, name)
    on_gamma = follow(g_user, alpha.host, name)

    # A post by a local author; one from gamma, which alpha relays; an edit; a comment.
    local = alpha.admin.ok("POST", "/post", {"name": "Local post", "community_id": on_alpha})
    local_post = local["post_view"]["post"]
    relayed = g_user.ok("POST", "/post", {"name": "From gamma", "community_id": on_gamma})
    relayed_id = relayed["post_view"]["post"]["ap_id"]
    wait_for(lambda: relayed_id in _listed(beta, b_user, on_beta), "gamma's post on beta")
    alpha.admin.ok("PUT", "/post", {"post_id": local_post["id"], "name": "Local post, edited"})
    comment = alpha.admin.ok(
        "POST", "/comment", {"post_id": local_post["id"], "content": "a comment"}
    )["comment_view"]["comment"]
    # Delivery to an instance keeps the order of the outbox: once the last post's second
    # Announce is in, whatever came before it is too.
    last = alpha.admin.ok("POST", "/post", {"name": "Last", "community_id": on_alpha})
    last_id = last["post_view"]["post"]["ap_id"]

    def announces() -> list[dict[str, Any]]:
        return [a for a in mastodon.received if a.get("type") == "Announce" and a["actor"] == group]

    wait_for(
        lambda: any(a["object"].get("id") == last_id for a in announces()),
        "the second Announce of the last post",
    )
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for announce in announces():
        inner = announce["object"]
        if inner["type"] in ("Create", "Update"):
            key = (f"{inner['type']}{{{inner['object']['type']}}}", inner["object"]["id"])
        else:
            key = (inner["type"], inner["id"])
        seen.setdefault(key, []).append(announce)
    counts = {key: len(found) for key, found in seen.items()}
    assert counts == {
        ("Create{Page}", local_post["ap_id"]): 1,
        ("Update{Page}", local_post["ap_id"]): 1,
        ("Page", local_post["ap_id"]): 2,  # one for the Create, one for the Update
        ("Create{Page}", relayed_id): 1,
        ("Page", relayed_id): 1,
        ("Create{Note}", comment["ap_id"]): 1,  # and no Announce{Note}
        ("Create{Page}", last_id): 1,
        ("Page", last_id): 1,
    }
    pages = [a for (kind, _), found in seen.items() if kind == "Page" for a in found]
    for announce in pages:
        assert re.fullmatch(
            rf"http://{alpha.host}/activities/announce/page/[0-9a-f-]{{36}}", announce["id"]
        )
        assert announce["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
        assert announce["cc"] == [f"{group}/followers"]
    (relayed_page,) = seen[("Page", relayed_id)]
    assert relayed_page["object"]["actor"] == relayed_page["object"]["attributedTo"]
    assert relayed_page["object"]["actor"].startswith(f"http://{gamma.host}/u/")
    edited = [a["object"]["name"] for a in seen[("Page", local_post["ap_id"])]]
    assert edited == ["Local post", "Local post, edited"]

    # The moot followers got the same Announces, took them without a refusal, and have each
    # post once.
    page_ids = [a["id"] for a in pages]
    for peer, api, community_id in ((beta, b_user, on_beta), (gamma, g_user, on_gamma)):
        query = (
            "SELECT ap_id, state, failure FROM received_activity"
            f" WHERE ap_id IN ({_quoted(page_ids)})"
        )

        def processed(peer: Peer = peer, query: str = query) -> list[tuple[Any, ...]] | None:
            found = _rows(peer, query)
            done = len(found) == len(page_ids) and all(r[1] == "done" for r in found)
            return found if done else None

        rows = wait_for(processed, f"the Announce{{Page}}s processed on {peer.name}")
        assert {r[2] for r in rows} == {None}, rows
        wait_for(
            lambda api=api, community_id=community_id, peer=peer: (
                _listed(peer, api, community_id).count(last_id) == 1
            ),
            f"the last post on {peer.name}",
        )
        listed = _listed(peer, api, community_id)
        for ap_id in (local_post["ap_id"], relayed_id, last_id):
            assert listed.count(ap_id) == 1, (peer.name, ap_id, listed)
        stored = _rows(
            peer,
            "SELECT count(*) FROM post"
            f" WHERE ap_id IN ({_quoted([local_post['ap_id'], relayed_id, last_id])})",
        )
        assert int(stored[0][0]) == 3
