"""The daily NodeInfo check of known instances (reference §1, §7), every 5 s in test mode:
software and version recorded, `updated` bumped by any answer, nothing changed without
one, blocked instances never asked."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.conftest import unique
from tests.federation.conftest import Cluster, Peer, wait_for
from tests.servers import free_port

OLD = "2001-01-01 00:00:00.000000"


@dataclass
class Odd:
    """An instance that answers NodeInfo as told: `nodeinfo` None is a 404."""

    server: ThreadingHTTPServer
    nodeinfo: dict[str, Any] | None = None
    asked: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://moot-odd:{self.server.server_address[1]}"


@pytest.fixture
def odd() -> Iterator[Odd]:
    peer: Odd

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            peer.asked.append(self.path)
            body: Any = None
            if peer.nodeinfo is not None and self.path == "/.well-known/nodeinfo":
                rel = "http://nodeinfo.diaspora.software/ns/schema/2.1"
                body = {"links": [{"rel": rel, "href": f"{peer.origin}/nodeinfo/2.1"}]}
            elif peer.nodeinfo is not None and self.path == "/nodeinfo/2.1":
                body = peer.nodeinfo
            data = json.dumps(body or {"error": "not here"}).encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer = Odd(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield peer
    server.shutdown()
    server.server_close()


def _sql(peer: Peer, query: str, *args: Any) -> list[tuple[Any, ...]]:
    assert peer.server.backend == "sqlite"
    with sqlite3.connect(peer.server.database_url.split("///", 1)[1]) as conn:
        return conn.execute(query, args).fetchall()


def _known(peer: Peer, domain: str) -> dict[str, Any]:
    states = peer.admin.ok("GET", "/federated_instances")["federated_instances"]
    found = {i["domain"]: i for i in states["linked"]}
    return dict(found[domain])


def _passes(peer: Peer, count: int) -> None:
    """Wait until the check has run `count` more times: with two, one whole pass started
    after the caller's change."""

    def last() -> Any:
        return _sql(peer, "SELECT finished FROM job_run WHERE name = 'nodeinfo'")

    for _ in range(count):
        before = last()
        wait_for(lambda before=before: last() != before, "a NodeInfo check", timeout=30)


def _known_instance(peer: Peer, domain: str, origin: str) -> None:
    """A remote instance moot knows by its site actor, with old NodeInfo values."""
    _sql(
        peer,
        "INSERT INTO instance (domain, software, version, published, updated)"
        " VALUES (?, 'old-soft', '0.0.1', ?, ?)",
        domain,
        OLD,
        OLD,
    )
    (instance_id,) = _sql(peer, "SELECT id FROM instance WHERE domain = ?", domain)[0]
    _sql(
        peer,
        "INSERT INTO site (name, actor_id, inbox_url, published, last_refreshed_at, instance_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        domain[:20],
        f"{origin}/",
        f"{origin}/inbox",
        OLD,
        OLD,
        instance_id,
    )


def _forget(peer: Peer, domain: str) -> None:
    (instance_id,) = _sql(peer, "SELECT id FROM instance WHERE domain = ?", domain)[0]
    _sql(peer, "DELETE FROM site WHERE instance_id = ?", instance_id)
    _sql(peer, "DELETE FROM instance WHERE id = ?", instance_id)


def test_software_and_version_of_a_known_moot_instance(cluster: Cluster) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("ni")
    beta.admin.ok("POST", "/community", {"name": name, "title": "NodeInfo"})
    # Alpha learns of beta (its site actor with it) by resolving a community there.
    reader = alpha.member()
    wait_for(
        lambda: reader.get("/resolve_object", q=f"!{name}@{beta.host}").status_code == 200,
        "beta's community on alpha",
    )
    software = httpx.get(f"{beta.server.url}/nodeinfo/2.1").json()["software"]
    assert software["name"] == "moot" and software["version"]
    found = wait_for(
        lambda: (
            (known := _known(alpha, "moot-beta")).get("software") == software["name"]
            and known.get("version") == software["version"]
            and known
        ),
        "beta's software on alpha",
    )
    assert found["updated"] >= found["published"]


def test_no_answer_changes_nothing_and_blocked_instances_are_not_asked(
    cluster: Cluster, odd: Odd
) -> None:
    alpha = cluster.alpha
    dead = f"http://localhost:{free_port()}"  # nothing listens there
    _known_instance(alpha, "localhost", dead)
    _known_instance(alpha, "moot-odd", odd.origin)
    alpha.admin.ok("PUT", "/site", {"blocked_instances": ["moot-odd"]})
    try:
        _passes(alpha, 2)
        for domain in ("localhost", "moot-odd"):
            row = _known(alpha, domain)
            assert (row["software"], row["version"]) == ("old-soft", "0.0.1"), row
            assert row["updated"].startswith("2001-01-01"), row
        assert odd.asked == []
        assert "NodeInfo check of localhost: " in alpha.server.log_path.read_text()

        # Unblocked: a 404 is an answer (alive), but tells nothing about the software…
        alpha.admin.ok("PUT", "/site", {"blocked_instances": []})
        wait_for(lambda: odd.asked, "the first NodeInfo request to moot-odd")
        _passes(alpha, 2)
        row = _known(alpha, "moot-odd")
        assert (row["software"], row["version"]) == ("old-soft", "0.0.1"), row
        assert not row["updated"].startswith("2001-01-01"), row
        assert set(odd.asked) == {"/.well-known/nodeinfo"}

        # …and a Lemmy's NodeInfo is read as Lemmy writes it.
        odd.nodeinfo = {
            "version": "2.1",
            "software": {"name": "lemmy", "version": "0.19.20"},
            "protocols": ["activitypub"],
        }
        wait_for(
            lambda: _known(alpha, "moot-odd").get("software") == "lemmy",
            "moot-odd's software on alpha",
        )
        assert _known(alpha, "moot-odd")["version"] == "0.19.20"
        assert "/nodeinfo/2.1" in odd.asked
        row = _known(alpha, "localhost")
        assert (row["software"], row["updated"][:10]) == ("old-soft", "2001-01-01"), row
    finally:
        alpha.admin.ok("PUT", "/site", {"blocked_instances": []})
        _forget(alpha, "localhost")
        _forget(alpha, "moot-odd")
