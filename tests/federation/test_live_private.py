"""A private instance over ActivityPub: `Accept: application/activity+json` on its posts,
comments, communities, outbox and people reads nothing, unsigned or signed (a private
instance does not federate). The site's own actor (its key) still answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from moot.errors import ErrorCode as E
from moot.federation import signatures
from moot.federation.protocol.common import ACTIVITY_JSON
from tests.conftest import register, unique
from tests.federation.conftest import Peer, make_peer, open_up
from tests.federation.peer import EvilPeer, start_peer
from tests.servers import destroy


@dataclass(frozen=True)
class Content:
    peer: Peer
    urls: list[str]


@pytest.fixture(scope="module")
def private() -> Iterator[Content]:
    server = make_peer("private", "sqlite")
    try:
        server.start()
        peer = Peer("private", server, open_up(server))
        name = unique("member")
        member = register(server, name)
        made = member.ok("POST", "/community", {"name": unique("inner"), "title": "Inner"})
        community = made["community_view"]["community"]
        post = member.ok("POST", "/post", {"name": "Members only", "community_id": community["id"]})
        comment = member.ok(
            "POST", "/comment", {"post_id": post["post_view"]["post"]["id"], "content": "Hush"}
        )
        peer.admin.ok("PUT", "/site", {"private_instance": True, "federation_enabled": False})
        urls = [
            community["actor_id"],
            f"{community['actor_id']}/outbox",
            post["post_view"]["post"]["ap_id"],
            comment["comment_view"]["comment"]["ap_id"],
            f"http://{peer.host}/u/{name}",
        ]
        yield Content(peer, urls)
    finally:
        destroy(server)


@pytest.fixture(scope="module")
def evil() -> Iterator[EvilPeer]:
    peer = start_peer("moot-evil")
    yield peer
    peer.close()


def _get(peer: Peer, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    path = url.split(peer.host, 1)[1]
    sent = {"accept": ACTIVITY_JSON, "host": peer.host, **(headers or {})}
    return httpx.get(f"{peer.server.url}{path}", headers=sent, timeout=30)


def _signed_by(evil: EvilPeer, url: str) -> dict[str, str]:
    key = evil.key_of("mallory")[0]
    return signatures.sign_get(url, ACTIVITY_JSON, key, f"{evil.actor('mallory')}#main-key")


def _answers(content: Content, evil: EvilPeer | None) -> list[tuple[int, str]]:
    out = []
    for url in content.urls:
        answer = _get(content.peer, url, _signed_by(evil, url) if evil else None)
        out.append((answer.status_code, answer.json().get("error", "content")))
    return out


def test_nobody_reads_a_private_instance_unsigned(private: Content) -> None:
    assert _answers(private, None) == [(401, E.INSTANCE_IS_PRIVATE)] * len(private.urls)
    # The instance actor answers: others need its key to check what it signs.
    assert _get(private.peer, f"http://{private.peer.host}/").status_code == 200


def test_no_signer_reads_it_either(private: Content, evil: EvilPeer) -> None:
    """A private instance does not federate: a signature, even of an instance on its
    allowlist, opens nothing."""
    assert _answers(private, evil) == [(403, E.FEDERATION_DISABLED)] * len(private.urls)
    private.peer.admin.ok("PUT", "/site", {"allowed_instances": ["moot-evil"]})
    assert _answers(private, evil) == [(403, E.FEDERATION_DISABLED)] * len(private.urls)
