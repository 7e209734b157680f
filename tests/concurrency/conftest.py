"""The concurrency tests' world: one per backend, on the session's live server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.concurrency.world import World, make_world
from tests.servers import Server


@pytest.fixture(scope="session")
async def world(server: Server) -> AsyncIterator[World]:
    made = await make_world(server)
    yield made
    await made.db.close()
