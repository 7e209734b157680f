"""Three live instances on loopback, each with its own host name (moot-alpha, moot-beta,
moot-gamma), mixing the backends; and a small hand-written peer for hostile input.

The host names resolve through moot's test-mode host map (MOOT_FEDERATION_TEST_HOSTS), so
no /etc/hosts entry is needed on a clean machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from tests.conftest import Api, register
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server

NAMES = {"alpha": "sqlite", "beta": "postgresql", "gamma": "sqlite"}
HOST_MAP = ",".join(
    f"moot-{n}=127.0.0.1"
    for n in [*NAMES, "evil", "odd", "masto", "toot", "rogue", "secure", "delta", "epsilon"]
)
T = TypeVar("T")


def make_peer(name: str, backend: str) -> Server:
    server = make_server(backend)
    server.hostname = f"moot-{name}:{server.port}"
    server.start_env = {"MOOT_FEDERATION_TEST_HOSTS": HOST_MAP}
    return server


def admin_api(server: Server) -> Api:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    return Api(server, token)


def open_up(server: Server) -> Api:
    admin = admin_api(server)
    limits = {
        f"rate_limit_{b}": 100000
        for b in ("message", "post", "register", "image", "comment", "search")
    }
    admin.ok("PUT", "/site", {"registration_mode": "Open", **limits})
    return admin


def wait_for(check: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll `check` until it returns something truthy (federation is asynchronous)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except AssertionError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


@dataclass
class Peer:
    name: str
    server: Server
    admin: Api

    @property
    def host(self) -> str:
        return self.server.hostname

    def member(self) -> Api:
        return register(self.server)


@dataclass
class Cluster:
    alpha: Peer
    beta: Peer
    gamma: Peer

    @property
    def peers(self) -> list[Peer]:
        return [self.alpha, self.beta, self.gamma]


def resolve(api: Api, query: str) -> dict[str, Any]:
    """resolve_object, retried while the other side catches up."""

    def attempt() -> dict[str, Any] | None:
        response = api.get("/resolve_object", q=query)
        return response.json() if response.status_code == 200 else None

    return wait_for(attempt, f"resolving {query}")


def follow(api: Api, peer_host: str, community: str) -> int:
    """Follow `community@peer_host` from `api`'s instance; waits for the Accept."""
    found = resolve(api, f"!{community}@{peer_host}")["community"]["community"]["id"]
    api.ok("POST", "/community/follow", {"community_id": found, "follow": True})
    wait_for(
        lambda: (
            api.ok("GET", "/community", id=found)["community_view"]["subscribed"] == "Subscribed"
        ),
        f"the Accept of {community}@{peer_host}",
    )
    return int(found)


@pytest.fixture(scope="session")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    servers = {name: make_peer(name, backend) for name, backend in NAMES.items()}
    try:
        for server in servers.values():
            server.start()
        peers = {n: Peer(n, s, open_up(s)) for n, s in servers.items()}
        yield Cluster(**peers)
    finally:
        for name, server in servers.items():
            if request.session.testsfailed and server.log_path.exists():
                print(f"--- {name} ({server.backend}) log ---\n{server.log_tail(40)}")
            destroy(server)
