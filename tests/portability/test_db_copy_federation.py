"""`moot db copy` of a federating instance: the copy keeps its federation identity and its
queue. A SQLite instance (moot-delta) federates with a peer (moot-epsilon, PostgreSQL);
while the peer is down, posts wait for it; the instance is stopped, copied to PostgreSQL
and started on the copy. Its answers are the original's, its actors serve the same keys,
the waiting posts reach the peer once it is back, and what the copy sends next is
accepted by the peer, which verifies it with the keys it learned from the original.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Api
from tests.federation.conftest import follow, make_peer, open_up, wait_for
from tests.portability.answers import differences
from tests.servers import Server, destroy, drop_database, new_database_url

AP = {"Accept": "application/activity+json"}


@pytest.fixture
def pair() -> Iterator[tuple[Server, Server]]:
    origin, peer = make_peer("delta", "sqlite"), make_peer("epsilon", "postgresql")
    try:
        yield origin, peer
    finally:
        destroy(origin)
        destroy(peer)


def _titles(api: Api, community_id: int) -> set[str]:
    posts = api.ok("GET", "/post/list", community_id=community_id, sort="New", type_="All")
    return {p["post"]["name"] for p in posts["posts"]}


def _keys(server: Server, community: str) -> dict[str, Any]:
    return {
        path: httpx.get(f"{server.url}{path}", headers=AP, timeout=10).json()["publicKey"]
        for path in ("/u/admin", f"/c/{community}")
    }


def _failures(origin: Api, domain: str) -> int:
    """The failed deliveries to `domain` the origin counts."""
    listed = origin.ok("GET", "/federated_instances")["federated_instances"]["linked"]
    state = next(i for i in listed if i["domain"] == domain)["federation_state"]
    return int(state["fail_count"])


def test_the_copy_keeps_its_keys_and_its_queue(pair: tuple[Server, Server]) -> None:
    origin, peer = pair
    origin.start()
    peer.start()
    admin, peer_admin = open_up(origin), open_up(peer)
    community = "copyfed"
    made = admin.ok("POST", "/community", {"name": community, "title": "Copied federation"})
    on_origin = int(made["community_view"]["community"]["id"])
    reader = Api(peer, peer_admin.http.headers["Authorization"].split()[1])
    on_peer = follow(reader, origin.hostname, community)
    admin.ok("POST", "/post", {"name": "before the copy", "community_id": on_origin})
    wait_for(lambda: "before the copy" in _titles(reader, on_peer), "the first post on the peer")

    peer.stop()
    waiting = [f"waiting {i}" for i in range(3)]
    for title in waiting:
        admin.ok("POST", "/post", {"name": title, "community_id": on_origin})
    wait_for(lambda: _failures(admin, "moot-epsilon") > 0, "a failed delivery to the peer")
    keys = _keys(origin, community)
    routes = [("/site", {}), ("/post/list", {"sort": "New"}), ("/community", {"id": on_origin})]
    before = {path: admin.ok("GET", path, **query) for path, query in routes}
    origin.stop()

    target = new_database_url("postgresql", origin.data_dir)
    try:
        copied = origin.moot("db", "copy", "--to", target, check=False)
        assert copied.returncode == 0, copied.stderr
        # Same host name and port, as a real move keeps its domain.
        moved = dataclasses.replace(origin, database_url=target, process=None)
        moved.start()
        try:
            after = {path: admin.ok("GET", path, **query) for path, query in routes}
            assert differences(before, after) == []
            assert _keys(moved, community) == keys
            peer.start()
            wait_for(
                lambda: set(waiting) <= _titles(reader, on_peer),
                "the waiting posts delivered by the copy",
            )
            admin.ok("POST", "/post", {"name": "after the copy", "community_id": on_origin})
            wait_for(
                lambda: "after the copy" in _titles(reader, on_peer),
                "a post of the copy accepted by the peer",
            )
        finally:
            moved.stop()
    finally:
        drop_database(target)
