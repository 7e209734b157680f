"""Moderation actions called in-process, as the web interface and federation will call them:
with an `Actor` instead of an API viewer; and the scheduler lifting bans whose time is up.
On both databases."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from moot.actions import communities, moderation, posts
from moot.actions.accounts import create_local_user
from moot.actions.actor import RemoteActor
from moot.actions.bans import ban_expiry, clear_expired_bans
from moot.actions.bootstrap import bootstrap
from moot.auth import Viewer, hash_password
from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Database
from moot.db.migrate import upgrade
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from tests.servers import drop_database, new_database_url

_HASH = hash_password("password-123")


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Database, Settings]]:
    folder = Path(tempfile.mkdtemp(prefix="moot-bans-"))
    url = new_database_url(request.param, folder)
    await asyncio.to_thread(upgrade, url)
    settings = Settings(data_dir=folder, database_url=url, hostname="bans.test")
    database = Database(url)
    await database.connect()
    await bootstrap(database, settings)
    try:
        yield database, settings
    finally:
        await database.close()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


async def test_expired_bans_are_lifted(db: tuple[Database, Settings]) -> None:
    database, settings = db
    now = utcnow()
    async with database.transaction() as tx:
        owner_id, owner_user = await create_local_user(tx, settings, "owner", _HASH)
        people = [(await create_local_user(tx, settings, n, _HASH))[0] for n in "abc"]
        user = await tx.fetch_one(sa.select(m.local_user).where(m.local_user.c.id == owner_user))
        person = await tx.fetch_one(sa.select(m.person).where(m.person.c.id == owner_id))
        assert user is not None and person is not None
        community = await communities.create_community(
            tx, settings, Viewer(user, person, ""), {"name": "bans", "title": "Bans"}
        )
        ended, running, forever = people
        for pid, expires in (
            (ended, now - timedelta(seconds=1)),
            (running, now + timedelta(hours=1)),
        ):
            await tx.execute(
                sa.update(m.person)
                .where(m.person.c.id == pid)
                .values(banned=True, ban_expires=expires)
            )
            await tx.execute(
                sa.insert(m.community_person_ban).values(
                    community_id=community["id"], person_id=pid, published=now, expires=expires
                )
            )
        await tx.execute(sa.update(m.person).where(m.person.c.id == forever).values(banned=True))

    assert await clear_expired_bans(database) == 2
    async with database.connection() as conn:
        banned = await conn.fetch_all(sa.select(m.person.c.id).where(m.person.c.banned))
        in_community = await conn.fetch_all(sa.select(m.community_person_ban.c.person_id))
    assert sorted(r["id"] for r in banned) == sorted([running, forever])
    assert [r["person_id"] for r in in_community] == [running]
    assert await clear_expired_bans(database) == 0


def test_ban_expiry_rules() -> None:
    soon = int((utcnow() + timedelta(days=1)).timestamp())
    assert ban_expiry(None) is None
    expiry = ban_expiry(soon)
    assert expiry is not None and int(expiry.timestamp()) == soon
    # Further than ten years away is for good, as Lemmy.
    assert ban_expiry(int((utcnow() + timedelta(days=3700)).timestamp())) is None
    for bad, code in (
        (int(utcnow().timestamp()) - 10, ErrorCode.BAN_EXPIRATION_IN_PAST),
        (2**40, ErrorCode.INVALID_UNIX_TIME),
    ):
        with pytest.raises(ApiError) as refused:
            ban_expiry(bad)
        assert refused.value.code is code


async def test_an_actor_meets_the_same_rules(db: tuple[Database, Settings]) -> None:
    """A moderator's activity arrives as a `RemoteActor`; the action checks it as it checks
    an API viewer, and writes the same modlog row."""
    database, settings = db
    async with database.transaction() as tx:
        owner_id, owner_user = await create_local_user(tx, settings, "owner", _HASH)
        other_id, _ = await create_local_user(tx, settings, "other", _HASH)
        user = await tx.fetch_one(sa.select(m.local_user).where(m.local_user.c.id == owner_user))
        person = await tx.fetch_one(sa.select(m.person).where(m.person.c.id == owner_id))
        assert user is not None and person is not None
        owner = Viewer(user, person, "")
        community = await communities.create_community(
            tx, settings, owner, {"name": "acted", "title": "Acted on"}
        )
        post = await posts.create_post(
            tx, settings, owner, {"name": "A post", "community_id": community["id"]}
        )
    with pytest.raises(ApiError) as refused:
        async with database.transaction() as tx:
            other = await tx.fetch_one(sa.select(m.person).where(m.person.c.id == other_id))
            assert other is not None
            await moderation.remove_post(tx, RemoteActor(other), int(post["id"]), True, "no")
    assert refused.value.code is ErrorCode.NOT_A_MOD_OR_ADMIN
    async with database.transaction() as tx:
        removed = await moderation.remove_post(
            tx, RemoteActor(person), int(post["id"]), True, "spam"
        )
    assert removed["removed"] is True
    async with database.connection() as conn:
        logged = await conn.fetch_all(sa.select(m.modlog))
        total = await conn.scalar(sa.select(m.community.c.posts))
    assert [(r["kind"], r["mod_person_id"], r["reason"]) for r in logged] == [
        ("ModRemovePost", owner_id, "spam")
    ]
    assert total == 0
