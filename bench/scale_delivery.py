"""The delivery half of bench/scale_out.py: activities per second delivered by 1 and by 2
`moot worker` processes beside a `moot serve --no-workers` on PostgreSQL.

The peers are bench/slow_peer.py processes on loopback (each answers every POST after
`--peer-delay` and counts the activity ids it got), each its own instance to moot
(`moot-peer-K`, resolved by the test-mode host map). Two communities: one followed by a
person of the first peer only, one followed by a person of every peer. A burst is
`--activities` comments posted through the API while no worker runs (each queues an
Announce{Create{Note}} in the outbox); then N workers start and the burst is timed until
every peer following the community has every activity.

Delivery to one instance runs in one process at a time, under a lease (ordering per
destination, moot/workers/delivery.py): to a single peer a second worker can only stand by;
with several peers the leases may spread over the workers. Which worker held which lease is
recorded, since that decides whether a second worker helps.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import procstat
from bench.federation_delivery import add_remote_follower, wait_http
from bench.live import auth, community, ok, open_site
from tests.servers import Server, free_port, make_server


@dataclass
class Burst:
    peers: int
    workers: int
    activities: int
    delivered: int = 0  # arrivals at the peers, over all of them
    distinct: int = 0  # distinct activity ids, summed over the peers
    start_to_last_s: float = 0.0  # from spawning the workers to the last arrival
    first_to_last_s: float = 0.0  # between the first and the last arrival
    leases: list[int] = field(default_factory=list)  # delivery leases held by each worker
    # Leases a worker lost to another while working (its renewal came too late), from the
    # workers' logs; each loss means the window in flight is sent again by the new holder.
    leases_lost: int = 0
    # Outbox rows the delivery cursors were still behind by, `--timeout` after every
    # activity had arrived at least once (0: the burst ended cleanly).
    cursor_lag: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per tier
    per_worker_cpu: list[float] = field(default_factory=list)
    machine: float = 0.0

    @property
    def rate(self) -> float:
        """Deliveries per second between the first and the last arrival."""
        return (self.delivered - 1) / self.first_to_last_s if self.first_to_last_s else 0.0


@dataclass
class Peer:
    domain: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{self.domain}:{self.port}"

    @property
    def stats(self) -> str:
        return f"http://127.0.0.1:{self.port}/stats"


@dataclass
class Sender:
    server: Server
    peers: list[Peer]
    token: str
    posts: dict[int, int]  # peers following -> a post in a community they follow
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


def start(peer_count: int, peer_delay: float) -> Sender:
    """The peers, and the sender with its communities followed (no worker yet)."""
    peers = []
    for k in range(peer_count):
        port = free_port()
        command = [sys.executable, "-m", "bench.slow_peer", "--port", str(port)]
        process = subprocess.Popen([*command, "--delay", str(peer_delay)])
        peers.append(Peer(f"moot-peer-{k}", port, process))
    for peer in peers:
        wait_http(peer.stats, peer.process)
    server = make_server("postgresql")
    server.hostname = f"moot-scalebench:{server.port}"
    server.start_env = {
        "MOOT_FEDERATION_TEST_HOSTS": ",".join(f"{p.domain}=127.0.0.1" for p in peers),
        "MOOT_RANK_REFRESH_SECONDS": "86400",
        "MOOT_LOG_LEVEL": "WARNING",
    }
    server.serve_options = ["--no-workers"]
    sender = Sender(server, peers, "", {})
    server.start()
    sender.token, one, every = asyncio.run(_site(server))
    sender.posts = {1: one[1], len(peers): every[1]}
    for k, peer in enumerate(peers):
        followed = [one[0], every[0]] if k == 0 else [every[0]]
        asyncio.run(add_remote_follower(server.database_url, peer.url, followed, peer.domain))
    # The set-up's own activities (the posts) are delivered before any burst is counted.
    sender.workers.append(server.start_worker("worker-setup"))
    if _wait_caught_up(server, 120):
        raise RuntimeError("the set-up's activities were not delivered")
    stop_workers(sender)
    return sender


def _psql(server: Server, query: str) -> str:
    command = ["psql", server.database_url, "-qAtc", query]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def _wait_caught_up(server: Server, timeout: float) -> int:
    """Until every peer's delivery cursor stands at the end of the outbox (saved), or
    `timeout`: the outbox rows the cursors are still behind by, summed (0 when caught up)."""
    behind = (
        "SELECT coalesce(sum((SELECT max(id) FROM sent_activity)"
        " - coalesce(q.last_successful_id, 0)), 0) FROM instance i"
        " LEFT JOIN federation_queue_state q ON q.instance_id = i.id"
        " WHERE i.domain LIKE 'moot-peer-%'"
    )
    deadline = time.monotonic() + timeout
    while (lag := int(_psql(server, behind) or 0)) > 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    return lag


async def _site(server: Server) -> tuple[str, tuple[int, int], tuple[int, int]]:
    """The admin's token; (community, post) followed by one peer, and by every peer."""
    async with httpx.AsyncClient(base_url=server.api, timeout=60) as client:
        token = await open_site(client)
        made = []
        for name in ("onepeer", "everypeer"):
            community_id = await community(client, token, name)
            body = {"name": f"Burst to {name}", "community_id": community_id}
            post = await ok(await client.post("/post", json=body, headers=auth(token)))
            made.append((community_id, int(post["post_view"]["post"]["id"])))
    return token, made[0], made[1]


