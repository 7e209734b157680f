"""Anonymous listings (posts, comments, communities, the web front page) are read from a
real streaming replica while it is confirmed within MOOT_REPLICA_MAX_LAG_SECONDS of the
primary, and from the primary otherwise; a logged-in reader always reads the primary.
Which database answered is seen by pausing the replica's replay (`pg_wal_replay_pause()`):
a post written then is on the primary only, so a listing without it came from the
replica, and one with it from the primary. PostgreSQL only: the session's primary/replica
pair, one `moot serve` for the module."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Api, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, free_port
from tests.standby import StreamingPair

MAX_LAG = 2.0


@pytest.fixture(scope="module")
def replicated(standby: StreamingPair) -> Iterator[tuple[Server, StreamingPair]]:
    pair = standby
    database = f"moot_{uuid.uuid4().hex[:12]}"
    pair.psql(pair.primary_port, f"CREATE DATABASE {database}")
    folder = Path(tempfile.mkdtemp(prefix="moot-replica-"))
    server = Server(
        "postgresql", pair.url(pair.primary_port, database), folder, free_port(), "localhost"
    )
    server.start_env = {
        "MOOT_DATABASE_REPLICA_URL": pair.url(pair.replica_port, database),
        "MOOT_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
    }
    try:
        server.start()
        yield server, pair
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _until(what: str, done: Callable[[], bool], seconds: float = 15) -> float:
    """Seconds until `done()`; fails after `seconds`."""
    start = time.monotonic()
    while not done():
        assert time.monotonic() - start < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.05)
    return time.monotonic() - start


def _replica_health(server: Server) -> str:
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200, response.text  # the replica never makes it unready
    return str(response.json()["checks"]["replica"])


def _on_replica(pair: StreamingPair, server: Server, sql: str) -> str:
    return pair.psql(pair.replica_port, sql, server.database_url.rsplit("/", 1)[1])


def _post_ids(api: Api, community_id: int) -> list[int]:
    posts = api.ok("GET", "/post/list", community_id=community_id, sort="New")["posts"]
    return [p["post"]["id"] for p in posts]


def _community_names(api: Api) -> list[str]:
    listing = api.ok("GET", "/community/list", sort="New", limit=50)["communities"]
    return [c["community"]["name"] for c in listing]


def _front_page(server: Server, member: Api | None = None) -> str:
    """The web front page, newest first; a member's with their session cookie."""
    token = member.http.headers["authorization"].split()[1] if member else None
    cookies = {"jwt": token} if token else None
    response = httpx.get(f"{server.url}/", params={"sort": "New", "type": "All"}, cookies=cookies)
    assert response.status_code == 200
    return response.text


def _admin(server: Server) -> Api:
    login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    return Api(server, Api(server).ok("POST", "/user/login", login)["jwt"])


def _post(admin: Api, community_id: int, name: str) -> int:
    body = {"name": name, "community_id": community_id}
    return int(admin.ok("POST", "/post", body)["post_view"]["post"]["id"])


def test_anonymous_listings_come_from_the_replica_within_the_bound(
    replicated: tuple[Server, StreamingPair],
) -> None:
    server, pair = replicated
    admin, anonymous = _admin(server), Api(server)
    name = unique("replica")
    body = {"name": name, "title": "Replicated"}
    community = admin.ok("POST", "/community", body)["community_view"]["community"]["id"]
    first_name, second_name = unique("before pause "), unique("during pause ")
    first = _post(admin, community, first_name)
    _until(
        "the replica has the post and is confirmed",
        lambda: (
            _on_replica(pair, server, f"SELECT count(*) FROM post WHERE id = {first}") == "1"
            and _replica_health(server) == "ok"
        ),
    )

    pair.psql(pair.replica_port, "SELECT pg_wal_replay_pause()")
    try:
        started = time.monotonic()
        second = _post(admin, community, second_name)
        comment = {"content": "a comment during the pause", "post_id": first}
        admin.ok("POST", "/comment", comment)
        newer = unique("paused")
        admin.ok("POST", "/community", {"name": newer, "title": "During the pause"})
        written = time.monotonic()
        # Anonymous: the replica's answer, without what was written since the pause.
        assert _post_ids(anonymous, community) == [first]
        assert anonymous.ok("GET", "/comment/list", post_id=first)["comments"] == []
        names = _community_names(anonymous)
        assert name in names and newer not in names
        front_page = _front_page(server)
        assert first_name in front_page and second_name not in front_page
        assert time.monotonic() - started < MAX_LAG, "too slow to see the replica's answer"
        # Logged in: the primary's, with the reader's own writes.
        assert _post_ids(admin, community) == [second, first]
        assert second_name in _front_page(server, admin)
        assert len(admin.ok("GET", "/comment/list", post_id=first)["comments"]) == 1

        # Past the bound the replica is no longer confirmed: the primary answers.
        waited = _until("the primary's answer", lambda: second in _post_ids(anonymous, community))
        print(f"the primary answered {written - started + waited:.2f} s after the first write")
        assert _on_replica(pair, server, f"SELECT count(*) FROM post WHERE id = {second}") == "0"
        assert len(anonymous.ok("GET", "/comment/list", post_id=first)["comments"]) == 1
        assert newer in _community_names(anonymous)
        assert second_name in _front_page(server)
        assert _replica_health(server) == "lagging"
    finally:
        pair.psql(pair.replica_port, "SELECT pg_wal_replay_resume()")

    # Caught up, the replica answers again.
    _until("the replica is confirmed again", lambda: _replica_health(server) == "ok")
    pair.psql(pair.replica_port, "SELECT pg_wal_replay_pause()")
    try:
        third = _post(admin, community, "written during the second pause")
        assert third not in _post_ids(anonymous, community)
    finally:
        pair.psql(pair.replica_port, "SELECT pg_wal_replay_resume()")


def test_a_replica_that_goes_away_costs_no_answer(
    replicated: tuple[Server, StreamingPair],
) -> None:
    server, pair = replicated
    admin, anonymous = _admin(server), Api(server)
    body = {"name": unique("downstream"), "title": "Replica down"}
    community = admin.ok("POST", "/community", body)["community_view"]["community"]["id"]
    post = _post(admin, community, "read while the replica is down")
    _until("the replica is confirmed", lambda: _replica_health(server) == "ok")

    pair.pg_ctl("replica", "stop")
    try:
        for _ in range(3):  # the first finds it gone and gives its read to the primary
            assert _post_ids(anonymous, community) == [post]
            assert anonymous.ok("GET", "/comment/list", post_id=post)["comments"] == []
            assert body["name"] in _community_names(anonymous)
        assert _replica_health(server) == "unreachable"
        assert "read replica lost, reads go to the primary" in server.log_path.read_text()
    finally:
        pair.pg_ctl("replica", "start")
    _until("the replica is back", lambda: _replica_health(server) == "ok")
    assert _post_ids(anonymous, community) == [post]
