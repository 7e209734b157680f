"""`moot worker`: a process that runs the background work and serves nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from moot import __version__
from moot.config import Settings
from moot.db.engine import Database
from moot.federation.runtime import start_federation
from moot.media.storage import open_storage
from moot.state import Moot
from moot.workers.background import run_background
from moot.workers.leases import OWNER

log = logging.getLogger("moot.workers")


async def run_worker(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then give the leases up so that other processes take
    the work over at once (a killed worker's leases expire instead)."""
    db = Database(settings.resolved_database_url)
    await db.connect()
    moot = Moot(settings=settings, db=db, media=open_storage(settings))
    moot.federation = fed = start_federation(settings, db)
    work = asyncio.create_task(run_background(moot, fed))
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop, work.cancel)
    log.info("moot %s worker %s ready (database: %s)", __version__, OWNER, db.dialect_name)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await work
    finally:
        await fed.close()
        await moot.media.close()
        await db.close()
        log.info("worker %s stopped", OWNER)
