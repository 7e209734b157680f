"""What open live streams (moot/web/live.py) cost a `moot serve`: its CPU while N members
have posts open and nothing happens, then while comments arrive on one of them; how long a
comment takes to reach every page open on it; and how long the server takes to stop with
them all open.

    .venv/bin/python -m bench.live_streams --backend sqlite --streams 200 --posts 1

Each stream comes from an address of its own (the server trusts the bench as its proxy), as
the per-address bound would otherwise stop it at a few.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx

from bench.procstat import cpu_seconds
from tests.conftest import register
from tests.servers import Server, destroy, make_server
from tests.web.conftest import _open_up


async def _listen(
    client: httpx.AsyncClient,
    path: str,
    token: str,
    index: int,
    opened: asyncio.Event,
    got: dict[int, float],
) -> None:
    """Note when each comment event arrives (by comment id), the first arrival per id."""
    headers = {
        "X-Forwarded-For": f"10.{index // 250}.{index % 250}.1",
        "Cookie": f"jwt={token}",
    }
    async with client.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200, response.status_code
        opened.set()
        async for line in response.aiter_lines():
            if line.startswith("id: "):
                got.setdefault(int(line[4:]), time.monotonic())


def _cpu(server: Server) -> float:
    assert server.process is not None
    return cpu_seconds(server.process.pid) or 0.0


async def run(
    backend: str, streams: int, posts: int, comments: int, idle: float
) -> dict[str, object]:
    server = make_server(backend)
    server.start()
    try:
        _open_up(server)
        author = register(server)
        made = author.ok("POST", "/community", {"name": "livebench", "title": "Live bench"})
        community_id = made["community_view"]["community"]["id"]
        post_ids = [
            author.ok("POST", "/post", {"name": f"Live {n}", "community_id": community_id})[
                "post_view"
            ]["post"]["id"]
            for n in range(posts)
        ]
        post_id = post_ids[0]  # the one commented on
        # Each page open by a member of its own (the post's author gets a notice per
        # comment: were every page theirs, every page would recount its inbox).
        tokens = [register(server).http.headers["Authorization"].split()[1] for _ in range(streams)]
        limits = httpx.Limits(max_connections=streams + 10)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
            arrivals: list[dict[int, float]] = [{} for _ in range(streams)]
            opened = [asyncio.Event() for _ in range(streams)]
            listeners = [
                asyncio.create_task(
                    _listen(
                        client,
                        f"/live?post={post_ids[i % posts]}",
                        tokens[i],
                        i,
                        opened[i],
                        arrivals[i],
                    )
                )
                for i in range(streams)
            ]
            await asyncio.gather(*(event.wait() for event in opened))
            before = _cpu(server)
            await asyncio.sleep(idle)
            idle_cpu = _cpu(server) - before

            writer = register(server)
            sent: dict[int, float] = {}
            before, started = _cpu(server), time.monotonic()
            for n in range(comments):
                made = await asyncio.to_thread(
                    writer.ok, "POST", "/comment", {"post_id": post_id, "content": f"Live {n}"}
                )
                sent[made["comment_view"]["comment"]["id"]] = time.monotonic()
                await asyncio.sleep(1.0)
            await asyncio.sleep(5)
            busy_cpu, busy_seconds = _cpu(server) - before, time.monotonic() - started
            delays = [got[cid] - at for got in arrivals for cid, at in sent.items() if cid in got]
            missed = len(range(0, streams, posts)) * len(sent) - len(delays)

            assert server.process is not None
            stop_started = time.monotonic()
            server.process.terminate()
            await asyncio.to_thread(server.process.wait, 60)
            stop_seconds = time.monotonic() - stop_started
            await asyncio.gather(*listeners, return_exceptions=True)
        return {
            "backend": backend,
            "streams": streams,
            "posts": posts,
            "idle_seconds": idle,
            "idle_cpu_seconds": round(idle_cpu, 3),
            "comments": comments,
            "busy_seconds": round(busy_seconds, 1),
            "busy_cpu_seconds": round(busy_cpu, 3),
            "delay_median_s": round(statistics.median(delays), 2) if delays else None,
            "delay_max_s": round(max(delays), 2) if delays else None,
            "missed": missed,
            "stop_seconds": round(stop_seconds, 2),
        }
    finally:
        destroy(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--posts", type=int, default=1, help="streams spread over this many")
    parser.add_argument("--comments", type=int, default=20, help="on the first post, 1 a second")
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args()
    print(
        json.dumps(
            asyncio.run(run(args.backend, args.streams, args.posts, args.comments, args.idle))
        )
    )


if __name__ == "__main__":
    main()
