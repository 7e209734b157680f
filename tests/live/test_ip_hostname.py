"""An instance on an IP address (MOOT_HOSTNAME=127.0.0.1:PORT, no test mode: a LAN, a first
try) works for everything that does not federate, says at start what federation needs, and
serves its links over plain http (nothing gives an IP address a certificate)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import BACKENDS, Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server


@pytest.fixture(scope="module", params=BACKENDS)
def on_ip(request: pytest.FixtureRequest) -> Iterator[Server]:
    srv = make_server(request.param)
    srv.hostname = f"127.0.0.1:{srv.port}"
    srv.start_env = {"MOOT_FEDERATION_TEST_MODE": ""}
    try:
        srv.start()
        admin = Api(srv)
        token = admin.ok(
            "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        )["jwt"]
        Api(srv, token).ok("PUT", "/site", {"registration_mode": "Open"})
        yield srv
    finally:
        if request.session.testsfailed:
            print(f"--- {srv.backend} server log ---\n{srv.log_tail()}")
        destroy(srv)


def test_posting_commenting_voting_and_mentions(on_ip: Server) -> None:
    host = on_ip.hostname
    ann_name, bob_name = unique("ann"), unique("bob")
    ann, bob = register(on_ip, ann_name), register(on_ip, bob_name)
    name = unique("lan")
    community = ann.ok("POST", "/community", {"name": name, "title": "On the LAN"})
    assert community["community_view"]["community"]["actor_id"] == f"http://{host}/c/{name}"
    community_id = community["community_view"]["community"]["id"]
    post = ann.ok("POST", "/post", {"name": "Hello LAN", "community_id": community_id})
    post_id = post["post_view"]["post"]["id"]
    assert post["post_view"]["post"]["ap_id"] == f"http://{host}/post/{post_id}"

    # A plain comment (this was a 500), and a reply that mentions a local member by the
    # instance's address, as people write it.
    top = bob.ok("POST", "/comment", {"post_id": post_id, "content": "Hi there"})
    top_id = top["comment_view"]["comment"]["id"]
    reply = ann.ok(
        "POST",
        "/comment",
        {"post_id": post_id, "parent_id": top_id, "content": f"Welcome @{bob_name}@{host}!"},
    )
    reply_id = reply["comment_view"]["comment"]["id"]

    bob.ok("POST", "/post/like", {"post_id": post_id, "score": 1})
    bob.ok("POST", "/comment/like", {"comment_id": reply_id, "score": -1})
    seen = ann.ok("GET", "/post", id=post_id)["post_view"]["counts"]
    assert (seen["score"], seen["comments"]) == (2, 2)
    assert ann.ok("GET", "/comment", id=reply_id)["comment_view"]["counts"]["score"] == 0

    mentions = bob.ok("GET", "/user/mention", unread_only=True)["mentions"]
    assert [m["comment"]["id"] for m in mentions] == [reply_id]

    # Its objects render as ActivityPub too (the mention tag names the IP host).
    note = httpx.get(
        f"{on_ip.url}/comment/{reply_id}", headers={"Accept": "application/activity+json"}
    )
    assert note.status_code == 200, note.text
    assert {"type": "Mention", "href": f"http://{host}/u/{bob_name}"} | {
        "name": f"@{bob_name}@{host}"
    } in note.json()["tag"]


def test_the_start_log_says_what_federation_needs(on_ip: Server) -> None:
    log = on_ip.log_path.read_text()
    assert f"public address http://{on_ip.hostname}," in log
    assert f"MOOT_HOSTNAME {on_ip.hostname} is an IP address" in log
    assert "Federation needs a domain name served over https" in log
