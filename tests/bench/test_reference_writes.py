"""bench/reference's writes change the rows moot's change and answer moot's bytes (issue 12),
so that bench/versus_writes.py measures moot against a yardstick doing the same work.

One scene (bench/versus_writes.py `make_scene`: members, a community followed from another
instance, posts, comments) is made through moot, and the database copied. Then the same
requests go to moot on the one and to the reference on the other: a vote, a vote changed, a
vote taken back, a top-level comment, a reply. Every row of every table must then be the
same in both, times, activity ids and ranks (which follow the clock) aside, and the answers
too (a new comment's own time aside).
"""

from __future__ import annotations

import asyncio
import math
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bench import run, versus, versus_writes
from moot.db import models as m
from moot.db.engine import Database
from tests.servers import _psql, drop_database, new_database_url


@dataclass
class Twins:
    moot_api: str
    reference_api: str
    urls: tuple[str, str]
    scene: versus_writes.Scene


def _copy(url: str, folder: Path) -> str:
    """A copy of the database `url` names, nobody connected to it."""
    if url.startswith("sqlite"):
        source = Path(url.split(":///", 1)[1])
        target = folder / "copy.sqlite3"
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    name = url.rsplit("/", 1)[1]
    _psql(f"CREATE DATABASE {name}_copy TEMPLATE {name}")
    return f"{url}_copy"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def twins(request: pytest.FixtureRequest) -> AsyncIterator[Twins]:
    folder = Path(tempfile.mkdtemp(prefix=f"moot-reference-writes-{request.param}-"))
    url = new_database_url(request.param, folder)
    copy: str | None = None
    moot = run.Server(url, run.free_port(), options=["--no-workers"])
    reference: versus.Reference | None = None
    try:
        await asyncio.to_thread(moot.start)
        scene = await versus_writes.make_scene(moot.api, url, members=4, posts=4, parents=2)
        moot.stop()
        copy = _copy(url, folder)
        moot = run.Server(url, run.free_port(), options=["--no-workers"])
        await asyncio.to_thread(moot.start)
        reference = await asyncio.to_thread(versus.Reference, copy, [])
        yield Twins(moot.api, reference.api, (url, copy), scene)
    finally:
        if reference is not None:
            reference.stop()
        moot.stop()
        for each in (url, copy):
            if each is not None:
                drop_database(each)
        shutil.rmtree(folder, ignore_errors=True)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def _plain(value: Any) -> Any:
    """A column's value with what follows the clock or chance set aside."""
    if isinstance(value, datetime):
        return "time"
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else value
    if isinstance(value, str):
        return _TIME.sub("time", _UUID.sub("uuid", value))
    return value


async def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in primary key order, their values `_plain`."""
    db = Database(url)
    await db.connect(size=2)
    try:
        out = {}
        async with db.connection() as conn:
            for table in m.metadata.sorted_tables:
                key = list(table.primary_key.columns) or list(table.c)
                rows = await conn.fetch_all(sa.select(table).order_by(*key))
                out[table.name] = [tuple(_plain(v) for v in r.values()) for r in rows]
        return out
    finally:
        await db.close()


def _answer(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return _TIME.sub("time", response.text)


async def test_the_reference_writes_what_moot_writes(twins: Twins) -> None:
    scene = twins.scene
    voter, post_id = scene.tokens[0], scene.post_ids[1]
    comment_id, replied_post = scene.parents[0]
    requests: list[tuple[str, dict[str, Any]]] = [
        ("/post/like", {"post_id": post_id, "score": 1}),
        ("/post/like", {"post_id": post_id, "score": -1}),
        ("/post/like", {"post_id": post_id, "score": 0}),
        ("/post/like", {"post_id": scene.post_ids[2], "score": 1}),
        ("/comment", {"post_id": post_id, "content": "Top level, by the voter"}),
        ("/comment", {"post_id": replied_post, "parent_id": comment_id, "content": "A reply"}),
    ]
    async with httpx.AsyncClient(timeout=60) as client:
        for path, body in requests:
            headers = {"Authorization": f"Bearer {voter}"}
            mine = await client.post(twins.moot_api + path, json=body, headers=headers)
            theirs = await client.post(twins.reference_api + path, json=body, headers=headers)
            assert _answer(mine) == _answer(theirs), path
    moot_rows, reference_rows = await _rows(twins.urls[0]), await _rows(twins.urls[1])
    for table, rows in moot_rows.items():
        for mine, theirs in zip(rows, reference_rows[table], strict=True):
            assert mine == theirs, table
    # The comparison saw the writes: votes, the comments' notices and outbox rows.
    assert len(moot_rows["comment_reply"]) >= 2
    assert len(moot_rows["sent_activity"]) >= 12


async def test_the_reference_runs_moots_statements(twins: Twins) -> None:
    """As many statements as moot's budgets (tests/test_write_statement_counts.py)."""
    scene = twins.scene
    headers = {"Authorization": f"Bearer {scene.tokens[3]}"}
    comment_id, replied_post = scene.parents[1]
    postgresql = twins.urls[1].startswith("postgresql")
    async with httpx.AsyncClient(base_url=twins.reference_api) as client:
        for path, body, count in (
            ("/post/like", {"post_id": scene.post_ids[0], "score": 1}, 6),
            (
                "/comment",
                {"post_id": scene.post_ids[0], "content": "Top"},
                10 if postgresql else 11,
            ),
            ("/comment", {"post_id": replied_post, "parent_id": comment_id, "content": "R"}, 12),
        ):
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == 200, response.text
            assert int(response.headers["x-statements"]) == count, path


async def test_the_reference_refuses_what_it_does_not_do(twins: Twins) -> None:
    headers = {"Authorization": f"Bearer {twins.scene.tokens[0]}"}
    body = {"post_id": twins.scene.post_ids[0], "content": "**bold** @someone"}
    async with httpx.AsyncClient(base_url=twins.reference_api) as client:
        response = await client.post("/comment", json=body, headers=headers)
        assert response.status_code == 400
        response = await client.post("/comment", json=body)
        assert response.status_code == 400
