"""A fetch racing an inbox activity: the activity is applied, the object stored once.

Two live instances: the sender hosts a community that a member of the receiver follows, so
each post and comment written there reaches the receiver as an Announce{Create}. In every
round the receiver's member also resolves the new post and comments by URL, in turn before
the activity arrives, while the inbox is taking it, and at a spread of moments in between;
each URL twice at once. Afterwards, on the receiver: every object is there once, every
activity the sender addressed to it is done (none failed), no resolve answered 5xx, and a
recount corrects nothing (a counter moved twice for one object would show there).
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from moot.db.recount import expected_counters
from tests.conftest import Api, register, unique
from tests.federation.conftest import Peer, follow, open_up, wait_for
from tests.servers import Server, destroy, make_server

SENDER = "moot-racesend"
RECEIVERS = {"sqlite": "moot-racetake", "postgresql": "moot-racetakepg"}
HOSTS = ",".join(f"{h}=127.0.0.1" for h in [SENDER, *RECEIVERS.values()])
ROUNDS = 18
# Delays (seconds) between writing on the sender and resolving on the receiver, for the
# rounds that race "somewhere in between": the delivery and the inbox take ~0.1 to 0.4 s.
SPREAD = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]


def _start(host: str, backend: str) -> Peer:
    server = make_server(backend)
    server.hostname = f"{host}:{server.port}"
    server.start_env = {"MOOT_FEDERATION_TEST_HOSTS": HOSTS}
    try:
        server.start()
        return Peer(host, server, open_up(server))
    except BaseException:
        destroy(server)
        raise


def _stop(peer: Peer, request: pytest.FixtureRequest) -> None:
    if request.session.testsfailed and peer.server.log_path.exists():
        print(f"--- {peer.name} ({peer.server.backend}) log ---\n{peer.server.log_tail(60)}")
    destroy(peer.server)


@pytest.fixture(scope="module")
def sender(request: pytest.FixtureRequest) -> Iterator[Peer]:
    peer = _start(SENDER, "sqlite")
    yield peer
    _stop(peer, request)


@pytest.fixture(scope="module", params=list(RECEIVERS))
def receiver(request: pytest.FixtureRequest) -> Iterator[Peer]:
    peer = _start(RECEIVERS[request.param], request.param)
    yield peer
    _stop(peer, request)


def _rows(server: Server, query: str) -> list[tuple[str, ...]]:
    """Rows of an instance's own database as text, on either backend."""
    if server.backend == "sqlite":
        with sqlite3.connect(server.database_url.split("///", 1)[1]) as conn:
            return [tuple(str(v) for v in r) for r in conn.execute(query).fetchall()]
    out = subprocess.run(
        ["psql", server.database_url, "-qAt", "-F", "\t", "-c", query],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _counters(server: Server) -> dict[tuple[str, str], tuple[str, ...]]:
    """Every counter `moot admin recount` checks, by table and row id."""
    out = {}
    for table, counters in expected_counters().items():
        names = ", ".join(counters)
        for row in _rows(server, f"SELECT id, {names} FROM {table.name}"):
            out[(table.name, row[0])] = row[1:]
    return out


class Resolves:
    """Resolve calls on the receiver, several at once, each answer's status kept."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.statuses: list[tuple[str, int, str]] = []
        self._lock = threading.Lock()

    def at_once(self, urls: list[str]) -> None:
        start = threading.Barrier(len(urls))

        def one(url: str) -> None:
            start.wait()
            response = self.api.get("/resolve_object", q=url)
            with self._lock:
                self.statuses.append((url, response.status_code, response.text[:200]))

        threads = [threading.Thread(target=one, args=(url,)) for url in urls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def failures(self) -> list[tuple[str, int, str]]:
        return [s for s in self.statuses if s[1] != 200]


def _stored(receiver: Peer, ap_ids: list[str]) -> bool:
    """Whether the receiver's inbox is idle and holds a row for each of `ap_ids`."""
    rows = _rows(
        receiver.server,
        "SELECT count(*) FROM received_activity WHERE state = 'pending'",
    )
    if rows != [("0",)]:
        return False
    have = _rows(
        receiver.server,
        f"SELECT (SELECT count(*) FROM post WHERE ap_id IN ({_quoted(ap_ids)}))"
        f" + (SELECT count(*) FROM comment WHERE ap_id IN ({_quoted(ap_ids)}))",
    )
    return have == [(str(len(ap_ids)),)]


def _arrived(receiver: Peer, ap_id: str) -> bool:
    """Whether an activity about `ap_id` is in the receiver's inbox table (in any state)."""
    rows = _rows(
        receiver.server,
        f"SELECT count(*) FROM received_activity WHERE data LIKE '%{ap_id}\"%'",
    )
    return rows != [("0",)]


def test_fetches_racing_the_inbox_lose_nothing(sender: Peer, receiver: Peer) -> None:
    started = time.monotonic()
    name = unique("race")
    made = sender.admin.ok("POST", "/community", {"name": name, "title": "Races"})
    community_id = int(made["community_view"]["community"]["id"])
    reader = register(receiver.server)
    follow(reader, sender.host, name)
    author = register(sender.server)
    resolves = Resolves(reader)
    written: dict[str, str] = {}  # ap_id → its final title or text, as the sender has it

    for round_no in range(ROUNDS):
        mode = round_no % 3
        body = {"name": f"race {round_no}", "community_id": community_id}
        post = author.ok("POST", "/post", body)
        post_id = post["post_view"]["post"]["id"]
        post_ap = post["post_view"]["post"]["ap_id"]
        top = author.ok("POST", "/comment", {"post_id": post_id, "content": f"top {round_no}"})
        reply = author.ok(
            "POST",
            "/comment",
            {
                "post_id": post_id,
                "parent_id": top["comment_view"]["comment"]["id"],
                "content": f"reply {round_no}",
            },
        )
        top_ap = top["comment_view"]["comment"]["ap_id"]
        reply_ap = reply["comment_view"]["comment"]["ap_id"]
        title = f"race {round_no}"
        if mode == 0:
            pass  # resolve first: the activities are still on their way
        elif mode == 1:
            # The activity first: resolve the moment the receiver has stored it.
            wait_for(lambda ap=post_ap: _arrived(receiver, ap), f"{post_ap} arriving")
        else:
            # Somewhere in between, with an edit on the way: a fetch may bring the new
            # title while the Create still carries the old one.
            title = f"race {round_no} edited"
            author.ok("PUT", "/post", {"post_id": post_id, "name": title})
            time.sleep(SPREAD[(round_no // 3) % len(SPREAD)])
        resolves.at_once([reply_ap, reply_ap, top_ap, post_ap, post_ap])
        written.update({post_ap: title, top_ap: f"top {round_no}", reply_ap: f"reply {round_no}"})
        wait_for(lambda ids=[post_ap, top_ap, reply_ap]: _stored(receiver, ids), "the round")

    assert resolves.failures() == []
    # Every object once, with what the sender has now.
    posts = _rows(
        receiver.server,
        f"SELECT ap_id, name, comments FROM post WHERE ap_id IN ({_quoted(list(written))})",
    )
    comments = _rows(
        receiver.server,
        f"SELECT ap_id, content FROM comment WHERE ap_id IN ({_quoted(list(written))})",
    )
    assert len(posts) == ROUNDS and len(comments) == 2 * ROUNDS
    assert {ap: text for ap, text, _ in posts} | dict(comments) == written
    assert {count for _, _, count in posts} == {"2"}
    # Every activity the sender addressed to the receiver's follower was applied.
    sent = [
        ap
        for (ap,) in _rows(
            sender.server,
            f"SELECT ap_id FROM sent_activity WHERE send_community_followers_of = {community_id}",
        )
    ]
    states = dict(
        _rows(
            receiver.server,
            f"SELECT ap_id, state FROM received_activity WHERE ap_id IN ({_quoted(sent)})",
        )
    )
    assert states == dict.fromkeys(sent, "done")
    failed = _rows(
        receiver.server,
        "SELECT ap_id, failure FROM received_activity WHERE state != 'done'",
    )
    assert failed == []
    before = _counters(receiver.server)
    recount = receiver.server.moot("admin", "recount")
    # (table, id) → (counters before, after), to name what a failing recount corrected.
    changed = {
        k: (before.get(k), v) for k, v in _counters(receiver.server).items() if before.get(k) != v
    }
    assert "recounted: 0 rows corrected" in recount.stdout, (recount.stdout, changed)
    print(f"{ROUNDS} rounds on {receiver.server.backend}: {time.monotonic() - started:.1f} s")
