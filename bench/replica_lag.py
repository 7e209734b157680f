"""How stale an anonymous listing is with a read replica: write a post as the admin, then,
from its acknowledgment, list the community anonymously every 10 ms until the post is there.

    .venv/bin/python -m bench.replica_lag [--writes 30] [--paused 3] [--max-lag 2]

A real primary and streaming replica (tests/standby.py) and one `moot serve` with
MOOT_DATABASE_REPLICA_URL. `--writes` posts with replay running (the delay is the
replica's own), then `--paused` posts with replay paused (the delay is how long moot keeps
reading the paused replica: at most --max-lag). Prints a Markdown table; needs root (the
servers run as the postgres user).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, free_port
from tests.standby import StreamingPair, start_pair


def _delays(server: Server, pair: StreamingPair, writes: int, paused: bool) -> list[float]:
    with httpx.Client(base_url=server.api, timeout=30) as http:
        login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        auth = {"Authorization": f"Bearer {http.post('/user/login', json=login).json()['jwt']}"}
        limits = {f"rate_limit_{bucket}": 100000 for bucket in ("post", "register", "message")}
        http.put("/site", json=limits, headers=auth).raise_for_status()
        body = {"name": f"lag{uuid.uuid4().hex[:8]}", "title": "Lag"}
        created = http.post("/community", json=body, headers=auth).json()
        community = created["community_view"]["community"]["id"]
        delays = []
        for n in range(writes):
            time.sleep(1.0)  # the replica caught up and confirmed again
            if paused:
                pair.psql(pair.replica_port, "SELECT pg_wal_replay_pause()")
            post = {"name": f"post {n}", "community_id": community}
            answer = http.post("/post", json=post, headers=auth).json()
            written = time.monotonic()  # acknowledged, so committed
            post_id = answer["post_view"]["post"]["id"]
            while True:
                listing = http.get("/post/list", params={"community_id": community, "sort": "New"})
                if any(p["post"]["id"] == post_id for p in listing.json()["posts"]):
                    break
                time.sleep(0.01)
            delays.append(time.monotonic() - written)
            if paused:
                pair.psql(pair.replica_port, "SELECT pg_wal_replay_resume()")
        return delays


def _row(what: str, delays: list[float]) -> str:
    ordered = sorted(delays)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"| {what} | {len(delays)} | {statistics.median(delays) * 1000:.0f} | "
        f"{p95 * 1000:.0f} | {max(delays) * 1000:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--paused", type=int, default=3)
    parser.add_argument("--max-lag", type=float, default=2.0)
    args = parser.parse_args()
    pair = start_pair()
    folder = Path(tempfile.mkdtemp(prefix="moot-replica-lag-"))
    database = f"moot_{uuid.uuid4().hex[:12]}"
    pair.psql(pair.primary_port, f"CREATE DATABASE {database}")
    server = Server(
        "postgresql", pair.url(pair.primary_port, database), folder, free_port(), "localhost"
    )
    server.start_env = {
        "MOOT_DATABASE_REPLICA_URL": pair.url(pair.replica_port, database),
        "MOOT_REPLICA_MAX_LAG_SECONDS": str(args.max_lag),
        "MOOT_REQUEST_LOG_LEVEL": "off",
    }
    try:
        server.start()
        running = _delays(server, pair, args.writes, paused=False)
        stopped = _delays(server, pair, args.paused, paused=True)
    finally:
        server.stop()
        pair.destroy()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"MOOT_REPLICA_MAX_LAG_SECONDS={args.max_lag}: write → seen by an anonymous listing")
    print("| replay | writes | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    print(_row("running", running))
    print(_row("paused", stopped))


if __name__ == "__main__":
    main()
