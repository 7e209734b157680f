"""Each request is one log line (method, path, status, duration, id, client, statements)
and carries an id: a trusted proxy's `X-Request-Id` is kept, anyone else's is replaced,
and the id comes back in the response and on the other lines the request logs. The shared
server trusts 127.0.0.1; a client on 127.0.0.2 is not a proxy it trusts."""

from __future__ import annotations

import re
import time
import uuid

import httpx

from tests.conftest import unique
from tests.servers import Server

GENERATED = re.compile(r"[0-9a-f]{32}")


def _client(server: Server, source: str = "127.0.0.1") -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def _log_line(server: Server, needle: str) -> str:
    """The server's log line holding `needle`; the line is written as the response ends,
    so it may come a moment after the client has the response."""
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in server.log_path.read_text().splitlines() if needle in line]
        if lines or time.monotonic() > deadline:
            assert len(lines) == 1, f"{len(lines)} lines with {needle!r}:\n{server.log_tail()}"
            return lines[0]
        time.sleep(0.05)


def test_every_response_carries_a_fresh_id(server: Server) -> None:
    with _client(server) as http:
        first = http.get("/api/v3/site").headers["x-request-id"]
        second = http.get("/api/v3/nothing-here").headers["x-request-id"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


def test_the_line_names_the_request_its_outcome_and_client(server: Server) -> None:
    proxy_id = f"proxy-{uuid.uuid4()}"
    with _client(server) as http:
        response = http.get(
            "/api/v3/post?id=999999999&auth=secret-token",
            headers={"X-Request-Id": proxy_id, "X-Forwarded-For": "203.0.113.9"},
        )
    assert response.status_code == 404
    assert response.headers["x-request-id"] == proxy_id  # the trusted proxy's id, kept
    line = _log_line(server, f"request_id={proxy_id}")
    assert f" INFO moot.requests [{proxy_id}]: method=GET path=/api/v3/post status=404 " in line
    assert re.search(r" status=404 duration_ms=[0-9.]+ request_id=", line)
    assert " client=203.0.113.9 statements=" in line
    assert "secret-token" not in line  # the query string is not logged


def test_an_id_from_anyone_but_a_trusted_proxy_is_replaced(server: Server) -> None:
    planted = f"planted-{uuid.uuid4()}"
    with _client(server, source="127.0.0.2") as http:
        response = http.get("/api/v3/site", headers={"X-Request-Id": planted})
    assert response.status_code == 200
    replaced = response.headers["x-request-id"]
    assert GENERATED.fullmatch(replaced)
    line = _log_line(server, f"request_id={replaced}")
    assert "status=200" in line and " client=127.0.0.2 " in line
    assert planted not in server.log_path.read_text()
    # A trusted proxy's id that could break a log line is replaced too.
    with _client(server) as http:
        response = http.get("/api/v3/site", headers={"X-Request-Id": "two words"})
    assert GENERATED.fullmatch(response.headers["x-request-id"])


def test_the_other_lines_of_a_request_carry_its_id(server: Server) -> None:
    """Ten failed logins to one account (from ten addresses, so the per-address limit does
    not stop them first) make moot.security log a warning, inside the tenth request."""
    account = unique("nobody")
    proxy_id = f"guess-{uuid.uuid4()}"
    with _client(server) as http:
        for n in range(10):
            headers = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
            if n == 9:
                headers["X-Request-Id"] = proxy_id
            body = {"username_or_email": account, "password": "wrong-guess"}
            assert http.post("/api/v3/user/login", json=body, headers=headers).status_code == 401
    warning = _log_line(server, f"10 failed logins to unknown name {account!r} ")
    assert f" WARNING moot.security [{proxy_id}]: " in warning
    assert "status=401" in _log_line(server, f"request_id={proxy_id}")
