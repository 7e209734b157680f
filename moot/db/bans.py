"""Who is banned, as the moderation and admin pages list them (and GET /user/banned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow


async def site_banned(conn: Connection) -> list[Row]:
    """Persons banned from the site now (an expired ban no longer counts)."""
    p = m.person.c
    return await conn.fetch_all(
        sa.select(m.person)
        .where(p.banned, sa.or_(p.ban_expires.is_(None), p.ban_expires > utcnow()))
        .order_by(p.id)
    )


@dataclass(frozen=True)
class CommunityBan:
    person: Row
    since: datetime
    expires: datetime | None


async def community_banned(conn: Connection, community_id: int) -> list[CommunityBan]:
    """Persons banned from one community now, the latest ban first."""
    t = m.community_person_ban
    rows = await conn.fetch_all(
        sa.select(m.person, t.c.published.label("ban_published"), t.c.expires.label("ban_until"))
        .join(t, t.c.person_id == m.person.c.id)
        .where(
            t.c.community_id == community_id,
            sa.or_(t.c.expires.is_(None), t.c.expires > utcnow()),
        )
        .order_by(t.c.published.desc(), t.c.id.desc())
    )
    return [CommunityBan(r, r["ban_published"], r["ban_until"]) for r in rows]
