"""moot/db/upsert.py on a real database of each backend: one row per natural key, whoever
inserts first, including two transactions inserting the same key at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
import sqlalchemy as sa

from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Database
from moot.db.types import utcnow
from tests.servers import migrated_database

HOST = "upsert.test"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with migrated_database(request.param, HOST) as database:
        yield database


def _instance(domain: str) -> dict[str, object]:
    return {"domain": domain, "published": utcnow()}


async def test_insert_new_and_id_of_keep_one_row_per_key(db: Database) -> None:
    async with db.transaction() as tx:
        first = await upsert.insert_new(tx, m.instance, "domain", _instance("one.test"))
        again = await upsert.insert_new(tx, m.instance, "domain", _instance("one.test"))
        known = await upsert.id_of(tx, m.instance, "domain", _instance("one.test"))
        other = await upsert.id_of(tx, m.instance, "domain", _instance("two.test"))
    assert first is not None and again is None
    assert known == first and other != first


async def test_concurrent_inserts_of_one_key_land_on_one_row(db: Database) -> None:
    """Both transactions looked and found nothing; the second waits for the first (on
    PostgreSQL at the unique index, on SQLite at the write lock) and takes its row."""
    looked = asyncio.Barrier(2)

    async def one() -> int:
        async with db.transaction() as tx:
            if db.dialect_name == "postgresql":  # SQLite's second writer waits at BEGIN
                await looked.wait()
            return await upsert.id_of(tx, m.instance, "domain", _instance("race.test"))

    ids = await asyncio.gather(one(), one())
    assert ids[0] == ids[1]
    async with db.connection() as conn:
        count = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(m.instance)
            .where(m.instance.c.domain == "race.test")
        )
    assert count == 1


async def test_store_refreshes_and_keeps_what_only_if_excludes(db: Database) -> None:
    t = m.community
    async with db.transaction() as tx:
        instance_id = await upsert.id_of(tx, m.instance, "domain", _instance("far.test"))
        insert_only = {"local": False, "instance_id": instance_id, "published": utcnow()}
        values = {
            "actor_id": "https://far.test/c/one",
            "name": "one",
            "title": "One",
            "inbox_url": "https://far.test/inbox",
            "last_refreshed_at": utcnow(),
        }
        stored = await upsert.store(tx, t, "actor_id", values, on_insert=insert_only)
        refreshed = await upsert.store(
            tx, t, "actor_id", {**values, "title": "One again"}, on_insert=insert_only
        )
        kept = await upsert.store(
            tx,
            t,
            "actor_id",
            {**values, "title": "Not this"},
            on_insert=insert_only,
            only_if=t.c.local,
        )
    assert refreshed["id"] == kept["id"] == stored["id"]
    assert (refreshed["title"], kept["title"]) == ("One again", "One again")
    # RETURNING converts as a SELECT does.
    assert kept["local"] is False and isinstance(kept["last_refreshed_at"], datetime)
    assert kept["last_refreshed_at"].tzinfo is not None
