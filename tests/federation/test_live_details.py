"""Federation details of Lemmy 0.19 (issue 10, item 8): a distinguish federates as an Update
of the Note; a fetched community's `featured` collection pins its posts; a remote community
is followed whatever a stale local copy of a ban says; `/community?name=c@HOST:PORT` finds
the community in any case of its host, fetching it when unknown."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, Peer, follow, resolve, wait_for
from tests.federation.test_live import _comment_on, _posts


def _me(api: Api) -> dict[str, Any]:
    return dict(api.ok("GET", "/site")["my_user"]["local_user_view"]["person"])


def _community_on(peer: Peer, name: str) -> tuple[int, str]:
    made = peer.admin.ok("POST", "/community", {"name": name, "title": name.title()})
    community = made["community_view"]["community"]
    return int(community["id"]), str(community["actor_id"])


def test_a_distinguish_federates_both_ways(cluster: Cluster) -> None:
    beta, alpha = cluster.beta, cluster.alpha
    name = unique("dist")
    beta_id, _ = _community_on(beta, name)
    reader = alpha.member()
    alpha_id = follow(reader, beta.host, name)
    post = beta.admin.ok("POST", "/post", {"name": "Rules", "community_id": beta_id})
    beta_post = post["post_view"]["post"]
    alpha_post = wait_for(
        lambda: _posts(reader, alpha_id).get(beta_post["ap_id"]), "the post on alpha"
    )["post"]

    # Beta's moderator distinguishes a comment on beta: alpha applies the Update.
    said = beta.admin.ok("POST", "/comment", {"post_id": beta_post["id"], "content": "Mod note"})
    said_ap = said["comment_view"]["comment"]["ap_id"]
    _comment_on(reader, alpha_post["id"], said_ap)
    beta.admin.ok(
        "POST",
        "/comment/distinguish",
        {"comment_id": said["comment_view"]["comment"]["id"], "distinguished": True},
    )
    wait_for(
        lambda: _comment_on(reader, alpha_post["id"], said_ap)["comment"]["distinguished"],
        "the distinguish on alpha",
    )

    # A moderator on alpha distinguishes on alpha: beta (PostgreSQL) applies it.
    mod = alpha.member()
    mod_actor = _me(mod)["actor_id"]
    on_beta = resolve(beta.admin, mod_actor)["person"]["person"]["id"]
    beta.admin.ok(
        "POST",
        "/community/mod",
        {"community_id": beta_id, "person_id": on_beta, "added": True},
    )
    wait_for(
        lambda: (
            mod_actor
            in [
                m["moderator"]["actor_id"]
                for m in mod.ok("GET", "/community", id=alpha_id)["moderators"]
            ]
        ),
        "the new moderator on alpha",
    )
    note = mod.ok("POST", "/comment", {"post_id": alpha_post["id"], "content": "From alpha"})
    note_ap = note["comment_view"]["comment"]["ap_id"]
    assert not _comment_on(beta.admin, beta_post["id"], note_ap)["comment"]["distinguished"]
    mod.ok(
        "POST",
        "/comment/distinguish",
        {"comment_id": note["comment_view"]["comment"]["id"], "distinguished": True},
    )
    wait_for(
        lambda: _comment_on(beta.admin, beta_post["id"], note_ap)["comment"]["distinguished"],
        "the distinguish on beta",
    )


def test_a_fetched_community_shows_its_pinned_posts(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("pins")
    community_id, _ = _community_on(alpha, name)
    made = [
        alpha.admin.ok("POST", "/post", {"name": title, "community_id": community_id})
        for title in ("Pinned", "Plain")
    ]
    alpha.admin.ok(
        "POST",
        "/post/feature",
        {
            "post_id": made[0]["post_view"]["post"]["id"],
            "featured": True,
            "feature_type": "Community",
        },
    )
    pinned, plain = (p["post_view"]["post"]["ap_id"] for p in made)

    reader = beta.member()
    found = resolve(reader, f"!{name}@{alpha.host}")["community"]["community"]["id"]
    listed = wait_for(
        lambda: (
            posts
            if (posts := _posts(reader, found))
            .get(pinned, {})
            .get("post", {})
            .get("featured_community")
            else None
        ),
        "the pinned post on beta",
    )
    assert plain in listed and not listed[plain]["post"]["featured_community"]


def test_a_stale_copy_of_a_lifted_ban_does_not_refuse_a_follow(cluster: Cluster) -> None:
    beta, alpha = cluster.beta, cluster.alpha
    name = unique("unban")
    _community_on(beta, name)
    member = alpha.member()
    found = resolve(member, f"!{name}@{beta.host}")["community"]["community"]["id"]
    # What alpha keeps of a ban beta has lifted since (its Undo never arrived).
    alpha.server.sql(
        "INSERT INTO community_person_ban (community_id, person_id, published) "
        f"VALUES ({found}, {_me(member)['id']}, '2026-01-01 00:00:00.000000')"
    )
    assert follow(member, beta.host, name) == found


def test_community_by_name_with_host_and_port(cluster: Cluster) -> None:
    beta, gamma = cluster.beta, cluster.gamma
    name = unique("byname")
    _, actor = _community_on(beta, name)
    shouted = f"{name}@{beta.host.upper()}"
    anonymous = Api(gamma.server)
    unknown = anonymous.get("/community", name=shouted)
    assert unknown.json()["error"] == "couldnt_find_community", unknown.text
    # A signed-in reader makes gamma fetch it; then anyone finds it, in any case.
    fetched = gamma.member().ok("GET", "/community", name=shouted)
    assert fetched["community_view"]["community"]["actor_id"] == actor
    again = anonymous.ok("GET", "/community", name=f"{name}@{beta.host}")
    assert (
        again["community_view"]["community"]["id"] == fetched["community_view"]["community"]["id"]
    )
