"""When a viewer did what to a page's items — read, saved, hid or voted on a post, followed,
blocked or moderates a community, blocked a person, chose what to hear of a post or a
community — and how many reports the items have.

API v4 shows each of these as a moment (`saved_at`, `followed_at`, …) where v3 showed a
flag, so it reads them here, one statement per kind of item for the whole page.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.tags import post_tags
from moot.db.types import utcnow


@dataclass
class Marks:
    """Per item id, the viewer's marks (a dict of moments and values) and report counts."""

    posts: dict[int, Row] = field(default_factory=dict)
    comments: dict[int, Row] = field(default_factory=dict)
    communities: dict[int, Row] = field(default_factory=dict)
    persons: dict[int, Row] = field(default_factory=dict)
    post_reports: dict[int, tuple[int, int]] = field(default_factory=dict)
    comment_reports: dict[int, tuple[int, int]] = field(default_factory=dict)
    # The live tags of the page's tagged posts (moot/db/tags.py), by post id.
    post_tags: dict[int, list[Row]] = field(default_factory=dict)


def _of(table: sa.Table, key: str, item: Any, viewer: int, column: str = "published") -> Any:
    return (
        sa.select(table.c[column])
        .where(table.c.person_id == viewer, table.c[key] == item)
        .scalar_subquery()
    )


async def _post_marks(conn: Connection, viewer: int, ids: list[int]) -> dict[int, Row]:
    p = m.post
    statement = sa.select(
        p.c.id,
        _of(m.post_read, "post_id", p.c.id, viewer).label("read_at"),
        _of(m.post_read, "post_id", p.c.id, viewer, "read_comments").label("read_comments"),
        _of(m.post_saved, "post_id", p.c.id, viewer).label("saved_at"),
        _of(m.post_hide, "post_id", p.c.id, viewer).label("hidden_at"),
        _of(m.post_like, "post_id", p.c.id, viewer).label("voted_at"),
        _of(m.post_like, "post_id", p.c.id, viewer, "score").label("score"),
        _of(m.post_notify, "post_id", p.c.id, viewer, "mode").label("notifications"),
    ).where(p.c.id.in_(ids))
    return {int(r["id"]): r for r in await conn.fetch_all(statement)}


async def _comment_marks(conn: Connection, viewer: int, ids: list[int]) -> dict[int, Row]:
    c = m.comment
    statement = sa.select(
        c.c.id,
        _of(m.comment_saved, "comment_id", c.c.id, viewer).label("saved_at"),
        _of(m.comment_like, "comment_id", c.c.id, viewer).label("voted_at"),
        _of(m.comment_like, "comment_id", c.c.id, viewer, "score").label("score"),
    ).where(c.c.id.in_(ids))
    return {int(r["id"]): r for r in await conn.fetch_all(statement)}


async def _community_marks(conn: Connection, viewer: int, ids: list[int]) -> dict[int, Row]:
    c, ban = m.community, m.community_person_ban
    in_force = sa.or_(ban.c.expires.is_(None), ban.c.expires > utcnow())
    statement = sa.select(
        c.c.id,
        _of(m.community_follower, "community_id", c.c.id, viewer).label("followed_at"),
        _of(m.community_follower, "community_id", c.c.id, viewer, "pending").label("pending"),
        _of(m.community_follower, "community_id", c.c.id, viewer, "approval_required").label(
            "approval_required"
        ),
        _of(m.community_block, "community_id", c.c.id, viewer).label("blocked_at"),
        _of(m.community_moderator, "community_id", c.c.id, viewer).label("became_moderator_at"),
        sa.select(ban.c.published)
        .where(ban.c.person_id == viewer, ban.c.community_id == c.c.id, in_force)
        .scalar_subquery()
        .label("received_ban_at"),
        sa.select(ban.c.expires)
        .where(ban.c.person_id == viewer, ban.c.community_id == c.c.id, in_force)
        .scalar_subquery()
        .label("ban_expires_at"),
        _of(m.community_notify, "community_id", c.c.id, viewer, "mode").label("notifications"),
    ).where(c.c.id.in_(ids))
    return {int(r["id"]): r for r in await conn.fetch_all(statement)}


async def _person_marks(conn: Connection, viewer: int, ids: list[int]) -> dict[int, Row]:
    """The viewer's block of each person and note on them, in one statement."""
    p, block, note = m.person, m.person_block, m.person_note
    mine = {"blocked_at": (block, block.c.published), "noted_at": (note, note.c.published)}
    columns = [
        sa.select(column)
        .where(table.c.person_id == viewer, table.c.target_id == p.c.id)
        .scalar_subquery()
        .label(label)
        for label, (table, column) in mine.items()
    ]
    text = (
        sa.select(note.c.note)
        .where(note.c.person_id == viewer, note.c.target_id == p.c.id)
        .scalar_subquery()
        .label("note")
    )
    rows = await conn.fetch_all(sa.select(p.c.id, *columns, text).where(p.c.id.in_(ids)))
    out: dict[int, Row] = {}
    for r in rows:
        marks = {key: r[key] for key in ("blocked_at", "noted_at", "note") if r[key] is not None}
        if marks:
            out[int(r["id"])] = marks
    return out


async def _reports(
    conn: Connection, table: sa.Table, key: str, ids: list[int]
) -> dict[int, tuple[int, int]]:
    unresolved = sa.func.sum(sa.case((table.c.resolved, 0), else_=1))
    rows = await conn.fetch_all(
        sa.select(table.c[key], sa.func.count().label("n"), unresolved.label("open"))
        .where(table.c[key].in_(ids))
        .group_by(table.c[key])
    )
    return {int(r[key]): (int(r["n"]), int(r["open"] or 0)) for r in rows}


async def read_marks(
    conn: Connection,
    viewer_id: int | None,
    *,
    posts: Collection[int] = (),
    comments: Collection[int] = (),
    communities: Collection[int] = (),
    persons: Collection[int] = (),
    tagged_posts: Collection[int] = (),
) -> Marks:
    """The marks of `viewer_id` (none for an anonymous reader) on the given items, the
    report counts of the posts and comments, and the tags of `tagged_posts` (the posts
    whose `tagged` flag is set: none, no statement)."""
    out = Marks()
    if tagged_posts:
        out.post_tags = await post_tags(conn, tagged_posts)
    post_ids, comment_ids = sorted(set(posts)), sorted(set(comments))
    if post_ids:
        out.post_reports = await _reports(conn, m.post_report, "post_id", post_ids)
    if comment_ids:
        out.comment_reports = await _reports(conn, m.comment_report, "comment_id", comment_ids)
    if viewer_id is None:
        return out
    if post_ids:
        out.posts = await _post_marks(conn, viewer_id, post_ids)
    if comment_ids:
        out.comments = await _comment_marks(conn, viewer_id, comment_ids)
    if communities:
        out.communities = await _community_marks(conn, viewer_id, sorted(set(communities)))
    if persons:
        out.persons = await _person_marks(conn, viewer_id, sorted(set(persons)))
    return out
