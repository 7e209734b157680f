"""Background work across processes, processes dying: two instances on PostgreSQL, each
served with `--no-workers` and two `moot worker`s beside it; the sender answers in two
processes (`moot serve --processes 2`), shares its limits in Redis and keeps its pictures
in an S3-compatible store (Swift's S3 API).

A member of one writes a burst of comments in a community of the other: each is a Create
delivered by a worker of the first, processed by a worker of the second, and Announced back
to the first. Meanwhile the worker delivering to the other instance is killed (SIGKILL) and
another started, and so is the worker processing the other's inbox. Every comment arrives
once (counted by the receiver, whose counters must agree), and the edits of one comment
arrive in order (its last text wins).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import Api, register
from tests.federation.conftest import follow, make_peer, open_up, resolve, wait_for
from tests.s3server import SwiftS3
from tests.servers import Server, destroy

BURST = 1000  # Creates to the receiver; as many Announces come back
EDITS = 5


@dataclass
class Instance:
    server: Server
    admin: Api
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> None:
        self.workers.append(self.server.start_worker(f"worker-{len(self.workers)}"))

    def query(self, sql: str) -> str:
        done = subprocess.run(
            ["psql", self.server.database_url, "-qAtc", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def kill_holder(self, lease: str) -> int:
        """SIGKILL the worker holding `lease` (its owner names the pid); start another."""
        owner = wait_for(
            lambda: self.query(f"SELECT owner FROM lease WHERE name LIKE '{lease}'"),
            f"a holder of {lease}",
        )
        pid = int(owner.split(":")[1])
        assert pid in [w.pid for w in self.workers], f"{lease} is held by {owner}"
        os.kill(pid, signal.SIGKILL)
        self.start_worker()
        return pid


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(out, format="PNG")
    return out.getvalue()


PICTURE = _picture()


def _upload(server: Server, member: Api) -> str:
    response = httpx.post(
        f"{server.url}/pictrs/image",
        files=[("images[]", ("a.png", PICTURE, "image/png"))],
        headers={"Authorization": str(member.http.headers["Authorization"])},
    )
    assert response.status_code == 201, response.text
    return f"{server.url}/pictrs/image/{response.json()['files'][0]['file']}"


def _comment_id(instance: Instance, comment: dict[str, Any]) -> int:
    ap_id = comment["comment_view"]["comment"]["ap_id"]
    return int(instance.query(f"SELECT id FROM comment WHERE ap_id = '{ap_id}'"))


def _state(sender: Instance, receiver: Instance, post_id: int) -> str:
    """What each side holds, for a failure's message."""
    lines = [
        "receiver comments: "
        + receiver.query(f"SELECT count(*) FROM comment WHERE post_id = {post_id}"),
        "sender outbox: " + sender.query("SELECT count(*), max(id) FROM sent_activity"),
        "sender cursors: " + sender.query("SELECT * FROM federation_queue_state"),
    ]
    for side, instance in (("sender", sender), ("receiver", receiver)):
        lines.append(f"{side} leases: " + instance.query("SELECT * FROM lease"))
        lines.append(
            f"{side} inbox: "
            + instance.query("SELECT state, count(*) FROM received_activity GROUP BY state")
        )
        for log in sorted(instance.server.data_dir.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            lines.append(f"--- {side} {log.name} ---\n" + "\n".join(tail))
    return "\n".join(lines)


def _start(name: str, processes: int = 1, env: dict[str, str] | None = None) -> Instance:
    server = make_peer(name, "postgresql")
    server.serve_options = ["--no-workers", "--processes", str(processes)]
    server.start_env.update(env or {})
    server.start()
    instance = Instance(server, open_up(server))
    instance.start_worker()
    instance.start_worker()
    return instance


@pytest.fixture(scope="module")
def pair(swift: SwiftS3) -> Iterator[tuple[Instance, Instance]]:
    bucket = f"moot-{uuid.uuid4().hex[:12]}"
    swift.make_bucket(bucket)
    shared = {"MOOT_REDIS_URL": "redis://127.0.0.1:6379/0", **swift.settings(bucket)}
    started: list[Instance] = []
    try:
        started = [_start("delta", processes=2, env=shared), _start("epsilon")]
        yield started[0], started[1]
    finally:
        for instance in started:
            for worker in instance.workers:
                worker.kill()
                worker.wait()
            destroy(instance.server)


def test_a_burst_arrives_once_and_in_order_while_workers_die(
    pair: tuple[Instance, Instance],
) -> None:
    sender, receiver = pair
    receiver.admin.ok(
        "POST", "/community", {"name": "burst", "title": "Burst", "description": "Comments."}
    )
    community_id = receiver.admin.ok("GET", "/community", name="burst")["community_view"][
        "community"
    ]["id"]
    post = receiver.admin.ok("POST", "/post", {"name": "Burst here", "community_id": community_id})
    post_id = post["post_view"]["post"]["id"]

    member = register(sender.server)
    picture = _upload(sender.server, member)
    member.ok("PUT", "/user/save_user_settings", {"avatar": picture})
    follow(member, receiver.server.hostname, "burst")
    there = resolve(member, post["post_view"]["post"]["ap_id"])["post"]["post"]["id"]

    edited = member.ok("POST", "/comment", {"post_id": there, "content": "edit 0"})
    edited_id = edited["comment_view"]["comment"]["id"]

    def write(numbers: range) -> None:
        for n in numbers:
            member.ok("POST", "/comment", {"post_id": there, "content": f"comment {n}"})

    writers = [threading.Thread(target=write, args=(range(k, BURST, 4),)) for k in range(4)]
    for thread in writers:
        thread.start()
    for n in range(1, EDITS + 1):
        member.ok("PUT", "/comment", {"comment_id": edited_id, "content": f"edit {n}"})

    # Both sides lose the worker doing their part, mid-burst.
    wait_for(
        lambda: (
            int(receiver.query(f"SELECT count(*) FROM comment WHERE post_id = {post_id}"))
            > BURST // 5
        ),
        "the first comments to arrive",
        timeout=120,
    )
    sender.kill_holder("delivery:%")
    receiver.kill_holder("inbox")
    for thread in writers:
        thread.join()

    total = BURST + 1
    wait_for(
        lambda: (
            int(receiver.query(f"SELECT count(*) FROM comment WHERE post_id = {post_id}")) == total
        ),
        f"all {total} comments on the receiver",
        timeout=300,
    )
    counts = receiver.admin.ok("GET", "/post", id=post_id)["post_view"]["counts"]
    assert counts["comments"] == total
    distinct = receiver.query(
        f"SELECT count(DISTINCT ap_id) FROM comment WHERE post_id = {post_id}"
    )
    assert int(distinct) == total
    assert receiver.query("SELECT count(*) FROM received_activity WHERE state = 'failed'") == "0"
    last = receiver.query(
        f"SELECT content FROM comment WHERE ap_id = '{edited['comment_view']['comment']['ap_id']}'"
    )
    assert last == f"edit {EDITS}"

    # The author's avatar, kept in the store, is what the receiver links and any of the
    # sender's processes serves.
    creator = receiver.admin.ok("GET", "/comment", id=_comment_id(receiver, edited))
    assert creator["comment_view"]["creator"]["avatar"] == picture
    for _ in range(4):
        assert httpx.get(picture).content == PICTURE

    # The Announces came back to the sender too, and nothing was left behind on either side.
    for instance in pair:
        wait_for(
            lambda instance=instance: (
                instance.query("SELECT count(*) FROM received_activity WHERE state = 'pending'")
                == "0"
            ),
            "the inbox to empty",
            timeout=120,
        )
