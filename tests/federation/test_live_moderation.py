"""Moderation and private messages across the three live instances (issue 5, must show 2):
a community on beta, followed from alpha and gamma; every scenario is made through the
API on one instance and checked through the API of each of the others."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from moot.federation.protocol.common import CONTEXT, PUBLIC
from tests.conftest import Api, register, unique
from tests.federation.conftest import Cluster, Peer, follow, resolve, wait_for
from tests.federation.peer import EvilPeer, start_peer
from tests.federation.test_live import _comment_on, _comments, _post_on, _posts


@dataclass
class Stage:
    """Beta's community, as each instance knows it, and a follower on alpha and gamma."""

    name: str
    actor: str  # the community's URL
    ids: dict[str, int]  # its id on each instance
    a_user: Api
    g_user: Api
    b_user: Api

    def on(self, api: Api) -> int:
        return self.ids[api.server.hostname.split(":")[0].removeprefix("moot-")]


@pytest.fixture(scope="module")
def stage(cluster: Cluster) -> Stage:
    beta = cluster.beta
    name = unique("modf")
    made = beta.admin.ok("POST", "/community", {"name": name, "title": "Moderated"})
    a_user, g_user = cluster.alpha.member(), cluster.gamma.member()
    ids = {
        "beta": int(made["community_view"]["community"]["id"]),
        "alpha": follow(a_user, beta.host, name),
        "gamma": follow(g_user, beta.host, name),
    }
    actor = str(made["community_view"]["community"]["actor_id"])
    return Stage(name, actor, ids, a_user, g_user, beta.member())


@pytest.fixture(scope="module")
def evil() -> Iterator[EvilPeer]:
    peer = start_peer("moot-rogue")
    yield peer
    peer.close()


def _beta_post(stage: Stage, cluster: Cluster, title: str) -> dict[str, dict[str, Any]]:
    """A post by a beta member, as each instance's follower sees it (keyed by instance)."""
    made = stage.b_user.ok("POST", "/post", {"name": title, "community_id": stage.ids["beta"]})
    ap_id = made["post_view"]["post"]["ap_id"]
    return {
        "beta": made["post_view"],
        "alpha": _post_on(stage.a_user, stage.ids["alpha"], ap_id),
        "gamma": _post_on(stage.g_user, stage.ids["gamma"], ap_id),
    }


def _viewers(stage: Stage) -> list[tuple[str, Api]]:
    return [("alpha", stage.a_user), ("beta", stage.b_user), ("gamma", stage.g_user)]


def _comment_is(api: Api, post_id: int, ap_id: str, **fields: Any) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        found = _comments(api, post_id).get(ap_id)
        if found is None or any(found["comment"][k] != v for k, v in fields.items()):
            return None
        return found

    return wait_for(check, f"comment {ap_id} with {fields} on {api.server.hostname}")


def _post_field(api: Api, post_id: int, **fields: Any) -> None:
    wait_for(
        lambda: all(
            api.ok("GET", "/post", id=post_id)["post_view"]["post"][k] == v
            for k, v in fields.items()
        ),
        f"post {post_id} with {fields} on {api.server.hostname}",
    )


def _modlog(api: Api, kind: str, community_id: int) -> list[dict[str, Any]]:
    log = api.ok("GET", "/modlog", type_=kind, community_id=community_id)
    key = {
        "ModRemoveComment": "removed_comments",
        "ModBanFromCommunity": "banned_from_community",
        "ModLockPost": "locked_posts",
    }[kind]
    entries: list[dict[str, Any]] = log[key]
    return entries


