"""Which instances moot talks to: federation on or off, the allowlist and the blocklist.

Applied to every URL federation touches: incoming activity ids, fetched URLs and outgoing
inboxes (reference §8). Entries are host names without port, compared case-insensitively.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import urls
from moot.federation.objects.common import instance_id_for


@dataclass(frozen=True)
class Policy:
    local_domain: str
    enabled: bool = True
    allowed: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()

    def refusal(self, domain: str) -> ErrorCode | None:
        """Why `domain` is refused, or None if moot may talk to it."""
        domain = domain.lower().rstrip(".")
        if domain == self.local_domain:
            return None
        if not self.enabled:
            return ErrorCode.FEDERATION_DISABLED
        if domain in self.blocked:
            return ErrorCode.DOMAIN_BLOCKED
        if self.allowed and domain not in self.allowed:
            return ErrorCode.DOMAIN_NOT_IN_ALLOW_LIST
        return None

    def check(self, url: str) -> None:
        code = self.refusal(urls.domain(url))
        if code is not None:
            raise ApiError(code, f"{urls.domain(url)} is not federated with")


async def _domains(conn: Connection, table: sa.Table) -> frozenset[str]:
    query = sa.select(m.instance.c.domain).join(table, table.c.instance_id == m.instance.c.id)
    if "expires" in table.c:  # a block past its end is over
        query = query.where(sa.or_(table.c.expires.is_(None), table.c.expires > utcnow()))
    rows = await conn.fetch_all(query)
    return frozenset(str(r["domain"]).lower() for r in rows)


async def read_policy(conn: Connection, local_domain: str) -> Policy:
    enabled = await conn.scalar(sa.select(m.local_site.c.federation_enabled).limit(1))
    return Policy(
        local_domain=local_domain,
        enabled=bool(enabled),
        allowed=await _domains(conn, m.federation_allowlist),
        blocked=await _domains(conn, m.federation_blocklist),
    )


@dataclass
class PolicyCache:
    """The policy, re-read at most every `ttl` seconds (Lemmy: 60 s, 0.5 s in debug)."""

    db: Database
    local_domain: str
    ttl: float
    _policy: Policy | None = None
    _read_at: float = field(default=0.0)

    async def get(self) -> Policy:
        if self._policy is None or time.monotonic() - self._read_at > self.ttl:
            async with self.db.connection() as conn:
                self._policy = await read_policy(conn, self.local_domain)
            self._read_at = time.monotonic()
        return self._policy

    def forget(self) -> None:
        self._policy = None


def clean_domain(entry: str) -> str:
    """An admin's list entry: a host name, no scheme, port or trailing dot."""
    text = entry.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    return text.split("/", 1)[0].split(":", 1)[0].rstrip(".")


async def save_lists(
    conn: Connection, allowed: list[str] | None, blocked: list[str] | None
) -> None:
    """Replace the allowlist and/or blocklist (the site settings' allowed_instances and
    blocked_instances); unknown domains become instance rows."""
    for table, entries in ((m.federation_allowlist, allowed), (m.federation_blocklist, blocked)):
        if entries is None:
            continue
        await conn.execute(sa.delete(table))
        domains = sorted({d for d in (clean_domain(e) for e in entries) if d})
        for domain in domains:
            instance_id = await instance_id_for(conn, domain)
            await conn.execute(sa.insert(table).values(instance_id=instance_id, published=utcnow()))
