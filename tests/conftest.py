"""Shared fixtures: a live server per database backend, and API helpers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

# The browser fixtures, shared by tests/web and tests/federation (one chromium per module).
from tests.browser import browser, new_context, outside  # noqa: F401
from tests.s3server import SwiftS3
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server
from tests.standby import StreamingPair, start_pair

BACKENDS = ["sqlite", "postgresql"]
_names = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test uses (names are unique per instance)."""
    return f"{prefix}{next(_names)}"[:20]


class Api:
    """A thin JSON client for assertions on raw responses (status codes, error bodies)."""

    def __init__(self, server: Server, token: str | None = None, ip: str | None = None) -> None:
        self.server = server
        headers = {"X-Forwarded-For": ip} if ip else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=server.api, headers=headers, timeout=30)

    def get(self, path: str, **params: Any) -> httpx.Response:
        clean = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()}
        return self.http.get(path, params=clean)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(path, json=body or {})

    def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.put(path, json=body)

    def ok(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        if method == "GET":
            response = self.get(path, **params)
        else:
            response = self.http.request(method, path, json=body or {})
        assert response.status_code == 200, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        data: dict[str, Any] = response.json()
        return data

    def error(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any
    ) -> tuple[int, str]:
        if method == "GET":
            response = self.get(path, **params)
        else:
            response = self.http.request(method, path, json=body or {})
        assert response.status_code >= 400, f"{method} {path} succeeded: {response.text}"
        return response.status_code, str(response.json()["error"])


def register(server: Server, name: str | None = None, password: str = "password-123") -> Api:
    """A new member, logged in."""
    name = name or unique("user")
    anon = Api(server)
    data = anon.ok(
        "POST",
        "/user/register",
        {"username": name, "password": password, "password_verify": password},
    )
    return Api(server, data["jwt"])


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """One live `moot serve` per backend, shared by the tests of the session."""
    srv = make_server(request.param)
    try:
        srv.start()
        admin = Api(srv)
        token = admin.ok(
            "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        )["jwt"]
        limits = {
            f"rate_limit_{b}": 100000
            for b in ("message", "post", "register", "image", "comment", "search")
        }
        Api(srv, token).ok("PUT", "/site", {"registration_mode": "Open", **limits})
        yield srv
    finally:
        if request.session.testsfailed and srv.log_path.exists():
            print(f"--- {srv.backend} server log ---\n{srv.log_tail()}")
        destroy(srv)


@pytest.fixture(scope="session")
def admin(server: Server) -> Api:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    return Api(server, token)


@pytest.fixture(scope="session")
def swift() -> Iterator[SwiftS3]:
    """A real S3-compatible object store (OpenStack Swift's S3 API) on loopback."""
    store = SwiftS3()
    try:
        store.start()
        yield store
    finally:
        store.destroy()


@pytest.fixture(scope="session")
def standby() -> Iterator[StreamingPair]:
    """A real PostgreSQL primary and streaming replica (tests/standby.py); a test that
    pauses, stops or breaks the replica puts it back as it found it."""
    pair = start_pair()
    try:
        yield pair
    finally:
        pair.destroy()
