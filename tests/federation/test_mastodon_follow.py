"""Mastodon users follow moot users, as they follow Lemmy users (reference §4): the hand-written
peer plays Mastodon with its own Person, Follow and Undo samples. The follower is stored and
accepted at once, then gets the person's posts, comments and votes directly, once per inbox,
until it unfollows. A follow of a person who is gone or banned is refused with its reason."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Api, unique
from tests.federation.conftest import Cluster, Peer, resolve, wait_for
from tests.federation.peer import EvilPeer, start_peer
from tests.federation.test_fixtures import FIXTURES

MASTODON = FIXTURES / "mastodon/activities"


@pytest.fixture(scope="module")
def evil() -> Iterator[EvilPeer]:
    peer = start_peer("moot-masto")
    yield peer
    peer.close()


def _follow(evil: EvilPeer, name: str, person: str) -> dict[str, Any]:
    """Mastodon's Follow sample (no `to`, an id that is no activity path) from `name`."""
    doc: dict[str, Any] = json.loads((MASTODON / "follow.json").read_text())
    doc.update(id=f"{evil.origin}/{uuid.uuid4()}", actor=evil.mastodon_actor(name), object=person)
    return doc


def _undo(evil: EvilPeer, follow: dict[str, Any]) -> dict[str, Any]:
    """Mastodon's Undo sample: it embeds the original Follow, id and all."""
    doc: dict[str, Any] = json.loads((MASTODON / "undo_follow.json").read_text())
    inner = {k: v for k, v in follow.items() if k != "@context"}
    doc.update(id=f"{follow['actor']}#follows/{uuid.uuid4().int % 10**6}/undo", object=inner)
    doc["actor"] = follow["actor"]
    return doc


def _send(evil: EvilPeer, target: Peer, doc: dict[str, Any], name: str, inbox: str) -> None:
    response = evil.post(
        target.server, json.dumps(doc).encode(), signer=name, path=inbox, mastodon=True
    )
    assert response.status_code == 200, response.text


def _me(api: Api) -> dict[str, Any]:
    person: dict[str, Any] = api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    return person


def _arrived(evil: EvilPeer, inbox: str, check: Any) -> list[dict[str, Any]]:
    return [doc for path, doc in list(evil.deliveries) if path == inbox and check(doc)]


def _one(evil: EvilPeer, inbox: str, what: str, check: Any) -> dict[str, Any]:
    found = wait_for(lambda: _arrived(evil, inbox, check), f"{what} at {inbox}")
    return found[0]


def _about(kind: str, object_id: str) -> Any:
    def check(doc: dict[str, Any]) -> bool:
        obj = doc.get("object")
        named = obj.get("id") if isinstance(obj, dict) else obj
        return doc.get("type") == kind and named == object_id

    return check


@pytest.mark.parametrize("which", ["alpha", "beta"])
def test_a_mastodon_follower_gets_the_persons_posts_comments_and_votes_until_it_unfollows(
    cluster: Cluster, evil: EvilPeer, which: str
) -> None:
    target: Peer = getattr(cluster, which)
    writer = target.member()
    me = _me(writer)
    person = str(me["actor_id"])
    inbox = f"/u/{me['name']}/inbox"  # Mastodon posts a Follow to the person's own inbox
    # Two followers behind the peer's shared inbox, and one with only its own inbox.
    ann, bob, solo = unique("ann"), unique("bob"), unique("solo")
    follows = {name: _follow(evil, name, person) for name in (ann, bob, solo)}
    for name, follow in follows.items():
        _send(evil, target, follow, name, inbox)
    shared, own = "/inbox", f"/users/{solo}/inbox"
    for name, follow in follows.items():
        where = own if name == solo else shared
        accept = _one(
            evil, where, f"the Accept of {name}", lambda d, f=follow: _about("Accept", f["id"])(d)
        )
        assert accept["actor"] == person and accept["to"] == [follow["actor"]]
        assert accept["object"] == {k: v for k, v in follow.items() if k != "@context"}

    community = unique("mf")
    made = writer.ok("POST", "/community", {"name": community, "title": "Mine"})
    community_id = made["community_view"]["community"]["id"]
    post = writer.ok("POST", "/post", {"name": "Toot-worthy", "community_id": community_id})
    post_url = post["post_view"]["post"]["ap_id"]
    comment = writer.ok(
        "POST", "/comment", {"post_id": post["post_view"]["post"]["id"], "content": "a reply"}
    )
    comment_url = comment["comment_view"]["comment"]["ap_id"]
    other = target.admin.ok("POST", "/post", {"name": "Liked", "community_id": community_id})
    other_url = other["post_view"]["post"]["ap_id"]
    writer.ok("POST", "/post/like", {"post_id": other["post_view"]["post"]["id"], "score": 1})

    sent = [
        ("Create", post_url, "Page"),
        ("Create", comment_url, "Note"),
        ("Like", other_url, None),
    ]
    for where in (shared, own):
        for kind, url, shape in sent:
            got = _one(evil, where, f"{kind} of {url}", _about(kind, url))
            assert got["actor"] == person
            if shape:
                assert got["object"]["type"] == shape and got["cc"][0].endswith(f"/c/{community}")
    # Each row goes to its inboxes in sorted order, "/inbox" before "/users/…", and each has
    # reached the latter: two followers share the first, which got every activity once.
    for kind, url, _ in sent:
        assert len(_arrived(evil, shared, _about(kind, url))) == 1, (kind, url)
    # Nothing the admin did reached the writer's followers.
    assert not _arrived(evil, shared, _about("Create", other_url))

    for name in (ann, bob):
        _send(evil, target, _undo(evil, follows[name]), name, f"/u/{me['name']}/inbox")
    # Undone in arrival order: once a later follow is accepted, both undos were applied.
    late = unique("solo")
    late_follow = _follow(evil, late, person)
    _send(evil, target, late_follow, late, inbox)
    _one(evil, f"/users/{late}/inbox", "the late Accept", _about("Accept", late_follow["id"]))

    after = writer.ok("POST", "/post", {"name": "After the undo", "community_id": community_id})
    after_url = after["post_view"]["post"]["ap_id"]
    # One delivery walks a row's inboxes in order, and "/inbox" sorts before "/users/…": had
    # the shared inbox still been a follower, it would have had the post first.
    _one(evil, own, "the post after the undo", _about("Create", after_url))
    assert not _arrived(evil, shared, _about("Create", after_url))


