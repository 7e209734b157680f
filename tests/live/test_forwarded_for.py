"""Who the client is, as a guesser rotating `X-Forwarded-For` would try it: the header is
believed only from the proxies the operator names (`MOOT_TRUSTED_PROXIES`), the client is the
right-most address they did not add, and an account takes a bounded number of failed logins
whatever the addresses they come from. Lemmy's default limits are on (10 logins and sign-ups
an hour per address); each server is fresh."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server

PASSWORD = "password-123"


def _start(trusted: str) -> Server:
    """A fresh server with open sign-ups (the admin's login takes one of loopback's tokens)."""
    server = make_server("sqlite")
    server.start_env = {"MOOT_TRUSTED_PROXIES": trusted}
    server.start()
    login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    token = Api(server).ok("POST", "/user/login", login)["jwt"]
    Api(server, token).ok("PUT", "/site", {"registration_mode": "Open"})
    return server


@pytest.fixture(scope="module")
def direct() -> Iterator[Server]:
    """Clients connect straight to moot: no proxy is trusted (the default)."""
    server = _start("")
    yield server
    destroy(server)


@pytest.fixture(scope="module")
def proxied() -> Iterator[Server]:
    """Behind a proxy on loopback."""
    server = _start("127.0.0.1")
    yield server
    destroy(server)


def _guess(server: Server, forwarded: str, name: str, password: str = "wrong-guess") -> str:
    response = Api(server).http.post(
        "/user/login",
        json={"username_or_email": name, "password": password},
        headers={"X-Forwarded-For": forwarded},
    )
    return "ok" if response.status_code == 200 else str(response.json()["error"])


def _login_ips(member: Api) -> list[str | None]:
    return [login.get("ip") for login in member.ok("GET", "/user/list_logins")]


def test_a_rotating_header_lifts_no_limit_without_a_trusted_proxy(direct: Server) -> None:
    name = unique("direct")
    member = register(direct, name, PASSWORD)  # loopback's 10 tokens: the admin's login,
    assert _guess(direct, "203.0.113.50", name, PASSWORD) == "ok"  # this sign-up and login
    assert _login_ips(member)[-1] == "127.0.0.1"  # not the address the client wrote

    answers = [_guess(direct, f"203.0.113.{i}", unique("nobody")) for i in range(14)]
    assert answers == [E.INCORRECT_LOGIN] * 7 + [E.RATE_LIMIT_ERROR] * 7
    # Sign-ups share the bucket, as in Lemmy: refused too, whatever the header says.
    response = Api(direct).http.post(
        "/user/register",
        json={"username": unique("late"), "password": PASSWORD, "password_verify": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.77"},
    )
    assert response.json() == {"error": E.RATE_LIMIT_ERROR}


def test_the_client_is_the_rightmost_address_no_trusted_proxy_added(proxied: Server) -> None:
    name = unique("proxied")
    member = register(proxied, name, PASSWORD)
    assert _guess(proxied, "203.0.113.99, 198.51.100.21", name, PASSWORD) == "ok"
    assert _login_ips(member)[-1] == "198.51.100.21"

    # The left part is the client's own writing: rotating it still counts against .20.
    answers = [
        _guess(proxied, f"203.0.113.{i}, 198.51.100.20", unique("nobody")) for i in range(14)
    ]
    assert answers == [E.INCORRECT_LOGIN] * 10 + [E.RATE_LIMIT_ERROR] * 4
    # Another client behind the same proxy has its own bucket.
    assert _guess(proxied, "198.51.100.22", unique("nobody")) == E.INCORRECT_LOGIN


def test_failed_logins_are_limited_per_account(proxied: Server) -> None:
    name = unique("target")
    register(proxied, name, PASSWORD)
    bystander = unique("bystand")
    register(proxied, bystander, PASSWORD)

    # Every guess from a new address: the per-address limits never see two.
    addresses = (f"192.0.2.{i}" for i in range(1, 100))
    answers = [_guess(proxied, next(addresses), name) for _ in range(10)]
    assert answers == [E.INCORRECT_LOGIN] * 10
    # Throttled now: the right password too, so a guesser cannot tell when it found it.
    assert _guess(proxied, next(addresses), name, PASSWORD) == E.RATE_LIMIT_ERROR
    assert _guess(proxied, next(addresses), name.upper()) == E.RATE_LIMIT_ERROR
    assert _guess(proxied, next(addresses), bystander, PASSWORD) == "ok"
    assert "login throttled: 10 failed logins to person" in proxied.log_path.read_text()


def test_parallel_guesses_get_no_more_tries_than_sequential_ones(proxied: Server) -> None:
    """The guesses arrive together: each is counted as it starts, not once its password
    hash is done, or all of them would pass the check before the first failure counted."""
    name = unique("racing")
    register(proxied, name, PASSWORD)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: _guess(proxied, f"198.51.100.{i}", name), range(20)))
    assert sorted(answers) == sorted([E.INCORRECT_LOGIN] * 10 + [E.RATE_LIMIT_ERROR] * 10)
    assert _guess(proxied, "198.51.100.200", name, PASSWORD) == E.RATE_LIMIT_ERROR
