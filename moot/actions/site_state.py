"""The local site's state, read once per process and kept until an action changes it.

Every request read the site: its settings (private instance? default sort? rate limits),
and `GET /site` also its taglines, languages, emojis and blocked links — three to twelve
statements for rows that change when an admin edits the site. They are kept here, per
database (`Connection.cache`), and every action that writes them calls `invalidate` in its
transaction. The totals on `local_site` (users, posts, …) move with every post and are not
kept: `totals` reads them.

One process forgets at once; other processes on the same database keep what they read
until they restart (docs/decisions.md, "Site state in the process").
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row

# The local_site totals that move with content; never kept (see `totals`).
TOTALS = ("users", "posts", "comments", "communities")
_KEY = "site_state"
_GENERATION = "site_state_generation"

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


async def current(conn: Connection) -> SiteState:
    if conn in _changing:
        return await _read(conn)
    state: SiteState | None = conn.cache.get(_KEY)
    if state is not None:
        return state
    generation = conn.cache.get(_GENERATION, 0)
    state = await _read(conn)
    # An invalidation while reading: what was read may be from before it.
    if conn.cache.get(_GENERATION, 0) == generation:
        conn.cache[_KEY] = state
    return state


def invalidate(conn: Connection) -> None:
    """The site is being changed in `conn`'s transaction: it reads the site fresh from now
    on, and every connection does once the transaction has ended (committed or not)."""
    _changing.add(conn)
    forget(conn.cache)
    conn.on_end(lambda: forget(conn.cache))


def forget(cache: dict[str, object]) -> None:
    cache.pop(_KEY, None)
    cache[_GENERATION] = int(cache.get(_GENERATION, 0)) + 1  # type: ignore[call-overload]


async def totals(conn: Connection) -> Row:
    """The local site's TOTALS, as they are now."""
    row = await conn.fetch_one(
        sa.select(*[m.local_site.c[name] for name in TOTALS]).order_by(m.local_site.c.id).limit(1)
    )
    assert row is not None, "the site was not bootstrapped"
    return row


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
