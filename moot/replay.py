"""Replay a request whose transaction lost a race.

Every front door (API, web pages, federation routes) runs its writes in one transaction. When
that transaction meets a concurrent one it cannot be ordered with — a deadlock, a unique key
a concurrent commit just took (`moot.db.engine.Conflict`) — it is rolled back whole, and the
right answer is to run the request again: the second run sees the winner's rows and decides
afresh (an identical request finds its work done, a contradicting one applies over it).

A pure ASGI wrapper does that for every route at once: it keeps the request body, and when the
app answers with the conflict marker (set by `conflict_response` before anything was sent),
it drops that answer and runs the app again, up to `ATTEMPTS` times in all.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from litestar.utils.scope.state import CONNECTION_STATE_KEY

from moot.db.engine import ATTEMPTS, Conflict, backoff
from moot.errors import ErrorCode

log = logging.getLogger("moot.replay")

_MARKER = b"x-moot-conflict"
# Bodies up to this size are kept for a replay; a larger one (no route accepts one) is
# passed through as it streams, and its request is not replayed.
MAX_KEPT_BODY = 32 * 1024 * 1024
SCOPE_ATTEMPT = "moot.attempt"


def conflict_response(request: Request[Any, Any, Any], exc: Conflict) -> Response[Any]:
    """The exception handler's answer: marked for the wrapper, which replays the request;
    the client sees it only once every attempt lost (503, try again)."""
    log.info("%s %s lost a race: %s", request.method, request.url.path, exc.reason)
    return Response(
        {"error": ErrorCode.UNKNOWN.value, "message": "too many concurrent changes; try again"},
        status_code=503,
        media_type=MediaType.JSON,
        headers={_MARKER.decode(): "1", "retry-after": "1"},
    )


def attempt_of(scope: Scope) -> int:
    """1 for a request's first run, 2 and on for its replays (rate limits count it once)."""
    extra: dict[str, Any] = scope  # type: ignore[assignment]
    return int(extra.get(SCOPE_ATTEMPT, 1))


async def _keep_body(receive: Receive) -> tuple[list[ReceiveMessage], bool]:
    """The request's body messages, up to MAX_KEPT_BODY; True when that was all of it."""
    kept: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        kept.append(message)
        if message["type"] != "http.request":
            return kept, True  # the client went away; the app will see that
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return kept, True
        if size > MAX_KEPT_BODY:
            return kept, False


def _replaying(kept: list[ReceiveMessage], receive: Receive) -> Receive:
    pending = list(kept)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def replay_conflicts(app: ASGIApp) -> ASGIApp:
    async def handler(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        kept, whole = await _keep_body(receive)
        last = 1 if not whole else ATTEMPTS
        for attempt in range(1, last + 1):
            lost = False

            async def watch(message: Message, final: bool = attempt == last) -> None:
                nonlocal lost
                if message["type"] == "http.response.start" and not final:
                    lost = any(name == _MARKER for name, _ in message.get("headers", ()))
                if not lost:
                    await send(message)

            # Litestar keeps what it learnt about a request in scope["state"] (the parsed
            # body, that the response started): each run starts without the last one's, or
            # a replay that loses again is answered 500 ("response already started").
            state = {k: v for k, v in scope.get("state", {}).items() if k != CONNECTION_STATE_KEY}
            run_scope: Any = {**scope, "state": state, SCOPE_ATTEMPT: attempt}
            await app(run_scope, _replaying(kept, receive), watch)
            if not lost:
                return
            await backoff(attempt)

    return handler
