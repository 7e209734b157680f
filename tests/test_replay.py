"""moot/replay.py: a request whose transaction loses a race is run again, as a whole."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, post
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Send

from moot.db.engine import ATTEMPTS, Conflict
from moot.replay import conflict_response, replay_conflicts


def _app(losses: int) -> tuple[Litestar, list[Any]]:
    runs: list[Any] = []

    @post("/write")
    async def write(request: Request[Any, Any, Any]) -> dict[str, Any]:
        runs.append(await request.json())
        if len(runs) <= losses:
            raise Conflict("lost to a concurrent commit")
        return {"runs": len(runs)}

    def passing(app: ASGIApp) -> ASGIApp:
        # Any middleware (moot has CSRF's) makes Litestar handle exceptions in two layers.
        async def passed(scope: Any, receive: Receive, send: Send) -> None:
            await app(scope, receive, send)

        return passed

    app = Litestar([write], exception_handlers={Conflict: conflict_response}, middleware=[passing])
    replaying = replay_conflicts(app.asgi_handler)

    async def as_uvicorn(scope: Any, receive: Receive, send: Send) -> None:
        # uvicorn gives each request a `state` dict (a copy of the lifespan state).
        await replaying({**scope, "state": {}}, receive, send)

    app.asgi_handler = as_uvicorn
    return app, runs


def test_a_request_that_loses_twice_is_answered_by_its_third_run() -> None:
    app, runs = _app(losses=2)
    with TestClient(app) as client:
        answer = client.post("/write", json={"n": 1})
    assert (answer.status_code, answer.json()) == (201, {"runs": 3})
    assert runs == [{"n": 1}] * 3  # the body is read again on every run


def test_a_request_that_always_loses_is_answered_503() -> None:
    app, runs = _app(losses=ATTEMPTS)
    with TestClient(app) as client:
        answer = client.post("/write", json={"n": 1})
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    assert len(runs) == ATTEMPTS
