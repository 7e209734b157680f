"""Multi-community feeds between moot instances, as Lemmy 1.0 federates them (must show 3):
a feed made on alpha is a `Feed` actor at its address with its communities as the
`following` collection (the shapes of tests/federation/fixtures/lemmy1/); beta resolves it
through API v4's resolve_object, keeps a copy with its communities (fetched as they are
needed), a member there follows it and reads its posts, arriving from alpha, in its
listing. Anonymous visitors fetch nothing from elsewhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, Peer, follow, wait_for

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lemmy1"
ACTIVITY_JSON = "application/activity+json"


def _v4(peer: Peer, api: Api, method: str, path: str, body: Any = None, **params: Any) -> Any:
    answer = api.http.request(
        method, f"{peer.server.url}/api/v4{path}", json=body, params=params or None
    )
    assert answer.status_code == 200, f"{method} {path}: {answer.text}"
    return answer.json()


def _keys(doc: dict[str, Any]) -> set[str]:
    return set(doc) - {"@context"}


def test_a_feed_resolved_and_followed_elsewhere(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    owner = alpha.member()
    names = [unique("feedc"), unique("feedc")]
    communities = [
        owner.ok("POST", "/community", {"name": n, "title": f"Feed {n}"})["community_view"][
            "community"
        ]
        for n in names
    ]
    feed_name = unique("fed_feed")
    feed = _v4(alpha, owner, "POST", "/multi_community", {"name": feed_name, "title": "Shared"})
    owner_ap_id = feed["multi_community_view"]["owner"]["ap_id"]
    feed = feed["multi_community_view"]["multi"]
    for c in communities:
        _v4(
            alpha,
            owner,
            "POST",
            "/multi_community/entry",
            {"id": feed["id"], "community_id": c["id"]},
        )
    ap_id = feed["ap_id"]
    assert ap_id == f"http://{alpha.host}/m/{feed_name}"

    # The Feed actor and its following collection, in the fixtures' shapes.
    here = ap_id.replace(f"http://{alpha.host}", alpha.server.url)  # its name is the peers'
    actor = httpx.get(here, headers={"Accept": ACTIVITY_JSON}).json()
    sample = json.loads((FIXTURES / "feed.json").read_text())
    assert actor["type"] == "Feed"
    assert _keys(actor) == _keys(sample) - {"summary", "content", "mediaType", "source"}
    assert actor["preferredUsername"] == feed_name and actor["name"] == "Shared"
    listed = httpx.get(f"{here}/following", headers={"Accept": ACTIVITY_JSON}).json()
    assert actor["following"] == f"{ap_id}/following"
    assert _keys(listed) == _keys(json.loads((FIXTURES / "feed_following.json").read_text()))
    assert sorted(listed["items"]) == sorted(c["actor_id"] for c in communities)
    assert "<html" in httpx.get(here, headers={"Accept": "text/html"}).text.lower()

    # Beta: anonymous visitors fetch nothing; a member resolves it, with its communities.
    anonymous = httpx.get(f"{beta.server.url}/api/v4/resolve_object", params={"q": ap_id})
    assert anonymous.status_code == 400, anonymous.text
    reader = beta.member()
    found = wait_for(lambda: _try_resolve(beta, reader, ap_id), f"resolving {ap_id} on {beta.name}")
    assert found["type_"] == "multi_community"
    copy = found["multi"]
    assert copy["local"] is False and copy["ap_id"] == ap_id and copy["communities"] == 2
    assert found["owner"]["ap_id"] == owner_ap_id
    got = _v4(beta, reader, "GET", "/multi_community", id=copy["id"])
    assert sorted(c["community"]["ap_id"] for c in got["communities"]) == sorted(
        c["actor_id"] for c in communities
    )
    by_name = _v4(beta, reader, "GET", "/multi_community", name=f"{feed_name}@{alpha.host}")
    assert by_name["multi_community_view"]["multi"]["id"] == copy["id"]

    # Followed on beta; the communities' new posts arrive and list in the feed there.
    followed = _v4(
        beta,
        reader,
        "POST",
        "/multi_community/follow",
        {"multi_community_id": copy["id"], "follow": True},
    )
    assert followed["multi_community_view"]["follow_state"] == "accepted"
    for name in names:
        follow(reader, alpha.host, name)
    post = owner.ok(
        "POST", "/post", {"name": "Through the feed", "community_id": communities[0]["id"]}
    )
    post_ap = post["post_view"]["post"]["ap_id"]

    def arrived() -> bool:
        page = _v4(beta, reader, "GET", "/post/list", multi_community_id=copy["id"], sort="new")
        return any(item["post"]["ap_id"] == post_ap for item in page["items"])

    wait_for(arrived, "the post in beta's copy of the feed")
    # The copy cannot be changed there: its home is alpha.
    refused = reader.http.post(
        f"{beta.server.url}/api/v4/multi_community/entry",
        json={"id": copy["id"], "community_id": got["communities"][0]["community"]["id"]},
    )
    assert refused.json()["error"] == "multi_community_update_wrong_user"


def _try_resolve(peer: Peer, api: Api, url: str) -> Any:
    answer = api.http.get(f"{peer.server.url}/api/v4/resolve_object", params={"q": url})
    return answer.json() if answer.status_code == 200 else None
