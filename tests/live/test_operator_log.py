"""Security events in the log of a live server (issue 14, item 10): each failed login, and a
client's rate-limit refusals — its first refusal a line, the rest of the minute none (every
request keeps its own line in the request log)."""

from __future__ import annotations

import logging

import pytest

from moot.refusal_log import RefusalLog
from tests.conftest import Api, unique
from tests.servers import Server


def _lines(server: Server, needle: str) -> list[str]:
    return [line for line in server.log_path.read_text().splitlines() if needle in line]


def test_a_failed_login_names_the_account_and_the_client(server: Server) -> None:
    name = unique("nobody")
    client = Api(server, ip="203.0.113.41")
    response = client.post("/user/login", {"username_or_email": name, "password": "guess-1234"})
    assert response.json() == {"error": "incorrect_login"}
    [line] = _lines(server, f"unknown name '{name}'")
    assert " INFO moot.security [" in line
    said = f"login failed: unknown name '{name}' from 203.0.113.41 (wrong name or password)"
    assert line.endswith(said)


def test_refusals_of_one_client_are_one_line(server: Server, admin: Api) -> None:
    admin.ok("PUT", "/site", {"rate_limit_message": 3, "rate_limit_message_per_second": 600})
    try:
        client = Api(server, ip="203.0.113.42")
        codes = [client.get("/site").status_code for _ in range(7)]
        assert codes == [200, 200, 200, 400, 400, 400, 400]
        assert Api(server, ip="203.0.113.43").get("/site").status_code == 200
    finally:
        admin.ok("PUT", "/site", {"rate_limit_message": 100000})
    [line] = _lines(server, "rate limit: refused 203.0.113.42")
    assert " WARNING moot.security [" in line
    assert line.endswith("rate limit: refused 203.0.113.42's message request (/api/v3/site)")
    assert _lines(server, "rate limit: refused 203.0.113.43") == []


def test_the_refusals_between_two_lines_are_counted(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    refusals = RefusalLog(every=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, "moot.security"):
        for moment in (0, 1, 2, 59, 60, 61, 200):
            now[0] = moment
            refusals.refused("message", "198.51.100.7", "/api/v3/site")
        refusals.refused("comment", "198.51.100.7", "/api/v3/comment")  # its own bucket
    assert [r.getMessage() for r in caplog.records] == [
        "rate limit: refused 198.51.100.7's message request (/api/v3/site)",
        "rate limit: refused 198.51.100.7's message request (/api/v3/site);"
        " 3 more refused since the last line",
        "rate limit: refused 198.51.100.7's message request (/api/v3/site);"
        " 1 more refused since the last line",
        "rate limit: refused 198.51.100.7's comment request (/api/v3/comment)",
    ]
