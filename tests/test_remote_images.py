"""ProxyAllImages rewrites what arrives from other instances as it does what is written here:
the rewrite is in the actions every front door shares. On both databases."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from moot.actions import comments, communities, posts
from moot.actions.accounts import create_local_user
from moot.actions.actor import Received, RemoteActor
from moot.actions.bootstrap import bootstrap
from moot.auth import Viewer, hash_password
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.migrate import upgrade
from moot.db.types import utcnow
from moot.media.image_links import proxied
from tests.servers import drop_database, new_database_url

FAR = "https://far.example"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Database, Settings]]:
    folder = Path(tempfile.mkdtemp(prefix="moot-proxy-"))
    url = new_database_url(request.param, folder)
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        data_dir=folder, database_url=url, hostname="proxy.test", image_mode="ProxyAllImages"
    )
    database = Database(url)
    await database.connect()
    await bootstrap(database, settings)
    try:
        yield database, settings
    finally:
        await database.close()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


async def _recorded(database: Database) -> list[str]:
    async with database.connection() as conn:
        rows = await conn.fetch_all(sa.select(m.remote_image.c.link).order_by("link"))
    return [r["link"] for r in rows]


async def test_received_content_is_proxied_and_recorded_once(
    db: tuple[Database, Settings],
) -> None:
    database, settings = db
    async with database.transaction() as tx:
        person_id, user_id = await create_local_user(
            tx, settings, "writer", hash_password("password-123")
        )
        user = await tx.fetch_one(sa.select(m.local_user).where(m.local_user.c.id == user_id))
        person = await tx.fetch_one(sa.select(m.person).where(m.person.c.id == person_id))
        assert user is not None and person is not None
        community = await communities.create_community(
            tx, settings, Viewer(user, person, ""), {"name": "far", "title": "Far"}
        )
    # The action cannot tell this person from one of another instance: what it is given is
    # what an activity gives it.
    sender = RemoteActor(person)
    picture = f"{FAR}/pic.png"
    async with database.transaction() as tx:
        post = await posts.create_post(
            tx,
            settings,
            sender,
            {
                "name": "From afar",
                "community_id": community["id"],
                "body": f"![p]({picture})",
                "custom_thumbnail": f"{FAR}/thumb.png",
            },
            Received(f"{FAR}/post/1", utcnow()),
        )
        created = await comments.create_comment(
            tx,
            settings,
            sender,
            int(post["id"]),
            f"again ![p]({picture})",
            None,
            None,
            Received(f"{FAR}/comment/1", utcnow()),
        )
    comment = created.comment
    assert post["body"] == f"![p]({proxied(picture, settings.origin)})"
    assert post["thumbnail_url"] == proxied(f"{FAR}/thumb.png", settings.origin)
    assert proxied(picture, settings.origin) in str(post["body_html"])
    assert comment["content"] == f"again ![p]({proxied(picture, settings.origin)})"
    assert await _recorded(database) == [picture, f"{FAR}/thumb.png"]

    # In the other modes nothing is rewritten or recorded.
    plain = dataclasses.replace(settings, image_mode="StoreLinkPreviews")
    async with database.transaction() as tx:
        edited = await comments.edit_comment(
            tx, plain, sender, int(comment["id"]), f"![q]({FAR}/other.png)", None
        )
    assert edited["content"] == f"![q]({FAR}/other.png)"
    assert await _recorded(database) == [picture, f"{FAR}/thumb.png"]