def _rows(peer: Peer, query: str) -> list[tuple[str, ...]]:
    """Rows of the instance's own database, on either backend (received activities have
    no API)."""
    if peer.server.backend == "sqlite":
        with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
            return [tuple(str(v) for v in r) for r in conn.execute(query).fetchall()]
    out = subprocess.run(
        ["psql", peer.server.database_url, "-qAt", "-F", "\t", "-c", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def _outcome(peer: Peer, activity_id: str) -> tuple[str, str]:
    """(state, failure) of a received activity once processed."""

    def check() -> tuple[str, str] | None:
        found = _rows(
            peer,
            "SELECT state, coalesce(failure, '') FROM received_activity"
            f" WHERE ap_id = '{activity_id}' AND state != 'pending'",
        )
        return (found[0][0], found[0][1]) if found else None

    return wait_for(check, f"{activity_id} processed on {peer.host}")


def test_a_mod_on_beta_removes_a_comment_from_alpha_everywhere(
    cluster: Cluster, stage: Stage
) -> None:
    post = _beta_post(stage, cluster, "Remove a comment")
    comment = stage.a_user.ok(
        "POST", "/comment", {"post_id": post["alpha"]["post"]["id"], "content": "rude words"}
    )["comment_view"]["comment"]
    ap_id = comment["ap_id"]
    on = {
        name: _comment_on(api, post[name]["post"]["id"], ap_id)["comment"]
        for name, api in _viewers(stage)
    }
    cluster.beta.admin.ok(
        "POST",
        "/comment/remove",
        {"comment_id": on["beta"]["id"], "removed": True, "reason": "rude"},
    )
    for name, api in _viewers(stage):
        _comment_is(api, post[name]["post"]["id"], ap_id, removed=True, content="")
        _post_on(api, stage.on(api), post[name]["post"]["ap_id"], comments=0)
    # The receivers' modlogs say who removed it and why.
    for peer in (cluster.alpha, cluster.gamma):
        logged = _modlog(peer.admin, "ModRemoveComment", stage.on(peer.admin))
        entry = next(e for e in logged if e["comment"]["ap_id"] == ap_id)
        assert entry["mod_remove_comment"]["reason"] == "rude"

    cluster.beta.admin.ok(
        "POST", "/comment/remove", {"comment_id": on["beta"]["id"], "removed": False}
    )
    for name, api in _viewers(stage):
        _comment_is(api, post[name]["post"]["id"], ap_id, removed=False, content="rude words")
        _post_on(api, stage.on(api), post[name]["post"]["ap_id"], comments=1)


def test_a_community_ban_from_beta_holds_everywhere_until_lifted(
    cluster: Cluster, stage: Stage
) -> None:
    post = _beta_post(stage, cluster, "Ban a commenter")
    spammer = cluster.alpha.member()
    first = spammer.ok(
        "POST", "/comment", {"post_id": post["alpha"]["post"]["id"], "content": "buy things"}
    )["comment_view"]
    ap_id = first["comment"]["ap_id"]
    for name, api in _viewers(stage):
        _comment_on(api, post[name]["post"]["id"], ap_id)
    on_beta = _comment_on(stage.b_user, post["beta"]["post"]["id"], ap_id)
    banned_id = on_beta["creator"]["id"]
    cluster.beta.admin.ok(
        "POST",
        "/community/ban_user",
        {
            "community_id": stage.ids["beta"],
            "person_id": banned_id,
            "ban": True,
            "remove_data": True,
            "reason": "spam",
            "expires": int(time.time()) + 86400,
        },
    )
    # The ban's content removal and the ban itself are known on all three.
    for name, api in _viewers(stage):
        seen = _comment_is(api, post[name]["post"]["id"], ap_id, removed=True)
        assert seen["creator_banned_from_community"] is True
    for peer in (cluster.alpha, cluster.gamma):
        logged = _modlog(peer.admin, "ModBanFromCommunity", stage.on(peer.admin))
        actor = on_beta["creator"]["actor_id"]
        entry = next(e for e in logged if e["banned_person"]["actor_id"] == actor)
        assert entry["mod_ban_from_community"]["reason"] == "spam"
        assert entry["mod_ban_from_community"]["expires"] is not None
    # New comments are refused at home, so they reach neither beta nor gamma.
    assert spammer.error(
        "POST", "/comment", {"post_id": post["alpha"]["post"]["id"], "content": "more"}
    ) == (400, "banned_from_community")

    cluster.beta.admin.ok(
        "POST",
        "/community/ban_user",
        {
            "community_id": stage.ids["beta"],
            "person_id": banned_id,
            "ban": False,
            "remove_data": True,
        },
    )
    for name, api in _viewers(stage):
        seen = _comment_is(api, post[name]["post"]["id"], ap_id, removed=False)
        assert seen["creator_banned_from_community"] is False
    again = spammer.ok(
        "POST", "/comment", {"post_id": post["alpha"]["post"]["id"], "content": "sorry"}
    )["comment_view"]["comment"]["ap_id"]
    for name, api in _viewers(stage):
        _comment_on(api, post[name]["post"]["id"], again)


def _note(evil: EvilPeer, stage: Stage, post_ap_id: str, text: str) -> tuple[str, bytes]:
    note_id = f"{evil.origin}/comment/{unique('n')}"
    mallory = evil.actor("mallory")
    note = {
        "type": "Note",
        "id": note_id,
        "attributedTo": mallory,
        "to": [PUBLIC],
        "cc": [stage.actor],
        "audience": stage.actor,
        "inReplyTo": post_ap_id,
        "content": f"<p>{text}</p>",
        "mediaType": "text/html",
    }
    activity_id = evil.activity_id("create")
    create = {
        "@context": CONTEXT,
        "id": activity_id,
        "type": "Create",
        "actor": mallory,
        "to": [PUBLIC],
        "cc": [stage.actor],
        "audience": stage.actor,
        "object": note,
    }
    return activity_id, json.dumps(create).encode()


def test_a_person_banned_on_beta_is_refused_by_beta_and_gamma_whatever_home_does(
    cluster: Cluster, stage: Stage, evil: EvilPeer
) -> None:
    """A home instance that ignored the ban (the hand-written peer) gets no further."""
    beta, gamma = cluster.beta, cluster.gamma
    post = _beta_post(stage, cluster, "Ban a stranger")
    ap_id = post["beta"]["post"]["ap_id"]
    accepted, body = _note(evil, stage, ap_id, "hello from evil")
    assert evil.post(beta.server, body).status_code == 200
    assert _outcome(beta, accepted) == ("done", "")
    mallory = resolve(beta.admin, evil.actor("mallory"))["person"]["person"]["id"]
    beta.admin.ok(
        "POST",
        "/community/ban_user",
        {"community_id": stage.ids["beta"], "person_id": mallory, "ban": True},
    )
    wait_for(
        lambda: any(
            e["banned_person"]["actor_id"] == evil.actor("mallory")
            for e in _modlog(gamma.admin, "ModBanFromCommunity", stage.ids["gamma"])
        ),
        "the ban of mallory on gamma",
    )
    for peer in (beta, gamma):
        refused, body = _note(evil, stage, ap_id, "still here")
        assert evil.post(peer.server, body).status_code == 200
        assert _outcome(peer, refused) == ("failed", "banned_from_community")


def test_a_site_ban_on_alpha_reaches_beta_and_gamma_with_the_content(
    cluster: Cluster, stage: Stage
) -> None:
    alpha = cluster.alpha
    troll = alpha.member()
    made = troll.ok("POST", "/post", {"name": "Troll post", "community_id": stage.ids["alpha"]})[
        "post_view"
    ]["post"]
    on = {name: _post_on(api, stage.on(api), made["ap_id"]) for name, api in _viewers(stage)}
    # A site ban goes to the instances the banning one knows (as Lemmy's): gamma's vote,
    # announced by beta, makes alpha meet gamma.
    stage.g_user.ok("POST", "/post/like", {"post_id": on["gamma"]["post"]["id"], "score": 1})
    _post_on(troll, stage.ids["alpha"], made["ap_id"], score=2)
    troll_id = troll.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    alpha.admin.ok(
        "POST",
        "/user/ban",
        {"person_id": troll_id, "ban": True, "remove_data": True, "reason": "trolling"},
    )
    for name, api in _viewers(stage):
        wait_for(
            lambda api=api: made["ap_id"] not in _posts(api, stage.on(api)),
            f"the banned person's post gone from {name}",
        )
        person = on[name]["creator"]["id"]
        assert api.ok("GET", "/user", person_id=person)["person_view"]["person"]["banned"]
    # Lifted with its data: the post is back everywhere.
    alpha.admin.ok("POST", "/user/ban", {"person_id": troll_id, "ban": False, "remove_data": True})
    for name, api in _viewers(stage):
        _post_on(api, stage.on(api), made["ap_id"])
        person = on[name]["creator"]["id"]
        assert not api.ok("GET", "/user", person_id=person)["person_view"]["person"]["banned"]


def test_a_lock_on_beta_stops_remote_comments_until_unlocked(
    cluster: Cluster, stage: Stage
) -> None:
    post = _beta_post(stage, cluster, "Lock me")
    beta_id = post["beta"]["post"]["id"]
    cluster.beta.admin.ok("POST", "/post/lock", {"post_id": beta_id, "locked": True})
    for name, api in _viewers(stage):
        _post_field(api, post[name]["post"]["id"], locked=True)
    for api, name in ((stage.a_user, "alpha"), (stage.g_user, "gamma")):
        assert api.error(
            "POST", "/comment", {"post_id": post[name]["post"]["id"], "content": "no"}
        ) == (400, "locked")
    cluster.beta.admin.ok("POST", "/post/lock", {"post_id": beta_id, "locked": False})
    _post_field(stage.a_user, post["alpha"]["post"]["id"], locked=False)
    reply = stage.a_user.ok(
        "POST", "/comment", {"post_id": post["alpha"]["post"]["id"], "content": "open again"}
    )["comment_view"]["comment"]["ap_id"]
    _comment_on(stage.b_user, beta_id, reply)
    _comment_on(stage.g_user, post["gamma"]["post"]["id"], reply)


def test_a_moderator_appointed_on_beta_moderates_from_alpha(cluster: Cluster, stage: Stage) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    mod_name = unique("amod")
    a_mod = register(alpha.server, mod_name)
    on_beta = resolve(beta.admin, f"@{mod_name}@{alpha.host}")["person"]["person"]["id"]
    beta.admin.ok(
        "POST",
        "/community/mod",
        {"community_id": stage.ids["beta"], "person_id": on_beta, "added": True},
    )

    def mods(api: Api) -> list[str]:
        found = api.ok("GET", "/community", id=stage.on(api))["moderators"]
        return [m["moderator"]["actor_id"] for m in found]

    a_mod_actor = f"http://{alpha.host}/u/{mod_name}"
    for name, api in _viewers(stage):
        wait_for(lambda api=api: a_mod_actor in mods(api), f"the new moderator on {name}")

    # The new moderator removes a gamma member's post, from alpha.
    made = stage.g_user.ok(
        "POST", "/post", {"name": "Off topic", "community_id": stage.ids["gamma"]}
    )["post_view"]["post"]
    seen = _post_on(a_mod, stage.ids["alpha"], made["ap_id"])
    _post_on(stage.b_user, stage.ids["beta"], made["ap_id"])
    a_mod.ok(
        "POST",
        "/post/remove",
        {"post_id": seen["post"]["id"], "removed": True, "reason": "off topic"},
    )
    for name, api in _viewers(stage):
        wait_for(
            lambda api=api: made["ap_id"] not in _posts(api, stage.on(api)),
            f"the removed post gone from {name}",
        )

    beta.admin.ok(
        "POST",
        "/community/mod",
        {"community_id": stage.ids["beta"], "person_id": on_beta, "added": False},
    )
    for name, api in _viewers(stage):
        wait_for(lambda api=api: a_mod_actor not in mods(api), f"the moderator gone on {name}")


def test_a_post_featured_on_beta_is_featured_remotely(cluster: Cluster, stage: Stage) -> None:
    post = _beta_post(stage, cluster, "Feature me")
    beta_id = post["beta"]["post"]["id"]
    for featured in (True, False):
        cluster.beta.admin.ok(
            "POST",
            "/post/feature",
            {"post_id": beta_id, "featured": featured, "feature_type": "Community"},
        )
        for name, api in _viewers(stage):
            _post_field(api, post[name]["post"]["id"], featured_community=featured)


def test_a_report_filed_on_alpha_reaches_betas_moderators(cluster: Cluster, stage: Stage) -> None:
    post = _beta_post(stage, cluster, "Report me")
    reason = f"spam link {unique('r')}"
    stage.a_user.ok(
        "POST", "/post/report", {"post_id": post["alpha"]["post"]["id"], "reason": reason}
    )

    def on_beta() -> dict[str, Any] | None:
        listed = cluster.beta.admin.ok("GET", "/post/report/list", community_id=stage.ids["beta"])[
            "post_reports"
        ]
        return next((r for r in listed if r["post_report"]["reason"] == reason), None)

    report = wait_for(on_beta, "the report among beta's post reports")
    assert report["post"]["id"] == post["beta"]["post"]["id"]
    assert report["creator"]["actor_id"].startswith(f"http://{cluster.alpha.host}/u/")
    # Not announced: gamma's moderators of its copy hear nothing of it.
    listed = cluster.gamma.admin.ok("GET", "/post/report/list")["post_reports"]
    assert all(r["post_report"]["reason"] != reason for r in listed)


def test_a_private_message_from_alpha_arrives_edits_and_deletes_on_beta(
    cluster: Cluster, stage: Stage
) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    b_name = unique("pmto")
    b_user = register(beta.server, b_name)
    recipient = resolve(stage.a_user, f"@{b_name}@{beta.host}")["person"]["person"]["id"]
    sent = stage.a_user.ok(
        "POST", "/private_message", {"content": "hello beta", "recipient_id": recipient}
    )["private_message_view"]["private_message"]

    def inbox() -> dict[str, Any] | None:
        listed = b_user.ok("GET", "/private_message/list")["private_messages"]
        return next((p for p in listed if p["private_message"]["ap_id"] == sent["ap_id"]), None)

    got = wait_for(inbox, "the message on beta")
    assert got["private_message"]["content"] == "hello beta"
    assert got["creator"]["actor_id"].startswith(f"http://{alpha.host}/u/")
    stage.a_user.ok(
        "PUT", "/private_message", {"private_message_id": sent["id"], "content": "hello, beta"}
    )
    wait_for(
        lambda: (
            (found := inbox()) is not None
            and found["private_message"]["content"] == "hello, beta"
        ),
        "the edit on beta",
    )
    stage.a_user.ok(
        "POST", "/private_message/delete", {"private_message_id": sent["id"], "deleted": True}
    )
    wait_for(lambda: inbox() is None, "the deletion on beta")

    # Once the recipient blocks the sender, the next message is refused on arrival.
    sender_on_beta = got["creator"]["id"]
    b_user.ok("POST", "/user/block", {"person_id": sender_on_beta, "block": True})
    blocked = stage.a_user.ok(
        "POST", "/private_message", {"content": "are you there", "recipient_id": recipient}
    )["private_message_view"]["private_message"]
    failed = wait_for(
        lambda: _rows(
            beta,
            "SELECT failure FROM received_activity WHERE state = 'failed'"
            f" AND data LIKE '%{blocked['ap_id']}%'",
        ),
        "the refusal on beta",
    )
    assert failed == [("person_is_blocked",)]


def test_moderation_from_someone_not_entitled_is_refused_with_the_reason(
    cluster: Cluster, stage: Stage, evil: EvilPeer
) -> None:
    beta = cluster.beta
    post = _beta_post(stage, cluster, "Not yours to remove")
    mallory = evil.actor("mallory")
    target_user = f"http://{beta.host}/u/{unique('victim')}"
    register(beta.server, target_user.rsplit("/", 1)[1])

    def send(kind: str, **fields: Any) -> str:
        activity_id = evil.activity_id(kind.lower())
        body = {"@context": CONTEXT, "id": activity_id, "type": kind, "actor": mallory}
        body.update(to=[PUBLIC], **fields)
        assert evil.post(beta.server, json.dumps(body).encode()).status_code == 200
        return activity_id

    removal = send(
        "Delete", object=post["beta"]["post"]["ap_id"], cc=[stage.actor], summary="mine now"
    )
    community = send("Delete", object=stage.actor, cc=[stage.actor], summary="gone")
    site_ban = send("Block", object=target_user, target=f"{evil.origin}/", cc=[])
    assert _outcome(beta, removal) == ("failed", "not_a_mod_or_admin")
    assert _outcome(beta, community) == ("failed", "only_local_admin_can_remove_community")
    state, reason = _outcome(beta, site_ban)
    assert state == "failed" and "cannot affect this instance's own users" in reason
    # Nothing changed: the post is listed, the person not banned.
    _post_on(stage.b_user, stage.ids["beta"], post["beta"]["post"]["ap_id"])
    person = resolve(beta.admin, target_user)["person"]["person"]
    assert person["banned"] is False