async def _queue(server: Server, token: str, post_id: int, count: int) -> None:
    """`count` comments through the API, 8 at a time: as many activities in the outbox."""
    gate = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=server.api, timeout=60, headers=auth(token)) as client:

        async def one(i: int) -> None:
            async with gate:
                body = {"post_id": post_id, "content": f"burst comment {i}"}
                await ok(await client.post("/comment", json=body))

        await asyncio.gather(*(one(i) for i in range(count)))


def _lease_holders(server: Server, workers: list[subprocess.Popen[bytes]]) -> list[int]:
    owners = _psql(server, "SELECT owner FROM lease WHERE name LIKE 'delivery:%'").split()
    pids = [int(owner.split(":")[1]) for owner in owners]
    return [pids.count(w.pid) for w in workers]


def burst(sender: Sender, peers: int, workers: int, activities: int, timeout: float) -> Burst:
    """Queue a burst with no worker running, then deliver it with `workers` workers."""
    targets = sender.peers[:peers]
    for peer in sender.peers:
        httpx.delete(peer.stats).raise_for_status()
    asyncio.run(_queue(sender.server, sender.token, sender.posts[peers], activities))
    result = Burst(peers, workers, activities)
    tally = procstat.Tally(
        {
            "workers": lambda: [p for w in sender.workers for p in procstat.tree(w.pid)],
            "postgres": lambda: procstat.backends(sender.server.database_url),
            "peers": lambda: [p.process.pid for p in sender.peers],
        }
    )
    spawned = time.monotonic()
    for n in range(workers):
        sender.workers.append(sender.server.start_worker(f"worker-{peers}-{workers}-{n}"))
    # The CPU is counted from the first arrival: the workers' start-up (imports, connecting)
    # is no part of a delivery's cost.
    stats: list[dict[str, Any]] = []
    counting = False
    deadline = spawned + timeout
    while time.monotonic() < deadline:
        stats = [httpx.get(p.stats).json() for p in targets]
        if not counting and any(s["count"] for s in stats):
            tally.start()
            counting = True
        if all(s["unique"] >= activities for s in stats):
            break
        time.sleep(0.1)
    if not counting:
        raise RuntimeError(f"nothing arrived at the peers in {timeout} s")
    tally.stop()
    result.cursor_lag = _wait_caught_up(sender.server, timeout)
    stats = [httpx.get(p.stats).json() for p in targets]  # repeats, if any, came by now
    result.leases = _lease_holders(sender.server, sender.workers)
    stop_workers(sender)
    logs = sender.server.data_dir.glob(f"worker-{peers}-{workers}-*.log")
    result.leases_lost = sum(
        1
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if "lease delivery:" in line and "was lost" in line
    )
    result.delivered = sum(s["count"] for s in stats)
    result.distinct = sum(s["unique"] for s in stats)
    if result.delivered:
        first = min(s["first"] for s in stats if s["first"] is not None)
        last = max(s["last"] for s in stats if s["last"] is not None)
        result.first_to_last_s = last - first
        result.start_to_last_s = last - spawned
    result.cpu = dict(tally.used)
    result.per_worker_cpu = tally.per_process["workers"]
    result.machine = tally.machine
    print(
        f"  {peers} peer(s), {workers} worker(s): {result.delivered} delivered "
        f"({result.distinct} distinct) of {activities * peers}, first→last "
        f"{result.first_to_last_s:.2f} s, {result.rate:.1f} /s; leases per worker "
        f"{result.leases}, lost {result.leases_lost}; cursors behind by {result.cursor_lag}",
        flush=True,
    )
    return result


def stop_workers(sender: Sender) -> None:
    """SIGTERM: each worker saves its cursors and gives its leases up for the next burst."""
    for worker in sender.workers:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
    for worker in sender.workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    sender.workers.clear()


def stop(sender: Sender) -> None:
    stop_workers(sender)
    for peer in sender.peers:
        peer.process.terminate()
        peer.process.wait()
