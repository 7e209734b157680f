"""What a running instance holds for federation: its HTTP client, policy cache, fetcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

from moot.config import Settings
from moot.db.engine import Database, Row
from moot.federation import group_collections
from moot.federation.checks import Rules
from moot.federation.fetch import Fetcher
from moot.federation.policy import PolicyCache
from moot.federation.resolve import Context
from moot.federation.transport import make_client
from moot.federation.urls import hostname_domain


@dataclass
class Federation:
    settings: Settings
    db: Database
    http: httpx.AsyncClient
    policy: PolicyCache
    fetcher: Fetcher
    # Set when the inbox stores an activity, so the worker need not poll.
    inbox_stored: asyncio.Event = field(default_factory=asyncio.Event)
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, kept until it ends (and cancelled at shutdown)."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def read_collections(self, community: Row) -> None:
        """After a fetch of a remote community: its moderators, followers, outbox and
        featured posts, read in the background."""
        self.spawn(group_collections.refresh(Context(self), community))

    @property
    def local_domain(self) -> str:
        return hostname_domain(self.settings.hostname)

    @property
    def rules(self) -> Rules:
        return Rules(local_domain=self.local_domain, allow_http=self.settings.federation_test_mode)

    @property
    def test_mode(self) -> bool:
        return self.settings.federation_test_mode

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.http.aclose()


def start_federation(settings: Settings, db: Database) -> Federation:
    # One line per request would cost more than the request at a hundred a second.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    http = make_client(settings, connections=20)
    ttl = 0.5 if settings.federation_test_mode else 60.0
    policy = PolicyCache(db, hostname_domain(settings.hostname), ttl)
    return Federation(settings, db, http, policy, Fetcher(settings, http, policy, db))
