"""An in-process moot (the app `moot serve` runs, on a real database of each backend) with
a small forum in it, for tests that look at what a request does to the database: the
statements it runs (`moot.db.statement_count.counting` follows the request's context,
which an in-process client shares) and the plans they get."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from moot.app import create_app
from moot.config import Settings
from moot.db.migrate import upgrade
from moot.db.statement_count import counting
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, drop_database, new_database_url

PASSWORD = "password-123"


@dataclass
class Forum:
    """The app, its database and what the seed made."""

    backend: str
    database_url: str
    app: Litestar
    client: httpx.AsyncClient
    admin_token: str
    member_token: str
    member_name: str
    post_id: int  # a post with a threaded comment tree
    ids: dict[str, Any]

    async def call(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response

    async def api(
        self, method: str, path: str, body: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        if body is not None:
            kwargs["json"] = body
        return (await self.call(method, f"/api/v3{path}", **kwargs)).json()

    async def statements(
        self, path: str, *, token: str | None = None, cookie: bool = False
    ) -> tuple[list[str], httpx.Response]:
        """The statements one GET runs, and its response. `cookie`: the token is sent as
        the web pages' `jwt` cookie rather than a bearer header."""
        headers = {}
        if token and cookie:
            headers["Cookie"] = f"jwt={token}"
        elif token:
            headers["Authorization"] = f"Bearer {token}"
        with counting() as seen:
            response = await self.client.get(path, headers=headers)
        assert response.status_code == 200, f"GET {path}: {response.text[:500]}"
        return seen, response


async def _login(client: httpx.AsyncClient, name: str, password: str) -> str:
    response = await client.post(
        "/api/v3/user/login", json={"username_or_email": name, "password": password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["jwt"])


async def _seed(forum: Forum, others: list[str]) -> None:
    """Three communities with moderators, posts by several members with votes, saves and
    hides, a ban, a block, a follow, and one post with a comment tree four levels deep."""
    admin, member = forum.admin_token, forum.member_token
    tokens = {name: await _login(forum.client, name, PASSWORD) for name in others}
    communities = []
    for i, owner in enumerate([admin, member, tokens[others[0]]]):
        made = await forum.api(
            "POST", "/community", {"name": f"place{i}", "title": f"Place {i}"}, token=owner
        )
        communities.append(int(made["community_view"]["community"]["id"]))
    writers = [admin, member, *tokens.values()]
    posts = []
    for n in range(24):
        body = {"name": f"Post number {n}", "community_id": communities[n % 3], "body": f"*{n}*"}
        made = await forum.api("POST", "/post", body, token=writers[n % len(writers)])
        posts.append(int(made["post_view"]["post"]["id"]))
    for n, post_id in enumerate(posts[:12]):
        voter = writers[(n + 1) % len(writers)]
        await forum.api("POST", "/post/like", {"post_id": post_id, "score": 1}, token=voter)
    await forum.api("POST", "/post/like", {"post_id": posts[3], "score": -1}, token=member)
    await forum.api("PUT", "/post/save", {"post_id": posts[4], "save": True}, token=member)
    await forum.api("POST", "/post/hide", {"post_ids": [posts[5]], "hide": True}, token=member)
    await forum.api(
        "POST", "/community/follow", {"community_id": communities[0], "follow": True}, token=member
    )
    person = await forum.api("GET", "/user", params={"username": others[1]})
    blocked_id = int(person["person_view"]["person"]["id"])
    await forum.api("POST", "/user/block", {"person_id": blocked_id, "block": True}, token=member)
    thread = posts[0]
    parents: list[int | None] = [None]
    for depth in range(4):
        level = []
        for parent in parents:
            for k in range(2):
                body: dict[str, Any] = {"post_id": thread, "content": f"d{depth} k{k} **hi**"}
                if parent is not None:
                    body["parent_id"] = parent
                made = await forum.api(
                    "POST", "/comment", body, token=writers[(depth + k) % len(writers)]
                )
                level.append(int(made["comment_view"]["comment"]["id"]))
        parents = level
    # After the thread: the banned member wrote in it.
    banned = await forum.api("GET", "/user", params={"username": others[2]})
    await forum.api(
        "POST",
        "/community/ban_user",
        {
            "community_id": communities[0],
            "person_id": int(banned["person_view"]["person"]["id"]),
            "ban": True,
        },
        token=admin,
    )
    forum.post_id = thread
    forum.ids.update(communities=communities, posts=posts)


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan, entered and left in a task of its own (the fixture's setup and
    teardown may run in different tasks; Litestar's lifespan must end where it began)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when="FIRST_COMPLETED")
    if task.done():
        task.result()  # the startup failed: say why
    try:
        yield
    finally:
        stop.set()
        await task


async def _open(forum: Forum) -> None:
    """The site open for registration with no rate limit in the way, and four members."""
    forum.admin_token = await _login(forum.client, ADMIN_NAME, ADMIN_PASSWORD)
    limits = {
        f"rate_limit_{b}": 100000
        for b in ("message", "post", "register", "image", "comment", "search")
    }
    await forum.api(
        "PUT", "/site", {"registration_mode": "Open", **limits}, token=forum.admin_token
    )
    names = ["reader", "writer1", "writer2", "writer3"]
    for name in names:
        body = {"username": name, "password": PASSWORD, "password_verify": PASSWORD}
        registered = await forum.api("POST", "/user/register", body)
        if name == "reader":
            forum.member_token, forum.member_name = str(registered["jwt"]), name
    await _seed(forum, names[1:])


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def forum(request: pytest.FixtureRequest) -> AsyncIterator[Forum]:
    folder = Path(tempfile.mkdtemp(prefix=f"moot-reads-{request.param}-"))
    url = new_database_url(request.param, folder)
    try:
        await asyncio.to_thread(upgrade, url)
        settings = Settings(
            data_dir=folder,
            database_url=url,
            hostname="moot.test",
            setup_admin_name=ADMIN_NAME,
            setup_admin_password=ADMIN_PASSWORD,
            federation_test_mode=True,
            run_workers=False,
        )
        app = create_app(settings)
        transport = httpx.ASGITransport(app=app)
        async with (
            running(app),
            httpx.AsyncClient(transport=transport, base_url="http://moot.test") as client,
        ):
            forum = Forum(request.param, url, app, client, "", "", "", 0, {})
            await _open(forum)
            yield forum
    finally:
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)
