"""The daily NodeInfo check of known instances (reference §1 and §7).

Each known remote instance is asked for /.well-known/nodeinfo and the NodeInfo 2.x document
it names; the software's name and version are kept on its row. Any answer marks the
instance alive (`updated`), as a successful delivery does, so an instance nobody delivers to
is not counted dead while it answers. No answer at all (no connection, a timeout) leaves the
row as it was.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Row
from moot.db.types import utcnow
from moot.federation import urls
from moot.federation.fetch import Budget, FetchError
from moot.federation.runtime import Federation

log = logging.getLogger("moot.federation.instances")
SCHEMA_2 = "http://nodeinfo.diaspora.software/ns/schema/2."
CONCURRENCY = 8
# Both requests of one instance together; each is also held to the fetcher's 10 s.
LIMIT = 30.0
JSON = "application/json"


async def _base_url(fed: Federation, instance: Row) -> str | None:
    """Where the instance answers. Lemmy asks https://DOMAIN; loopback test instances differ
    only by port, which the domain lacks, so test mode takes it from an actor moot knows."""
    if not fed.test_mode:
        return f"https://{instance['domain']}"
    async with fed.db.connection() as conn:
        for table in (m.site, m.community, m.person):
            actor = await conn.scalar(
                sa.select(table.c.actor_id).where(table.c.instance_id == instance["id"]).limit(1)
            )
            if actor is not None:
                scheme, _, _ = urls.split(str(actor))
                return f"{scheme}://{urls.authority(str(actor))}"
    return None


def _text(value: Any) -> str | None:
    return value[:255] if isinstance(value, str) and value else None


async def read_software(fed: Federation, base: str) -> tuple[str, str | None]:
    """(software.name, software.version) from the instance's NodeInfo 2.x document."""
    budget = Budget(left=4)  # two requests, each may be redirected once
    index = await fed.fetcher.get(f"{base}/.well-known/nodeinfo", budget, accept=JSON)
    links = index.get("links")
    href = next(
        (
            link["href"]
            for link in (links if isinstance(links, list) else [])
            if isinstance(link, dict)
            and str(link.get("rel", "")).startswith(SCHEMA_2)
            and isinstance(link.get("href"), str)
        ),
        None,
    )
    if href is None:
        raise FetchError(f"{base}/.well-known/nodeinfo names no NodeInfo 2.x", answered=True)
    try:
        doc = await fed.fetcher.get(href, budget, accept=JSON)
    except FetchError as exc:  # the index came, so the instance is there
        raise FetchError(exc.reason, answered=True) from exc
    software = doc.get("software")
    name = _text(software.get("name")) if isinstance(software, dict) else None
    if name is None or not isinstance(software, dict):
        raise FetchError(f"the NodeInfo at {href[:100]} names no software", answered=True)
    return name, _text(software.get("version"))


async def check_instance(fed: Federation, instance: Row) -> bool:
    """Ask one instance; True if it answered."""
    domain = str(instance["domain"])
    base = await _base_url(fed, instance)
    if base is None:
        return False  # test mode, and no actor of it is known: nowhere to ask
    values: dict[str, Any] = {"updated": utcnow()}
    try:
        name, version = await asyncio.wait_for(read_software(fed, base), LIMIT)
        values.update(software=name, version=version)
    except TimeoutError:
        log.info("NodeInfo check of %s: no answer within %.0f s", domain, LIMIT)
        return False
    except FetchError as exc:
        log.info("NodeInfo check of %s: %s", domain, exc.reason)
        if not exc.answered:
            return False
    async with fed.db.transaction() as tx:
        await tx.execute(
            sa.update(m.instance).where(m.instance.c.id == instance["id"]).values(**values)
        )
    return True


async def check_instances(fed: Federation) -> tuple[int, int]:
    """Ask every known instance moot federates with, a few at a time: (asked, answered)."""
    policy = await fed.policy.get()
    async with fed.db.connection() as conn:
        rows = await conn.fetch_all(sa.select(m.instance).order_by(m.instance.c.id))
    # The local row is named by the hostname setting, port included.
    local = {fed.local_domain, fed.settings.hostname.lower()}
    due = [
        row
        for row in rows
        if str(row["domain"]).lower() not in local and policy.refusal(str(row["domain"])) is None
    ]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(row: Row) -> bool:
        async with gate:
            try:
                return await check_instance(fed, row)
            except Exception:  # one odd instance must not stop the others' checks
                log.exception("NodeInfo check of %s failed unexpectedly", row["domain"])
                return False

    answered = await asyncio.gather(*(one(row) for row in due))
    return len(due), sum(answered)
