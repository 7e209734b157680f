"""What a running moot process holds: settings, the database (and its read replica),
picture storage, the rate limiter, the failed-login counts and the live streams' watcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from redis.asyncio import Redis

from moot.config import Settings
from moot.db.engine import Database
from moot.login_throttle import LoginThrottle
from moot.media.storage import Storage
from moot.ratelimit import DEFAULT_LIMITS, RateLimiter

if TYPE_CHECKING:
    from moot.db.replica import Replica
    from moot.federation.runtime import Federation
    from moot.live_watch import Watch


@dataclass
class Moot:
    settings: Settings
    db: Database
    media: Storage
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(DEFAULT_LIMITS))
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    http: httpx.AsyncClient | None = None
    federation: Federation | None = None
    # Shared by the processes of one instance (MOOT_REDIS_URL), when there is one.
    redis: Redis | None = None
    # The read replica for anonymous listings (MOOT_DATABASE_REPLICA_URL), when there is one.
    replica: Replica | None = None
    # What the web's live streams wait on (moot/live_watch.py), once the app has started.
    live: Watch | None = None
