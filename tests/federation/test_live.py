"""Must show 2: three live instances (moot-alpha on SQLite, moot-beta on PostgreSQL,
moot-gamma on SQLite) federating in Lemmy's dialect over loopback."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, Peer, follow, resolve, wait_for

AP = {"Accept": "application/activity+json"}


def _posts(api: Api, community_id: int) -> dict[str, dict[str, Any]]:
    listed = api.ok(
        "GET", "/post/list", community_id=community_id, sort="New", limit=50, type_="All"
    )
    return {p["post"]["ap_id"]: p for p in listed["posts"]}


def _comments(api: Api, post_id: int) -> dict[str, dict[str, Any]]:
    listed = api.ok("GET", "/comment/list", post_id=post_id, limit=50, sort="New", type_="All")
    return {c["comment"]["ap_id"]: c for c in listed["comments"]}


def _post_on(api: Api, community_id: int, ap_id: str, **expected: Any) -> dict[str, Any]:
    """Wait until the post `ap_id` is listed with these counts (and title, if given)."""

    def check() -> dict[str, Any] | None:
        found = _posts(api, community_id).get(ap_id)
        if found is None:
            return None
        title = expected.get("name")
        counts = {k: v for k, v in expected.items() if k != "name"}
        if title is not None and found["post"]["name"] != title:
            return None
        if any(found["counts"][k] != v for k, v in counts.items()):
            return None
        return found

    return wait_for(check, f"post {ap_id} with {expected} on {api.server.hostname}")


def _comment_on(api: Api, post_id: int, ap_id: str, **counts: Any) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        found = _comments(api, post_id).get(ap_id)
        if found is None or any(found["counts"][k] != v for k, v in counts.items()):
            return None
        return found

    return wait_for(check, f"comment {ap_id} with {counts} on {api.server.hostname}")


def _community(peer: Peer, name: str) -> int:
    made = peer.admin.ok("POST", "/community", {"name": name, "title": name.title()})
    return int(made["community_view"]["community"]["id"])


def test_discovery_and_content_negotiation(cluster: Cluster) -> None:
    alpha = cluster.alpha
    name = unique("disc")
    _community(alpha, name)
    base = alpha.server.url
    finger = httpx.get(
        f"{base}/.well-known/webfinger", params={"resource": f"acct:{name}@{alpha.host}"}
    )
    assert finger.status_code == 200
    assert finger.headers["content-type"].startswith("application/jrd+json")
    self_link = next(link for link in finger.json()["links"] if link["rel"] == "self")
    assert self_link["href"] == f"http://{alpha.host}/c/{name}"
    assert (
        httpx.get(
            f"{base}/.well-known/webfinger", params={"resource": f"acct:nobody@{alpha.host}"}
        ).status_code
        == 404
    )
    # The same URL: a page for browsers, the Group for servers.
    group = httpx.get(f"{base}/c/{name}", headers=AP)
    assert group.headers["content-type"] == "application/activity+json"
    assert group.json()["type"] == "Group"
    assert group.json()["publicKey"]["id"] == f"http://{alpha.host}/c/{name}#main-key"
    site = httpx.get(f"{base}/", headers=AP).json()
    assert site["type"] == "Application" and site["inbox"] == f"http://{alpha.host}/inbox"
    person = httpx.get(f"{base}/u/admin", headers=AP).json()
    assert person["type"] == "Person" and person["endpoints"]["sharedInbox"].endswith("/inbox")
    assert (
        httpx.get(f"{base}/u/admin", headers={"Accept": "text/html"})
        .headers["content-type"]
        .startswith("text/html")
    )
    for collection, kind in (
        ("outbox", "OrderedCollection"),
        ("followers", "Collection"),
        ("featured", "OrderedCollection"),
        ("moderators", "OrderedCollection"),
    ):
        body = httpx.get(f"{base}/c/{name}/{collection}", headers=AP).json()
        assert body["type"] == kind, collection
    mods = httpx.get(f"{base}/c/{name}/moderators", headers=AP).json()
    assert mods["orderedItems"] == [f"http://{alpha.host}/u/admin"]
    nodeinfo = httpx.get(f"{base}/nodeinfo/2.1").json()
    assert nodeinfo["usage"]["users"]["total"] >= 1
    assert (
        nodeinfo["usage"]["localPosts"]
        == alpha.admin.ok("GET", "/site")["site_view"]["counts"]["posts"]
    )
    # Anonymous visitors resolve only what the instance already has.
    anon = Api(alpha.server)
    local = anon.ok("GET", "/resolve_object", q=f"http://{alpha.host}/c/{name}")
    assert local["community"]["community"]["name"] == name
    assert anon.error("GET", "/resolve_object", q=f"!{name}@{cluster.beta.host}") == (
        400,
        "not_logged_in",
    )
    # A deleted post is a 410 Tombstone; a remote post's local URL redirects home (308).
    community_id = int(
        alpha.admin.ok("GET", "/community", name=name)["community_view"]["community"]["id"]
    )
    post = alpha.admin.ok("POST", "/post", {"name": "to be deleted", "community_id": community_id})
    post_id = post["post_view"]["post"]["id"]
    page = httpx.get(f"{base}/post/{post_id}", headers=AP)
    assert page.status_code == 200 and page.json()["type"] == "Page"
    alpha.admin.ok("POST", "/post/delete", {"post_id": post_id, "deleted": True})
    gone = httpx.get(f"{base}/post/{post_id}", headers=AP)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"


def test_follow_post_comment_vote_edit_delete_across_three(cluster: Cluster) -> None:
    alpha, beta, gamma = cluster.alpha, cluster.beta, cluster.gamma
    name = unique("main")
    on_beta = _community(beta, name)
    a_user, g_user, b_user = alpha.member(), gamma.member(), beta.member()
    on_alpha = follow(a_user, beta.host, name)
    on_gamma = follow(g_user, beta.host, name)

    # A post from alpha in beta's community reaches beta, and gamma through beta's Announce.
    made = a_user.ok(
        "POST",
        "/post",
        {"name": "From alpha", "community_id": on_alpha, "body": "Hello *fediverse*"},
    )["post_view"]["post"]
    ap_id = made["ap_id"]
    on_b = _post_on(b_user, on_beta, ap_id, score=1)
    on_g = _post_on(g_user, on_gamma, ap_id, score=1)
    assert on_g["post"]["body"] == "Hello *fediverse*" and not on_g["post"]["local"]

    # Comments and a reply from the other two, votes from all three.
    g_comment = g_user.ok(
        "POST", "/comment", {"post_id": on_g["post"]["id"], "content": "gamma says hi"}
    )["comment_view"]["comment"]
    b_seen = _comment_on(b_user, on_b["post"]["id"], g_comment["ap_id"])
    b_reply = b_user.ok(
        "POST",
        "/comment",
        {
            "post_id": on_b["post"]["id"],
            "content": "beta replies",
            "parent_id": b_seen["comment"]["id"],
        },
    )["comment_view"]["comment"]
    b_user.ok("POST", "/post/like", {"post_id": on_b["post"]["id"], "score": 1})
    g_user.ok("POST", "/post/like", {"post_id": on_g["post"]["id"], "score": -1})
    a_seen = _comment_on(a_user, made["id"], g_comment["ap_id"])
    a_user.ok("POST", "/comment/like", {"comment_id": a_seen["comment"]["id"], "score": 1})

    for api, community_id in ((a_user, on_alpha), (b_user, on_beta), (g_user, on_gamma)):
        post = _post_on(api, community_id, ap_id, score=1, upvotes=2, downvotes=1, comments=2)
        reply = _comment_on(api, post["post"]["id"], b_reply["ap_id"])
        assert reply["comment"]["path"].count(".") == 2  # a reply to gamma's comment
        _comment_on(api, post["post"]["id"], g_comment["ap_id"], score=2, child_count=1)

    # A remote post's local URL sends servers to its home (308).
    moved = httpx.get(f"{gamma.server.url}/post/{on_g['post']['id']}", headers=AP)
    assert moved.status_code == 308 and moved.headers["location"] == ap_id

    # Admins see how far delivery to each instance has come.
    states = beta.admin.ok("GET", "/federated_instances")["federated_instances"]["linked"]
    by_domain = {i["domain"]: i for i in states}
    for domain in ("moot-alpha", "moot-gamma"):
        state = by_domain[domain]["federation_state"]
        assert state["last_successful_id"] > 0 and state["fail_count"] == 0

    # An edit from alpha, a deletion from gamma.
    a_user.ok("PUT", "/post", {"post_id": made["id"], "name": "From alpha, edited"})
    g_user.ok("POST", "/comment/delete", {"comment_id": g_comment["id"], "deleted": True})
    for api, community_id in ((a_user, on_alpha), (b_user, on_beta), (g_user, on_gamma)):
        _post_on(api, community_id, ap_id, name="From alpha, edited", comments=1)


def test_remote_person_profile(cluster: Cluster) -> None:
    alpha, beta, gamma = cluster.alpha, cluster.beta, cluster.gamma
    name = unique("prof")
    _community(beta, name)
    g_name = unique("gp")
    g_user = _member_named(gamma, g_name)
    g_user.ok("PUT", "/user/save_user_settings", {"display_name": "Gee", "pronouns": "they/them"})
    on_gamma = follow(g_user, beta.host, name)
    a_user = alpha.member()
    follow(a_user, beta.host, name)
    g_user.ok("POST", "/post", {"name": "Gamma's post", "community_id": on_gamma})
    person = resolve(a_user, f"@{g_name}@{gamma.host}")["person"]["person"]
    assert person["display_name"] == "Gee" and person["pronouns"] == "they/them"

    def profile() -> dict[str, Any] | None:
        details = a_user.ok("GET", "/user", person_id=person["id"])
        return details if details["posts"] else None

    details = wait_for(profile, "gamma's post on alpha's view of the profile")
    assert [p["post"]["name"] for p in details["posts"]] == ["Gamma's post"]
    assert details["person_view"]["person"]["local"] is False


def _member_named(peer: Peer, name: str) -> Api:
    anon = Api(peer.server)
    token = anon.ok(
        "POST",
        "/user/register",
        {"username": name, "password": "password-123", "password_verify": "password-123"},
    )["jwt"]
    return Api(peer.server, token)


def test_community_update_reaches_followers(cluster: Cluster) -> None:
    beta, gamma = cluster.beta, cluster.gamma
    name = unique("upd")
    on_beta = _community(beta, name)
    g_user = gamma.member()
    on_gamma = follow(g_user, beta.host, name)
    beta.admin.ok(
        "PUT",
        "/community",
        {"community_id": on_beta, "title": "Renamed on beta", "description": "new words"},
    )
    wait_for(
        lambda: (
            g_user.ok("GET", "/community", id=on_gamma)["community_view"]["community"]["title"]
            == "Renamed on beta"
        ),
        "the new title on gamma",
    )


def test_instance_block_stops_traffic_both_ways(cluster: Cluster) -> None:
    alpha, gamma = cluster.alpha, cluster.gamma
    name = unique("blk")
    on_alpha = _community(alpha, name)
    g_user = gamma.member()
    on_gamma = follow(g_user, alpha.host, name)
    alpha.admin.ok("PUT", "/site", {"blocked_instances": ["moot-gamma"]})
    try:
        # Alpha stops sending to gamma…
        blocked_post = alpha.admin.ok(
            "POST", "/post", {"name": "Not for gamma", "community_id": on_alpha}
        )["post_view"]["post"]
        # …and refuses what gamma sends.
        refused = g_user.ok("POST", "/post", {"name": "Not for alpha", "community_id": on_gamma})
        refused_id = refused["post_view"]["post"]["ap_id"]
        # Something that does flow (alpha to beta) shows the time it takes.
        b_user = cluster.beta.member()
        on_beta = follow(b_user, alpha.host, name)
        canary = alpha.admin.ok("POST", "/post", {"name": "For beta", "community_id": on_alpha})
        _post_on(b_user, on_beta, canary["post_view"]["post"]["ap_id"])
        assert blocked_post["ap_id"] not in _posts(g_user, on_gamma)
        assert refused_id not in _posts(alpha.admin, on_alpha)
        states = alpha.admin.ok("GET", "/federated_instances")["federated_instances"]
        assert [i["domain"] for i in states["blocked"]] == ["moot-gamma"]
    finally:
        alpha.admin.ok("PUT", "/site", {"blocked_instances": []})


def test_receiver_killed_in_a_burst_of_500_gets_each_once(cluster: Cluster) -> None:
    alpha, gamma = cluster.alpha, cluster.gamma
    name = unique("burst")
    on_alpha = _community(alpha, name)
    g_user = gamma.member()
    on_gamma = follow(g_user, alpha.host, name)
    post = alpha.admin.ok("POST", "/post", {"name": "Burst", "community_id": on_alpha})
    post = post["post_view"]["post"]
    g_post = _post_on(g_user, on_gamma, post["ap_id"])["post"]
    texts = [f"burst comment {i}" for i in range(500)]
    for i, text in enumerate(texts):
        alpha.admin.ok("POST", "/comment", {"post_id": post["id"], "content": text})
        if i == 150:
            assert gamma.server.process is not None
            gamma.server.process.kill()  # no goodbye: mid-transaction, mid-request
            gamma.server.process.wait()
    gamma.server.start()
    wait_for(
        lambda: (
            g_user.ok("GET", "/post", id=g_post["id"])["post_view"]["counts"]["comments"] == 500
        ),
        "all 500 comments on gamma",
        timeout=180,
    )
    rows = _sqlite(
        gamma,
        "SELECT count(*), count(DISTINCT ap_id), count(DISTINCT content) FROM comment"
        f" WHERE post_id = {int(g_post['id'])}",
    )
    assert rows == [(500, 500, 500)]
    # Nothing was left behind in gamma's inbox either.
    assert _sqlite(gamma, "SELECT count(*) FROM received_activity WHERE state != 'done'") == [(0,)]
    # The operator of alpha saw deliveries fail while gamma was down.
    failed = [
        line
        for line in alpha.server.log_path.read_text().splitlines()
        if " WARNING moot.delivery " in line and f"{gamma.host}" in line
    ]
    assert failed, alpha.server.log_tail()


def _sqlite(peer: Peer, query: str) -> list[tuple[Any, ...]]:
    assert peer.server.backend == "sqlite"
    with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
        return conn.execute(query).fetchall()


def test_account_deletion_with_content_reaches_every_instance(cluster: Cluster) -> None:
    alpha, beta, gamma = cluster.alpha, cluster.beta, cluster.gamma
    name = unique("gone")
    on_beta = _community(beta, name)
    g_user = gamma.member()
    on_gamma = follow(g_user, beta.host, name)
    a_user = alpha.member()
    on_alpha = follow(a_user, beta.host, name)
    made = g_user.ok("POST", "/post", {"name": "Soon gone", "community_id": on_gamma})
    ap_id = made["post_view"]["post"]["ap_id"]
    seen = _post_on(a_user, on_alpha, ap_id)
    _post_on(beta.admin, on_beta, ap_id)
    # Alpha's vote makes gamma fetch alpha's person, and with it alpha's site actor: an
    # account deletion goes to every instance moot has a site actor for.
    a_user.ok("POST", "/post/like", {"post_id": seen["post"]["id"], "score": 1})
    _post_on(g_user, on_gamma, ap_id, score=2)
    g_user.ok("POST", "/user/delete_account", {"password": "password-123", "delete_content": True})

    for api, community_id in ((a_user, on_alpha), (beta.admin, on_beta)):
        wait_for(
            lambda api=api, community_id=community_id: ap_id not in _posts(api, community_id),
            f"the deleted account's post gone from {api.server.hostname}",
        )


def test_a_newly_found_community_brings_its_posts_and_moderators(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("old")
    on_beta = _community(beta, name)
    titles = {"Written before alpha knew", "Also before"}
    for title in titles:
        beta.admin.ok("POST", "/post", {"name": title, "community_id": on_beta})
    reader = alpha.member()
    found = resolve(reader, f"!{name}@{beta.host}")["community"]["community"]["id"]
    wait_for(
        lambda: {p["post"]["name"] for p in _posts(reader, found).values()} == titles,
        "the community's outbox imported on alpha",
    )
    mods = wait_for(
        lambda: reader.ok("GET", "/community", id=found)["moderators"],
        "the moderators of the community on alpha",
    )
    assert [m["moderator"]["actor_id"] for m in mods] == [f"http://{beta.host}/u/admin"]
