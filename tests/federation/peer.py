"""A hand-written ActivityPub peer for hostile-input tests: a real HTTP server on loopback
(reached as moot-evil through moot's test host map) that serves actors with keys the test
holds, so the test can sign activities as they are, or forge them."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from moot.federation import signatures
from moot.federation.keys import generate_keypair
from tests.federation.test_fixtures import FIXTURES
from tests.servers import Server

KEYS = generate_keypair()  # one pair for every actor of the peer, unless rotated


@dataclass
class EvilPeer:
    server: ThreadingHTTPServer
    # Each module's peer has a host of its own: deliveries to one instance are ordered, so
    # a stopped peer's unsent activities would hold up the next peer of the same name.
    host: str = "moot-evil"
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    # (inbox path, activity) of each POST, for tests that care where an activity went.
    deliveries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def actor(self, name: str) -> str:
        return f"{self.origin}/u/{name}"

    def mastodon_actor(self, name: str) -> str:
        """A Mastodon-shaped person (served at Mastodon's /users/NAME path)."""
        return f"{self.origin}/users/{name}"

    def key_of(self, name: str) -> tuple[str, str]:
        return self.keys.get(name, KEYS)

    def activity_id(self, kind: str = "create") -> str:
        return f"{self.origin}/activities/{kind}/{uuid.uuid4()}"

    def post(
        self,
        target: Server,
        body: bytes,
        signer: str = "mallory",
        *,
        path: str = "/inbox",
        key: str | None = None,
        headers: dict[str, str] | None = None,
        mastodon: bool = False,
    ) -> httpx.Response:
        """POST `body` to a moot inbox, signed as `signer` (or with `key`) for the URL the
        instance calls itself; `headers` override (an empty value removes one). `mastodon`
        signs as the Mastodon-shaped actor of that name."""
        actor = self.mastodon_actor(signer) if mastodon else self.actor(signer)
        signed = signatures.sign(
            f"http://{target.hostname}{path}",
            body,
            key or self.key_of(signer)[0],
            f"{actor}#main-key",
        )
        signed.update(headers or {})
        signed = {k: v for k, v in signed.items() if v != ""}
        return httpx.post(f"{target.url}{path}", content=body, headers=signed, timeout=30)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _person(peer: EvilPeer, name: str, actor: str | None = None) -> dict[str, Any]:
    actor = actor or peer.actor(name)
    return {
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "type": "Person",
        "id": actor,
        "preferredUsername": name,
        "inbox": f"{actor}/inbox",
        "outbox": f"{actor}/outbox",
        "endpoints": {"sharedInbox": f"{peer.origin}/inbox"},
        "publicKey": {
            "id": f"{actor}#main-key",
            "owner": actor,
            "publicKeyPem": peer.key_of(name)[1],
        },
    }


MASTODON_PERSON = FIXTURES / "mastodon/objects/person.json"
_MASTODON_HOME = "https://masto.qa.urbanwildlife.biz"


def _mastodon_person(peer: EvilPeer, name: str) -> dict[str, Any]:
    """Mastodon's own Person sample, moved to the peer: its keys, context and collections.
    A name starting with "solo" has no shared inbox (so its inbox is its own)."""
    text = MASTODON_PERSON.read_text().replace(
        f"{_MASTODON_HOME}/users/mastodon", peer.mastodon_actor(name)
    )
    doc: dict[str, Any] = json.loads(text.replace(_MASTODON_HOME, peer.origin))
    doc.update(preferredUsername=name, url=f"{peer.origin}/@{name}", name=name.title())
    doc["publicKey"]["publicKeyPem"] = peer.key_of(name)[1]
    if name.startswith("solo"):
        del doc["endpoints"]
    return doc


def _group(peer: EvilPeer, name: str) -> dict[str, Any]:
    group = _person(peer, name)
    group["id"] = actor = f"{peer.origin}/c/{name}"
    group.update(
        type="Group",
        inbox=f"{actor}/inbox",
        outbox=f"{actor}/outbox",
        followers=f"{actor}/followers",
        publicKey={"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": KEYS[1]},
    )
    return group


def _site(peer: EvilPeer) -> dict[str, Any]:
    """The instance actor, so the peer can claim to speak for its site (a site ban)."""
    actor = f"{peer.origin}/"
    return {
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "type": "Application",
        "id": actor,
        "name": "evil",
        "inbox": f"{peer.origin}/inbox",
        "outbox": f"{peer.origin}/site_outbox",
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": KEYS[1]},
        "published": "2024-01-01T00:00:00Z",
    }


def start_peer(host: str = "moot-evil") -> EvilPeer:
    peer: EvilPeer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any] | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if self.path == "/":
                self._send(200, _site(peer))
            elif len(parts) == 2 and parts[0] == "u":
                self._send(200, _person(peer, parts[1]))
            elif len(parts) == 2 and parts[0] == "c":
                self._send(200, _group(peer, parts[1]))
            elif len(parts) == 2 and parts[0] == "users":
                self._send(200, _mastodon_person(peer, parts[1]))
            elif parts[0] in ("users", "profile", "actor", "apub", "m"):
                # Other servers' actor paths, as the rehomed samples name them.
                self._send(200, _person(peer, parts[-1], f"{peer.origin}{self.path}"))
            else:
                self._send(404, {"error": "not here"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            doc = json.loads(self.rfile.read(length) or b"{}")
            peer.received.append(doc)
            peer.deliveries.append((self.path, doc))
            self._send(200)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer = EvilPeer(server, host=host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return peer
