"""The engine applies column types on the way in: UTC times stored alike on both databases."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Database
from moot.db.migrate import upgrade
from tests.servers import drop_database, new_database_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_times_round_trip_and_naive_ones_are_refused(backend: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="moot-engine-"))
    url = new_database_url(backend, folder)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    await db.connect()
    try:
        moment = datetime(2020, 9, 2, 12, 30, 1, 123456, tzinfo=UTC)
        async with db.transaction() as tx:
            await tx.execute(sa.insert(m.instance).values(domain="a.test", published=moment))
        async with db.connection() as conn:
            stored = await conn.scalar(sa.select(m.instance.c.published))
            assert stored == moment and stored.tzinfo is not None
            # A comparison binds the same way the insert did.
            found = await conn.scalar(
                sa.select(sa.func.count())
                .select_from(m.instance)
                .where(m.instance.c.published == moment)
            )
            assert found == 1
            if backend == "sqlite":
                raw = await conn.scalar(
                    sa.select(sa.literal_column("published", sa.String)).select_from(m.instance)
                )
                assert raw == "2020-09-02 12:30:01.123456"
        with pytest.raises(ValueError, match="naive"):
            async with db.transaction() as tx:
                await tx.execute(
                    sa.insert(m.instance).values(domain="b.test", published=datetime(2020, 1, 1))
                )
    finally:
        await db.close()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)
