"""The local site's state, read once per process and kept until an action changes it.

Every request read the site: its settings (private instance? default sort? rate limits),
and `GET /site` also its taglines, languages, emojis and blocked links — three to twelve
statements for rows that change when an admin edits the site. They are kept here, per
database (`Connection.cache`), and every action that writes them calls `invalidate` in its
transaction. The totals on `local_site` (users, posts, …) move with every post and are not
kept: `totals` reads them.

With several processes on one database, a generation number tells them: an invalidation
bumps it once committed, and every read compares it with the one its kept state was read
at (moot/shared_site.py). In Redis (MOOT_REDIS_URL) it is read on every request, one round
trip instead of the statements; if Redis does not answer, the site is read from the
database. Without Redis (MOOT_SEVERAL_PROCESSES) it is in the database, read at most once
a second. With neither, one process forgets only its own changes (docs/decisions.md, "Site
state in the process").
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.prepared import Prepared

# The local_site totals that move with content; never kept (see `totals`).
TOTALS = ("users", "posts", "comments", "communities")
_KEY = "site_state"
_GENERATION = "site_state_generation"
_SHARED = "site_state_shared"

# Connections whose transaction changed the site: they read it fresh and keep nothing, as
# what they see is not committed yet.
_changing: weakref.WeakSet[Connection] = weakref.WeakSet()


@dataclass(frozen=True)
class SiteState:
    site: Row
    local: Row  # the local_site row without its TOTALS
    taglines: list[Row]
    languages: list[Row]  # every language: id, code, name
    discussion_languages: list[int]
    custom_emojis: list[Row]
    emoji_keywords: list[Row]
    blocked_urls: list[Row]
    # What a front door built from this state and keeps with it (GET /site's lists): it
    # is forgotten with the state.
    shaped: dict[str, Any] = field(default_factory=dict, compare=False)


class SharedGeneration(Protocol):
    """Where processes on one database count the site's changes (Redis, or the database)."""

    async def read(self) -> int | None:
        """The number, or None when it cannot be read now."""

    async def bump(self) -> None: ...


def share(cache: dict[str, Any], shared: SharedGeneration) -> None:
    """Check the kept state against `shared` (set once, as the app starts)."""
    cache[_SHARED] = shared


async def current(conn: Connection) -> SiteState:
    if conn in _changing:
        return await _read(conn)
    shared: SharedGeneration | None = conn.cache.get(_SHARED)
    elsewhere = await shared.read() if shared is not None else 0
    if elsewhere is None:
        return await _read(conn)
    kept: tuple[int, SiteState] | None = conn.cache.get(_KEY)
    if kept is not None and kept[0] == elsewhere:
        return kept[1]
    generation = conn.cache.get(_GENERATION, 0)
    state = await _read(conn)
    # An invalidation while reading: what was read may be from before it. A replica's
    # copy may be from before the last one, so it is used but not kept.
    if conn.cache.get(_GENERATION, 0) == generation and not conn.replica:
        conn.cache[_KEY] = (elsewhere, state)
    return state


def invalidate(conn: Connection) -> None:
    """The site is being changed in `conn`'s transaction: it reads the site fresh from now
    on, and every connection (every process, with Redis) does once the transaction has
    ended, committed or not."""
    _changing.add(conn)
    forget(conn.cache)

    async def ended() -> None:
        forget(conn.cache)
        shared: SharedGeneration | None = conn.cache.get(_SHARED)
        if shared is not None:
            await shared.bump()

    conn.on_end(ended)


def forget(cache: dict[str, Any]) -> None:
    cache.pop(_KEY, None)
    cache[_GENERATION] = int(cache.get(_GENERATION, 0)) + 1


_TOTALS = Prepared(
    lambda dialect, variant: (
        sa.select(*[m.local_site.c[name] for name in TOTALS]).order_by(m.local_site.c.id).limit(1)
    )
)


async def totals(conn: Connection) -> Row:
    """The local site's TOTALS, as they are now."""
    rows = await conn.run(_TOTALS, {})
    assert rows, "the site was not bootstrapped"
    return rows[0]


async def _read(conn: Connection) -> SiteState:
    local = await conn.fetch_one(
        sa.select(*[c for c in m.local_site.c if c.name not in TOTALS])
        .order_by(m.local_site.c.id)
        .limit(1)
    )
    if local is None:
        raise RuntimeError("the site was not bootstrapped")
    site = await conn.fetch_one(sa.select(m.site).where(m.site.c.id == local["site_id"]))
    assert site is not None
    lang = m.language
    site_languages = m.site_language.c
    return SiteState(
        site=site,
        local=local,
        taglines=await conn.fetch_all(sa.select(m.tagline).order_by(m.tagline.c.id)),
        languages=await conn.fetch_all(
            sa.select(lang.c.id, lang.c.code, lang.c.name).order_by(lang.c.id)
        ),
        discussion_languages=[
            int(r["language_id"])
            for r in await conn.fetch_all(
                sa.select(site_languages.language_id)
                .where(site_languages.site_id == site["id"])
                .order_by(site_languages.language_id)
            )
        ],
        custom_emojis=await conn.fetch_all(sa.select(m.custom_emoji).order_by(m.custom_emoji.c.id)),
        emoji_keywords=await conn.fetch_all(sa.select(m.custom_emoji_keyword)),
        blocked_urls=await conn.fetch_all(
            sa.select(m.url_blocklist).order_by(m.url_blocklist.c.id)
        ),
    )
