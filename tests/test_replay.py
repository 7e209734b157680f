"""Lost races: the engine names them `Conflict` on both databases, and a request whose
transaction lost one is run again whole (moot/replay.py), body and all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar, Request, post

from moot.db import models as m
from moot.db.engine import ATTEMPTS, Conflict, Database, retrying
from moot.db.types import utcnow
from moot.replay import attempt_of, conflict_response, replay_conflicts
from tests.servers import migrated_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with migrated_database(request.param) as database:
        yield database


async def test_a_unique_key_taken_by_another_commit_is_a_conflict(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute(sa.insert(m.instance).values(domain="a.test", published=utcnow()))
    with pytest.raises(Conflict):
        async with db.transaction() as tx:
            await tx.execute(sa.insert(m.instance).values(domain="a.test", published=utcnow()))


async def test_retrying_runs_the_work_again_and_stops_after_the_last_attempt(
    db: Database,
) -> None:
    runs = 0

    async def work(tx: Any) -> int:
        nonlocal runs
        runs += 1
        # Inserting a taken domain loses, until the third run picks a free one.
        domain = "taken.test" if runs < 3 else "free.test"
        await tx.execute(sa.insert(m.instance).values(domain=domain, published=utcnow()))
        return runs

    async with db.transaction() as tx:
        await tx.execute(sa.insert(m.instance).values(domain="taken.test", published=utcnow()))
    assert await retrying(db, work) == 3

    async def always_loses(tx: Any) -> None:
        nonlocal runs
        runs += 1
        await tx.execute(sa.insert(m.instance).values(domain="taken.test", published=utcnow()))

    runs = 0
    with pytest.raises(Conflict):
        await retrying(db, always_loses)
    assert runs == ATTEMPTS


def _app(losses: int, seen: list[tuple[int, bytes]]) -> Any:
    """An app whose handler loses a race the first `losses` times it runs."""

    @post("/write", status_code=200)
    async def write(request: Request[Any, Any, Any]) -> dict[str, int]:
        body = await request.body()
        seen.append((attempt_of(request.scope), body))
        if len(seen) <= losses:
            raise Conflict("deadlock detected")
        return {"runs": len(seen)}

    async def passing(scope: Any, receive: Any, send: Any, app: Any) -> None:
        await app(scope, receive, send)

    # A middleware, as moot's CSRF one, puts a second exception layer around the handler.
    app = Litestar(
        route_handlers=[write],
        exception_handlers={Conflict: conflict_response},
        middleware=[lambda app: lambda scope, receive, send: passing(scope, receive, send, app)],
    )
    # Wrapped where moot.app wraps it: inside Litestar's own entry point, which gives every
    # request one state dict that the runs must not share.
    app.asgi_handler = replay_conflicts(app.asgi_handler)
    return app


async def _send(app: Any, body: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moot.test") as client:
        return await client.post("/write", content=body)


async def test_a_request_that_lost_a_race_is_replayed_with_its_body() -> None:
    seen: list[tuple[int, bytes]] = []
    response = await _send(_app(2, seen), b'{"score": 1}')
    assert response.status_code == 200
    assert response.json() == {"runs": 3}
    assert seen == [(1, b'{"score": 1}'), (2, b'{"score": 1}'), (3, b'{"score": 1}')]
    assert "x-moot-conflict" not in response.headers


async def test_a_request_that_loses_every_attempt_gets_a_clear_503() -> None:
    seen: list[tuple[int, bytes]] = []
    response = await _send(_app(ATTEMPTS, seen), b"{}")
    assert len(seen) == ATTEMPTS
    assert response.status_code == 503
    assert response.json()["error"] == "unknown"
    assert response.headers["retry-after"] == "1"
