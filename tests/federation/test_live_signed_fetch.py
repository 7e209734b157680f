"""Signed fetch (issue 10, item 10): moot's GETs carry the instance actor's signature, so an
instance that answers only signed fetches (MOOT_FEDERATION_REQUIRE_SIGNED_FETCH, as
Mastodon's secure mode) answers them; signed GETs coming in are verified, and a signer on a
blocked instance is refused."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from moot.federation import signatures
from moot.federation.keys import generate_keypair
from moot.federation.protocol.common import ACTIVITY_JSON
from tests.conftest import unique
from tests.federation.conftest import Cluster, Peer, make_peer, open_up, resolve, wait_for
from tests.federation.peer import EvilPeer, start_peer
from tests.servers import destroy


@pytest.fixture(scope="module")
def secure() -> Iterator[Peer]:
    server = make_peer("secure", "postgresql")
    server.start_env["MOOT_FEDERATION_REQUIRE_SIGNED_FETCH"] = "1"
    try:
        server.start()
        yield Peer("secure", server, open_up(server))
    finally:
        destroy(server)


@pytest.fixture(scope="module")
def evil() -> Iterator[EvilPeer]:
    peer = start_peer("moot-evil")
    yield peer
    peer.close()


def _get(secure: Peer, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """GET `url` (one of the secure instance's) at its loopback address."""
    path = url.split(secure.host, 1)[1]
    sent = {"accept": ACTIVITY_JSON, "host": secure.host, **(headers or {})}
    return httpx.get(f"{secure.server.url}{path}", headers=sent, timeout=30)


def _signed(
    secure: Peer, evil: EvilPeer, url: str, key: str, path: str | None = None
) -> dict[str, str]:
    """A GET of `url` signed as the peer's mallory with `key` (for `path`, to forge one)."""
    target = url if path is None else f"http://{secure.host}{path}"
    return signatures.sign_get(target, ACTIVITY_JSON, key, f"{evil.actor('mallory')}#main-key")


def test_an_instance_that_requires_signed_fetches_answers_moot(
    cluster: Cluster, secure: Peer
) -> None:
    name = unique("sfetch")
    made = secure.admin.ok("POST", "/community", {"name": name, "title": "Signed only"})
    community_id = made["community_view"]["community"]["id"]
    actor = made["community_view"]["community"]["actor_id"]
    post = secure.admin.ok(
        "POST", "/post", {"name": "Behind a signature", "community_id": community_id}
    )
    ap_id = post["post_view"]["post"]["ap_id"]

    unsigned = _get(secure, actor)
    assert unsigned.status_code == 401, unsigned.text
    assert unsigned.json()["error"] == "invalid_signature"
    assert _get(secure, ap_id).status_code == 401
    # The instance actor answers anyone: it is the key others check signatures with.
    assert _get(secure, f"http://{secure.host}/").status_code == 200

    # From SQLite (alpha) and PostgreSQL (beta): each signs with its own instance key.
    for peer in (cluster.alpha, cluster.beta):
        member = peer.member()
        found = resolve(member, f"!{name}@{secure.host}")["community"]["community"]
        assert found["actor_id"] == actor
        assert resolve(member, ap_id)["post"]["post"]["name"] == "Behind a signature"


def test_signed_gets_are_verified_and_blocked_signers_refused(secure: Peer, evil: EvilPeer) -> None:
    made = secure.admin.ok("POST", "/community", {"name": unique("sfblock"), "title": "Kept"})
    actor = made["community_view"]["community"]["actor_id"]
    mallory_key = evil.key_of("mallory")[0]

    answered = _get(secure, actor, _signed(secure, evil, actor, mallory_key))
    assert answered.status_code == 200, answered.text
    assert answered.json()["id"] == actor

    other_path = _signed(secure, evil, actor, mallory_key, path="/c/somewhere")
    assert _get(secure, actor, other_path).status_code == 401
    forged = _get(secure, actor, _signed(secure, evil, actor, generate_keypair()[0]))
    assert forged.status_code == 401, forged.text
    assert forged.json()["error"] == "invalid_signature"

    secure.admin.ok("PUT", "/site", {"blocked_instances": ["moot-evil"]})
    refused = wait_for(
        lambda: (
            r
            if (r := _get(secure, actor, _signed(secure, evil, actor, mallory_key))).status_code
            == 403
            else None
        ),
        "the block to apply to signed fetches",
    )
    assert refused.json()["error"] == "domain_blocked"