def test_posts_in_a_remote_community_reach_the_community_and_the_followers(
    cluster: Cluster, evil: EvilPeer
) -> None:
    """FEP-1b12 routing is kept: the Create goes to beta's community, and also to alpha's
    writer's Mastodon follower."""
    alpha, beta = cluster.alpha, cluster.beta
    community = unique("mfr")
    beta.admin.ok("POST", "/community", {"name": community, "title": "Over there"})
    writer = alpha.member()
    me = _me(writer)
    name = unique("solo")
    follow = _follow(evil, name, str(me["actor_id"]))
    _send(evil, alpha, follow, name, "/inbox")  # Mastodon may use the shared inbox too
    own = f"/users/{name}/inbox"
    _one(evil, own, "the Accept", _about("Accept", follow["id"]))
    found = resolve(writer, f"!{community}@{beta.host}")["community"]["community"]["id"]
    post = writer.ok("POST", "/post", {"name": "Cross-posted", "community_id": found})
    post_url = post["post_view"]["post"]["ap_id"]
    got = _one(evil, own, "the Create{Page}", _about("Create", post_url))
    assert got["audience"] == f"http://{beta.host}/c/{community}"
    wait_for(
        lambda: any(
            p["post"]["ap_id"] == post_url
            for p in beta.admin.ok("GET", "/post/list", community_name=community)["posts"]
        ),
        "the post on beta",
    )


def _state(peer: Peer, ap_id: str) -> tuple[str, str] | None:
    path = peer.server.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT state, failure FROM received_activity WHERE ap_id = ?", (ap_id,)
        ).fetchone()
    return (str(row[0]), str(row[1])) if row and row[0] != "pending" else None


def _refused(cluster: Cluster, evil: EvilPeer, person: str, inbox: str = "/inbox") -> str:
    alpha = cluster.alpha
    name = unique("solo")
    follow = _follow(evil, name, person)
    _send(evil, alpha, follow, name, inbox)
    state, failure = wait_for(lambda: _state(alpha, follow["id"]), "the follow processed")
    assert state == "failed"
    assert _followers(alpha, person) == 0
    return failure


def _followers(peer: Peer, person: str) -> int:
    path = peer.server.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM person_follower f JOIN person p ON p.id = f.person_id"
                " WHERE p.actor_id = ?",
                (person,),
            ).fetchone()[0]
        )


def test_a_follow_of_a_person_who_is_not_there_is_refused_with_its_reason(
    cluster: Cluster, evil: EvilPeer
) -> None:
    alpha = cluster.alpha
    nobody = f"http://{alpha.host}/u/{unique('nobody')}"
    assert nobody in _refused(cluster, evil, nobody)

    leaver = alpha.member()
    gone = str(_me(leaver)["actor_id"])
    leaver.ok("POST", "/user/delete_account", {"password": "password-123", "delete_content": True})
    failure = _refused(cluster, evil, gone)
    assert "deleted" in failure and gone in failure

    troll = alpha.member()
    me = _me(troll)
    alpha.admin.ok("POST", "/user/ban", {"person_id": me["id"], "ban": True, "reason": "spam"})
    failure = _refused(cluster, evil, str(me["actor_id"]))
    assert "site_ban" in failure and "takes no followers" in failure
