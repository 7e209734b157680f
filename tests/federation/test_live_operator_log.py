"""What an operator reads in the log of federating instances (issue 14, item 10): follows
asked, received and accepted, each a line on the instance where it happened; refused
activities; and no NodeInfo line every five seconds in test mode."""

from __future__ import annotations

import httpx

from tests.conftest import unique
from tests.federation.conftest import Cluster, Peer, follow, wait_for


def _lines(peer: Peer, needle: str) -> list[str]:
    return [line for line in peer.server.log_path.read_text().splitlines() if needle in line]


def _line(peer: Peer, needle: str) -> str:
    return wait_for(lambda: (_lines(peer, needle) or [None])[0], f"{needle!r} in {peer.name}'s log")


def test_a_follow_is_a_line_on_both_instances(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("logged")
    beta.admin.ok("POST", "/community", {"name": name, "title": "Logged"})
    member = alpha.member()
    follow(member, beta.host, name)
    me = member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["actor_id"]
    community = f"http://{beta.host}/c/{name}"

    asked = _line(alpha, f"federation: {me} asks to follow {community}")
    assert " INFO moot.federation " in asked
    _line(beta, f"federation: {me} follows {community}")
    _line(alpha, f"federation: {community} accepted {me} as a follower")

    found = member.ok("GET", "/community", name=f"{name}@{beta.host}")
    community_id = found["community_view"]["community"]["id"]
    member.ok("POST", "/community/follow", {"community_id": community_id, "follow": False})
    _line(alpha, f"federation: {me} asks to stop following {community}")
    _line(beta, f"federation: {me} no longer follows {community}")


def test_a_refused_activity_is_a_line(cluster: Cluster) -> None:
    beta = cluster.beta
    sent = httpx.post(
        f"{beta.server.url}/inbox",
        content=b'{"type": "Follow"}',
        headers={"Content-Type": "application/activity+json"},
    )
    assert sent.status_code == 400
    line = _line(beta, "inbox /inbox refused an activity: ")
    assert "moot.federation" in line


def test_the_test_mode_nodeinfo_check_writes_no_line_every_few_seconds(cluster: Cluster) -> None:
    # The cluster has run for longer than the check's five seconds by now; each pass used to
    # write "NodeInfo check: N of M instances answered".
    alpha = cluster.alpha
    wait_for(lambda: "moot " in alpha.server.log_path.read_text(), "alpha's first lines")
    assert _lines(alpha, "NodeInfo check: ") == []
