"""Two `moot serve` processes of one instance on one PostgreSQL database, with Redis and
without (MOOT_SEVERAL_PROCESSES: shared through the database), the requests alternating
between them: a client's rate limits and an account's failed logins count across both,
and what an admin changes through one is what the other answers with (with Redis at once,
without within the second the other process keeps the site's generation). And `moot serve
--processes 2` starts both under one command."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, free_port, make_server

REDIS = "redis://127.0.0.1:6379/0"
SHARED_THROUGH = {"redis": {"MOOT_REDIS_URL": REDIS}, "database": {"MOOT_SEVERAL_PROCESSES": "1"}}


def _admin(server: Server) -> Api:
    login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    return Api(server, Api(server).ok("POST", "/user/login", login)["jwt"])


def _soon(shared: str, seen: Callable[[], bool]) -> bool:
    """`seen()` on the next request with Redis; without, once the other process's second
    is up (moot/shared_site.py), so asked again for up to 3 s."""
    deadline = time.monotonic() + (3 if shared == "database" else 0)
    while not seen():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture(scope="module", params=list(SHARED_THROUGH))
def shared(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def pair(shared: str) -> Iterator[tuple[Server, Server]]:
    first = make_server("postgresql")
    # A host name of its own: other instances' keys in the same Redis stay apart.
    first.hostname = f"shared-{first.port}.test"
    first.start_env = dict(SHARED_THROUGH[shared])
    second = Server("postgresql", first.database_url, first.data_dir, free_port(), first.hostname)
    second.start_env = dict(first.start_env)
    second.log_path = first.data_dir / "server2.log"
    try:
        first.start()
        # Sign-ups and logins share a bucket (10 an hour): lifted, the tests make many.
        _admin(first).ok("PUT", "/site", {"registration_mode": "Open", "rate_limit_register": 1000})
        second.start()
        yield first, second
    finally:
        second.stop()
        destroy(first)


def test_a_rate_limit_holds_across_processes(pair: tuple[Server, Server]) -> None:
    first, second = pair
    admin = _admin(first)
    community = admin.ok("POST", "/community", {"name": unique("shared"), "title": "Shared"})
    community_id = community["community_view"]["community"]["id"]
    members = [register(first), register(second)]
    tokens = [member.http.headers["Authorization"] for member in members]

    # One client (one address) posting through each process in turn: Lemmy's default
    # allows 6 posts in 10 minutes, whichever process answers.
    answers = []
    for n in range(8):
        server = pair[n % 2]
        response = httpx.post(
            f"{server.api}/post",
            json={"name": f"Post {n}", "community_id": community_id},
            headers={"Authorization": tokens[n % 2], "X-Forwarded-For": "198.51.100.7"},
        )
        answers.append("ok" if response.status_code == 200 else response.json()["error"])
    assert answers == ["ok"] * 6 + [E.RATE_LIMIT_ERROR] * 2
    # Another address has its own bucket.
    response = httpx.post(
        f"{second.api}/post",
        json={"name": "Elsewhere", "community_id": community_id},
        headers={"Authorization": tokens[1], "X-Forwarded-For": "198.51.100.8"},
    )
    assert response.status_code == 200


def test_a_limit_changed_in_one_process_holds_in_the_other(
    pair: tuple[Server, Server], shared: str
) -> None:
    first, second = pair
    admin = _admin(first)
    community = admin.ok("POST", "/community", {"name": unique("limits"), "title": "Limits"})
    community_id = community["community_view"]["community"]["id"]
    member = register(second)
    admin.ok("PUT", "/site", {"rate_limit_post": 2, "rate_limit_post_per_second": 600})
    try:
        # Through `GET /site` of the second: its next rate-limit check sees the same number.
        assert _soon(
            shared,
            lambda: (
                Api(second).ok("GET", "/site")["site_view"]["local_site_rate_limit"]["post"] == 2
            ),
        )
        answers = []
        for n in range(3):
            response = member.http.post(
                "/post",
                json={"name": f"Limited {n}", "community_id": community_id},
                headers={"X-Forwarded-For": "198.51.100.9"},
            )
            answers.append("ok" if response.status_code == 200 else response.json()["error"])
        assert answers == ["ok", "ok", E.RATE_LIMIT_ERROR]
    finally:
        admin.ok("PUT", "/site", {"rate_limit_post": 6, "rate_limit_post_per_second": 600})


def test_failed_logins_count_across_processes(pair: tuple[Server, Server]) -> None:
    name = unique("guessed")
    register(pair[0], name)
    answers = []
    for n in range(12):
        response = httpx.post(
            f"{pair[n % 2].api}/user/login",
            json={"username_or_email": name, "password": "wrong-guess"},
            headers={"X-Forwarded-For": f"192.0.2.{n + 1}"},
        )
        answers.append(response.json()["error"])
    assert answers == [E.INCORRECT_LOGIN] * 10 + [E.RATE_LIMIT_ERROR] * 2


def test_a_site_setting_changed_in_one_process_is_seen_by_the_other(
    pair: tuple[Server, Server], shared: str
) -> None:
    first, second = pair
    name = unique("Renamed")
    Api(second).ok("GET", "/site")  # the second process has read the site already
    _admin(first).ok("PUT", "/site", {"name": name, "description": "Changed in one"})

    def seen() -> bool:
        site = Api(second).ok("GET", "/site")["site_view"]["site"]
        return bool((site["name"], site.get("description")) == (name, "Changed in one"))

    assert _soon(shared, seen)


def _buckets_in_database(server: Server) -> int:
    counted = subprocess.run(
        ["psql", server.database_url, "-qAtc", "SELECT count(*) FROM rate_limit_bucket"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(counted.stdout)


def test_serve_with_two_processes() -> None:
    """Without Redis (with it, the pair above shows what is shared), the command tells its
    processes they are several: they count their rate limits in the database. Run once,
    not per sharing: starting two processes takes most of a minute on a loaded machine."""
    server = make_server("postgresql")
    log = server.log_path.open("ab")
    env = server.env()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "moot",
            "serve",
            "--port",
            str(server.port),
            "--processes",
            "2",
            "--no-workers",
        ],
        env=env,
        cwd=server.data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{server.api}/site", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError(server.log_tail())
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 2, server.log_tail()
        # The processes log their requests with the proxy's id, as one process does.
        response = httpx.get(f"{server.api}/site", headers={"X-Request-Id": "two-processes-1"})
        assert response.headers["x-request-id"] == "two-processes-1"
        deadline = time.monotonic() + 10
        while "request_id=two-processes-1 " not in server.log_path.read_text():
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.05)
        assert _buckets_in_database(server) > 0
    finally:
        process.terminate()
        process.wait(timeout=30)
        destroy(server)


def test_several_processes_need_postgresql() -> None:
    server = make_server("sqlite")
    try:
        refused = server.moot("serve", "--processes", "2", check=False)
        assert refused.returncode != 0
        assert "--processes needs PostgreSQL" in refused.stderr
    finally:
        destroy(server)
