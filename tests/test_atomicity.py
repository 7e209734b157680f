"""A failure in the middle of an action leaves nothing written, on both databases."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from moot import auth
from moot.actions import comments, communities, posts
from moot.actions.accounts import create_local_user
from moot.actions.bootstrap import bootstrap
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.migrate import upgrade
from tests.servers import drop_database, new_database_url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Database, Settings]]:
    folder = Path(tempfile.mkdtemp(prefix="moot-atomic-"))
    url = new_database_url(request.param, folder)
    await asyncio.to_thread(upgrade, url)  # Alembic runs its own event loop
    settings = Settings(data_dir=folder, database_url=url, hostname="atomic.test")
    database = Database(url)
    await database.connect()
    await bootstrap(database, settings)
    try:
        yield database, settings
    finally:
        await database.close()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


async def _snapshot(database: Database) -> dict[str, object]:
    async with database.connection() as conn:
        return {
            "comments": await conn.scalar(sa.select(sa.func.count()).select_from(m.comment)),
            "post": await conn.fetch_one(sa.select(m.post.c.comments, m.post.c.score)),
            "person": await conn.fetch_all(
                sa.select(m.person.c.comment_count, m.person.c.comment_score)
            ),
            "community": await conn.fetch_one(sa.select(m.community.c.comments)),
            "replies": await conn.scalar(sa.select(sa.func.count()).select_from(m.comment_reply)),
        }


async def test_failed_comment_leaves_nothing(
    db: tuple[Database, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, settings = db
    async with database.transaction() as tx:
        password_hash = auth.hash_password("password-123")
        person_id, user_id = await create_local_user(tx, settings, "writer", password_hash)
        local_user = await tx.fetch_one(sa.select(m.local_user).where(m.local_user.c.id == user_id))
        person = await tx.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
        assert local_user is not None and person is not None
        viewer = auth.Viewer(local_user=local_user, person=person, token="")
        community = await communities.create_community(
            tx, settings, viewer, {"name": "atomic", "title": "Atomic"}
        )
        post = await posts.create_post(
            tx, settings, viewer, {"name": "A post", "community_id": community["id"]}
        )
    before = await _snapshot(database)

    def fail(*args: object) -> None:
        raise RuntimeError("injected failure after the counters moved")

    # The comment row, its author's vote, its counters and its notices are written before
    # this step runs (its statements are built once per process: a failure injected into
    # their building would not be reached again).
    monkeypatch.setattr(comments, "mark_read", fail)
    with pytest.raises(RuntimeError, match="injected"):
        async with database.transaction() as tx:
            await comments.create_comment(
                tx, settings, viewer, int(post["id"]), "hello", None, None
            )
    assert await _snapshot(database) == before
