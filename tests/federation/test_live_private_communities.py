"""Private communities between live moot instances, as Lemmy 1.0 federates them: the
Group says `manuallyApprovesFollowers`; a member on beta follows a private community on
alpha and stays waiting (no Accept, nothing delivered) until alpha's moderator approves —
then the Accept arrives and the community's new posts with it. A denied follow is
answered by a Reject and is gone on beta too. A private post is refused to an unsigned
fetch and to an instance with no approved follower (gamma), and given to beta once one of
its members is approved."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, Peer, resolve, wait_for

AP = {"Accept": "application/activity+json"}


def _v4(api: Api, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
    base = str(api.http.base_url).replace("/api/v3", "/api/v4")
    answer = api.http.request(method, f"{base}{path}", json=body, params=params or None)
    assert answer.status_code == 200, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json()


def _post(api: Api, community_id: int, title: str) -> dict[str, Any]:
    made = api.ok("POST", "/post", {"name": title, "community_id": community_id})
    return dict(made["post_view"]["post"])


def _subscribed(api: Api, community_id: int) -> str:
    return str(api.ok("GET", "/community", id=community_id)["community_view"]["subscribed"])


def _titles(api: Api, community_id: int) -> list[str]:
    posts = api.ok("GET", "/post/list", community_id=community_id, sort="New")["posts"]
    return [str(p["post"]["name"]) for p in posts]


def _waiting(alpha: Peer, mod: Api, community_id: int) -> list[dict[str, Any]]:
    listed = _v4(mod, "GET", "/community/pending_follows/list", unread_only="true")["items"]
    return [x for x in listed if x["community"]["id"] == community_id]


def test_a_follow_waits_for_approval_across_instances(cluster: Cluster) -> None:
    alpha, beta, gamma = cluster.alpha, cluster.beta, cluster.gamma
    mod = alpha.member()
    name = unique("closed")
    made = mod.ok("POST", "/community", {"name": name, "title": "Closed door"})
    community_id = int(made["community_view"]["community"]["id"])
    _v4(mod, "PUT", "/community", {"community_id": community_id, "visibility": "private"})
    group = httpx.get(f"{alpha.server.url}/c/{name}", headers=AP).json()
    assert group["manuallyApprovesFollowers"] is True
    early = _post(mod, community_id, "Before anyone came")

    # Nobody but an approved follower's instance fetches its posts.
    assert httpx.get(f"{alpha.server.url}/post/{early['id']}", headers=AP).status_code == 403
    assert httpx.get(f"{alpha.server.url}/c/{name}/outbox", headers=AP).status_code == 403
    refused = beta.member().get("/resolve_object", q=early["ap_id"])
    assert refused.status_code >= 400, refused.text

    # A member on beta follows: beta knows the community is private and waits.
    member = beta.member()
    there = resolve(member, f"!{name}@{alpha.host}")["community"]
    remote_id = int(there["community"]["id"])
    assert (
        _v4(member, "GET", "/community", id=remote_id)["community_view"]["community"]["visibility"]
        == "private"
    )
    member.ok("POST", "/community/follow", {"community_id": remote_id, "follow": True})
    asked = _v4(member, "GET", "/community", id=remote_id)["community_view"]
    assert asked["community_actions"]["follow_state"] == "approval_required"
    waiting = wait_for(lambda: _waiting(alpha, mod, community_id), "the follow reaching alpha")
    assert waiting[0]["person"]["ap_id"].startswith(f"http://{beta.host}/u/")
    assert waiting[0]["is_new_instance"] is True
    unapproved = _post(mod, community_id, "While they wait")
    assert _subscribed(member, remote_id) == "Pending"
    assert "While they wait" not in _titles(member, remote_id)

    # Approved: the Accept arrives, and then the community's new posts.
    follower_id = int(waiting[0]["person"]["id"])
    approve = {"community_id": community_id, "follower_id": follower_id, "approve": True}
    _v4(mod, "POST", "/community/pending_follows/approve", approve)
    wait_for(lambda: _subscribed(member, remote_id) == "Subscribed", "the Accept on beta")
    _post(mod, community_id, "For the approved")
    wait_for(lambda: "For the approved" in _titles(member, remote_id), "the post on beta")
    # On beta too, only the approved follower reads it.
    assert "For the approved" not in _titles(Api(beta.server), remote_id)
    assert "For the approved" not in _titles(beta.member(), remote_id)
    # Beta has an approved follower now: its signed fetch is answered; gamma's is not.
    fetched = resolve(member, unapproved["ap_id"])
    assert fetched["post"]["post"]["name"] == "While they wait"
    refused = gamma.member().get("/resolve_object", q=unapproved["ap_id"])
    assert refused.status_code >= 400, refused.text

    # Denied: the Reject reaches beta and the follow is gone there too.
    other = beta.member()
    other_id = int(resolve(other, f"!{name}@{alpha.host}")["community"]["community"]["id"])
    other.ok("POST", "/community/follow", {"community_id": other_id, "follow": True})
    assert _subscribed(other, other_id) == "Pending"
    second = wait_for(
        lambda: [x for x in _waiting(alpha, mod, community_id) if x["person"]["id"] != follower_id],
        "the second follow reaching alpha",
    )
    assert second[0]["is_new_instance"] is False  # beta has an approved follower already
    deny = {
        "community_id": community_id,
        "follower_id": second[0]["person"]["id"],
        "approve": False,
    }
    _v4(mod, "POST", "/community/pending_follows/approve", deny)
    wait_for(lambda: _subscribed(other, other_id) == "NotSubscribed", "the Reject on beta")
    subscribers = mod.ok("GET", "/community", id=community_id)["community_view"]["counts"]
    assert subscribers["subscribers"] == 2  # the moderator and the approved member
