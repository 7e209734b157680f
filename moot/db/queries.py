"""Batch look-ups that views are assembled from: one query per kind of fact, never per row.

Every function takes a set of ids and answers for all of them at once, so a page of 50
posts costs the same dozen queries as a page of 1 (no N+1).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.private import content_readable
from moot.db.types import utcnow


async def rows_by_id(conn: Connection, table: sa.Table, ids: Collection[int]) -> dict[int, Row]:
    if not ids:
        return {}
    rows = await conn.fetch_all(sa.select(table).where(table.c.id.in_(sorted(set(ids)))))
    return {int(r["id"]): r for r in rows}


async def admin_person_ids(conn: Connection, person_ids: Collection[int]) -> set[int]:
    if not person_ids:
        return set()
    rows = await conn.fetch_all(
        sa.select(m.local_user.c.person_id).where(
            m.local_user.c.admin, m.local_user.c.person_id.in_(sorted(set(person_ids)))
        )
    )
    return {int(r["person_id"]) for r in rows}


async def moderator_pairs(
    conn: Connection, community_ids: Collection[int], person_ids: Collection[int]
) -> set[tuple[int, int]]:
    if not community_ids or not person_ids:
        return set()
    t = m.community_moderator
    rows = await conn.fetch_all(
        sa.select(t.c.community_id, t.c.person_id).where(
            t.c.community_id.in_(sorted(set(community_ids))),
            t.c.person_id.in_(sorted(set(person_ids))),
        )
    )
    return {(int(r["community_id"]), int(r["person_id"])) for r in rows}


async def banned_pairs(
    conn: Connection, community_ids: Collection[int], person_ids: Collection[int]
) -> set[tuple[int, int]]:
    """(community, person) pairs with a ban in force now."""
    if not community_ids or not person_ids:
        return set()
    t = m.community_person_ban
    rows = await conn.fetch_all(
        sa.select(t.c.community_id, t.c.person_id).where(
            t.c.community_id.in_(sorted(set(community_ids))),
            t.c.person_id.in_(sorted(set(person_ids))),
            sa.or_(t.c.expires.is_(None), t.c.expires > utcnow()),
        )
    )
    return {(int(r["community_id"]), int(r["person_id"])) for r in rows}


async def follows(
    conn: Connection, person_id: int, community_ids: Collection[int]
) -> dict[int, bool]:
    """community_id → pending (or awaiting approval), for the communities the person
    follows."""
    if not community_ids:
        return {}
    t = m.community_follower
    rows = await conn.fetch_all(
        sa.select(t.c.community_id, t.c.pending, t.c.approval_required).where(
            t.c.person_id == person_id, t.c.community_id.in_(sorted(set(community_ids)))
        )
    )
    # A follow awaiting a moderator's approval is pending too, in v3's words.
    return {int(r["community_id"]): bool(r["pending"] or r["approval_required"]) for r in rows}


async def person_marks(
    conn: Connection, table: sa.Table, key: str, person_id: int, ids: Collection[int]
) -> set[int]:
    """Which of `ids` the person has marked in `table` (saved, hidden, blocked, …)."""
    if not ids:
        return set()
    column = table.c[key]
    rows = await conn.fetch_all(
        sa.select(column).where(table.c.person_id == person_id, column.in_(sorted(set(ids))))
    )
    return {int(r[key]) for r in rows}


async def votes(
    conn: Connection, table: sa.Table, key: str, person_id: int, ids: Collection[int]
) -> dict[int, int]:
    if not ids:
        return {}
    column = table.c[key]
    rows = await conn.fetch_all(
        sa.select(column, table.c.score).where(
            table.c.person_id == person_id, column.in_(sorted(set(ids)))
        )
    )
    return {int(r[key]): int(r["score"]) for r in rows}


async def community_moderators(conn: Connection, community_ids: Collection[int]) -> list[Row]:
    """Moderator rows in appointment order (the first is the top moderator)."""
    if not community_ids:
        return []
    t = m.community_moderator
    return await conn.fetch_all(
        sa.select(t)
        .where(t.c.community_id.in_(sorted(set(community_ids))))
        .order_by(t.c.community_id, t.c.published, t.c.id)
    )


async def community_languages(conn: Connection, community_id: int) -> list[int]:
    # Communities allow every language until language settings per community land.
    rows = await conn.fetch_all(sa.select(m.language.c.id).order_by(m.language.c.id))
    return [int(r["id"]) for r in rows]


async def _actor_by_name(conn: Connection, table: sa.Table, name: str) -> Row | None:
    return await conn.fetch_one(actor_by_name(table, name))


def actor_by_name(table: sa.Table, name: str) -> sa.Select[Any]:
    """A person or community by `name` (local, any case) or `name@host` (the host in any
    case, its port ignored: instances are told apart by domain)."""
    local_name, _, host = name.partition("@")
    query = sa.select(table).where(sa.func.lower(table.c.name) == local_name.lower())
    if host:
        domain = host.split(":", 1)[0].lower()
        query = query.join(m.instance, m.instance.c.id == table.c.instance_id).where(
            m.instance.c.domain == domain  # kept lower-case (urls.domain)
        )
    else:
        query = query.where(table.c.local)
    return query.limit(1)


async def person_by_name(conn: Connection, name: str) -> Row | None:
    return await _actor_by_name(conn, m.person, name)


async def community_by_name(conn: Connection, name: str) -> Row | None:
    return await _actor_by_name(conn, m.community, name)


def local_origin_query() -> sa.Select[tuple[str]]:
    """The local site actor's id, whose scheme and host are this instance's origin."""
    return (
        sa.select(m.site.c.actor_id)
        .join(m.local_site, m.local_site.c.site_id == m.site.c.id)
        .limit(1)
    )


async def local_origin(conn: Connection) -> str:
    """This instance's origin (scheme and host) as its site actor names it."""
    return str(await conn.scalar(local_origin_query())).rstrip("/")


async def same_link_posts(
    conn: Connection, post: Row, reader: int | None, limit: int = 50
) -> list[Row]:
    """The other posts of the same link (its cross-posts), newest first: GET /post's
    `cross_posts`, and the post page's list of them; those `reader` (a person id, None:
    anonymous) may read (moot/db/private.py)."""
    if not post["url"]:
        return []
    p = m.post.c
    return await conn.fetch_all(
        sa.select(m.post)
        .join(m.community, m.community.c.id == p.community_id)
        .where(p.url == post["url"], p.id != post["id"], ~p.deleted, ~p.removed)
        .where(content_readable(reader))
        .order_by(p.published.desc())
        .limit(limit)
    )


async def community_of_comment(conn: Connection, comment_id: int) -> Row | None:
    """The id and visibility of the community a comment is in (None: no such comment)."""
    c, p, cm = m.community.c, m.post.c, m.comment.c
    return await conn.fetch_one(
        sa.select(c.id, c.visibility)
        .join(m.post, p.community_id == c.id)
        .join(m.comment, cm.post_id == p.id)
        .where(cm.id == comment_id)
    )


async def community_visibility(conn: Connection, community_id: int) -> Row:
    """The id and visibility of a community (a post's: kept while the post is)."""
    c = m.community.c
    row = await conn.fetch_one(sa.select(c.id, c.visibility).where(c.id == community_id))
    assert row is not None
    return row


async def post_id_of_comment(conn: Connection, comment_id: int) -> int | None:
    found = await conn.scalar(sa.select(m.comment.c.post_id).where(m.comment.c.id == comment_id))
    return None if found is None else int(found)
