"""A far-away peer for the delivery benchmark: every POST is answered after `--delay` seconds
(any other request at once, with a 404).

    .venv/bin/python -m bench.slow_peer --port 8600 --delay 0.5

It keeps, for each activity id, when it arrived; GET /stats returns the count, the number of
distinct ids, and the first and last arrival times (monotonic seconds); DELETE /stats
forgets them (a new burst).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def make_app(delay: float) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    arrivals: list[tuple[float, str]] = []

    async def reply(send: Send, status: int, body: bytes) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET" and scope["path"] == "/stats":
            ids = [a for _, a in arrivals]
            stats = {
                "count": len(ids),
                "unique": len(set(ids)),
                "first": arrivals[0][0] if arrivals else None,
                "last": arrivals[-1][0] if arrivals else None,
            }
            await reply(send, 200, json.dumps(stats).encode())
            return
        if scope["method"] == "DELETE" and scope["path"] == "/stats":
            arrivals.clear()
            await reply(send, 200, b"{}")
            return
        if scope["method"] != "POST":
            # moot's periodic check of the instance (NodeInfo) is no delivery.
            await reply(send, 404, b"{}")
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await asyncio.sleep(delay)  # the distance
        try:
            activity_id = str(json.loads(body).get("id"))
        except ValueError:
            activity_id = "?"
        arrivals.append((time.monotonic(), activity_id))
        await reply(send, 200, b"")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.5)
    args = parser.parse_args()
    uvicorn.run(
        make_app(args.delay),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        backlog=4096,
        limit_concurrency=10_000,
    )


if __name__ == "__main__":
    main()
