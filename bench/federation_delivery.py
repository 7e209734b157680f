"""Delivery throughput to a far-away peer: with a peer that answers every POST after
500 ms, how many activities per second does one moot instance deliver to it?

    .venv/bin/python -m bench.federation_delivery [--activities 1000] [--delay 0.5]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--json FILE]

Steps: start the slow peer (bench/slow_peer.py) and a real `moot serve --no-workers`; make
a community followed by one person of the peer (rows written directly: the peer is not an
ActivityPub server); post `--activities` comments through the API, which queue as many
Announce{Create{Note}} in the outbox; restart moot with its workers and time the delivery
until the peer has every activity. The rate is taken between the first and the last arrival
at the peer, so moot's start-up does not count; the time from "ready" is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Database
from moot.db.types import utcnow

ADMIN, PASSWORD = "bench_admin", "bench-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def moot_serve(
    env: dict[str, str], port: int, data: Path, workers: bool
) -> subprocess.Popen[bytes]:
    flag = "--workers" if workers else "--no-workers"
    log = (data / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "moot", "serve", "--port", str(port), flag],
        env=env,
        cwd=data,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_http(f"http://127.0.0.1:{port}/api/v3/site", process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def add_remote_follower(
    database_url: str, peer: str, community_ids: list[int], domain: str = "moot-slow"
) -> None:
    """A person of the peer at `peer` (an instance named `domain`) following the communities."""
    db = Database(database_url)
    await db.connect(size=2)
    try:
        async with db.transaction() as tx:
            now = utcnow()
            instance_id = await tx.scalar(
                sa.insert(m.instance)
                .values(domain=domain, published=now)
                .returning(m.instance.c.id)
            )
            person_id = await tx.scalar(
                sa.insert(m.person)
                .values(
                    name="far",
                    actor_id=f"{peer}/u/far",
                    inbox_url=f"{peer}/u/far/inbox",
                    shared_inbox_url=f"{peer}/inbox",
                    instance_id=instance_id,
                    local=False,
                    published=now,
                )
                .returning(m.person.c.id)
            )
            for community_id in community_ids:
                await tx.execute(
                    sa.insert(m.community_follower).values(
                        community_id=community_id, person_id=person_id, published=now
                    )
                )
    finally:
        await db.close()


def machine() -> dict[str, Any]:
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="moot-bench-fed-"))
    peer_port, moot_port = free_port(), free_port()
    peer_url = f"http://moot-slow:{peer_port}"
    database_url = args.database_url or f"sqlite:///{data / 'moot.sqlite3'}"
    created_db = None
    if database_url.startswith("postgresql"):
        created_db = f"moot_bench_fed_{os.getpid()}"
        admin_url = database_url
        subprocess.run(["psql", admin_url, "-qAtc", f"CREATE DATABASE {created_db}"], check=True)
        database_url = admin_url.rsplit("/", 1)[0] + f"/{created_db}"
    env = dict(os.environ)
    env.update(
        MOOT_DATABASE_URL=database_url,
        MOOT_DATA_DIR=str(data),
        MOOT_HOSTNAME=f"moot-bench:{moot_port}",
        MOOT_SETUP_ADMIN_NAME=ADMIN,
        MOOT_SETUP_ADMIN_PASSWORD=PASSWORD,
        MOOT_FEDERATION_TEST_MODE="1",
        MOOT_FEDERATION_TEST_HOSTS="moot-slow=127.0.0.1",
        MOOT_RANK_REFRESH_SECONDS="3600",
    )
    peer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.slow_peer",
            "--port",
            str(peer_port),
            "--delay",
            str(args.delay),
        ]
    )
    server = None
    try:
        wait_http(f"http://127.0.0.1:{peer_port}/stats", peer)
        server = moot_serve(env, moot_port, data, workers=False)
        api = f"http://127.0.0.1:{moot_port}/api/v3"
        token = httpx.post(
            f"{api}/user/login", json={"username_or_email": ADMIN, "password": PASSWORD}
        ).json()["jwt"]
        auth = {"Authorization": f"Bearer {token}"}
        limits = {f"rate_limit_{b}": 1_000_000 for b in ("message", "post", "comment")}
        httpx.put(f"{api}/site", json=limits, headers=auth).raise_for_status()
        community = httpx.post(
            f"{api}/community", json={"name": "bench", "title": "Bench"}, headers=auth
        ).json()["community_view"]["community"]["id"]
        post = httpx.post(
            f"{api}/post", json={"name": "Far away", "community_id": community}, headers=auth
        ).json()["post_view"]["post"]["id"]
        asyncio.run(add_remote_follower(database_url, peer_url, [int(community)]))

        def comment(i: int) -> None:
            with httpx.Client(headers=auth, timeout=60) as client:
                client.post(
                    f"{api}/comment", json={"post_id": post, "content": f"comment {i}"}
                ).raise_for_status()

        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(comment, range(args.activities)))
        queued_in = time.monotonic() - started
        stop(server)

        server = moot_serve(env, moot_port, data, workers=True)
        ready = time.monotonic()
        deadline = ready + args.timeout
        stats: dict[str, Any] = {}
        while time.monotonic() < deadline:
            stats = httpx.get(f"http://127.0.0.1:{peer_port}/stats").json()
            if stats["count"] >= args.activities:
                break
            time.sleep(0.2)
        elapsed = (stats["last"] or ready) - ready
        window = (stats["last"] or 0) - (stats["first"] or 0)
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "backend": "postgresql" if created_db else "sqlite",
            "peer_delay_s": args.delay,
            "sends_per_instance": int(os.environ.get("MOOT_FEDERATION_SENDS_PER_INSTANCE", 100)),
            "activities": args.activities,
            "delivered": stats.get("count"),
            "distinct": stats.get("unique"),
            "queued_through_api_s": round(queued_in, 1),
            "ready_to_last_s": round(elapsed, 2),
            "first_to_last_s": round(window, 2),
            "rate_per_s": round((stats["count"] - 1) / window, 1) if window > 0 else None,
        }
    finally:
        if server is not None:
            stop(server)
        stop(peer)
        if created_db:
            subprocess.run(
                [
                    "psql",
                    args.database_url,
                    "-qAtc",
                    f"DROP DATABASE IF EXISTS {created_db} WITH (FORCE)",
                ],
                check=False,
            )
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.5, help="the peer's answer delay (s)")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (default SQLite)")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
