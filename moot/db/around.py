"""What a page of posts or comments says around each item — its creator, its community,
the flags about the creator there (admin, moderator, banned) and the viewer's own marks
(follow, block, ban, saved, hidden, vote, read) — in one statement for the whole page.

Each fact is an EXISTS or a scalar subquery on the item's row, answered by the primary key
or unique index of a small table (a page is at most 50 posts or 300 comments), so the
page's items are looked up once instead of once per kind of fact. The person and
community columns come prefixed (`u_`, `c_`; the post's, for a comment, `p_`) and only the
ones the caller names (the JSON shapes' columns: no keys, no rendered HTML).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow


@dataclass(frozen=True)
class Around:
    """The creator's, the community's and (for a comment) the post's columns a caller
    shows (its JSON shapes')."""

    person: Sequence[str]
    community: Sequence[str]
    post: Sequence[str] = ()


def _prefixed(table: sa.FromClause, prefix: str, names: Sequence[str]) -> list[Any]:
    return [table.c[name].label(f"{prefix}{name}") for name in names]


def _flags(
    community_id: sa.ColumnElement[int], creator_id: sa.ColumnElement[int], viewer_id: int | None
) -> list[Any]:
    lu, mod, ban = m.local_user, m.community_moderator, m.community_person_ban
    in_force = sa.or_(ban.c.expires.is_(None), ban.c.expires > utcnow())
    flags: list[Any] = [
        sa.exists().where(lu.c.person_id == creator_id, lu.c.admin).label("creator_is_admin"),
        sa.exists()
        .where(mod.c.community_id == community_id, mod.c.person_id == creator_id)
        .label("creator_is_moderator"),
        sa.exists()
        .where(ban.c.community_id == community_id, ban.c.person_id == creator_id, in_force)
        .label("creator_banned_from_community"),
    ]
    if viewer_id is None:
        return flags
    follow, block = m.community_follower, m.person_block
    return [
        *flags,
        sa.select(follow.c.pending)
        .where(follow.c.person_id == viewer_id, follow.c.community_id == community_id)
        .scalar_subquery()
        .label("follow_pending"),
        sa.exists()
        .where(block.c.person_id == viewer_id, block.c.target_id == creator_id)
        .label("creator_blocked"),
        sa.exists()
        .where(ban.c.community_id == community_id, ban.c.person_id == viewer_id, in_force)
        .label("banned_from_community"),
    ]


def _mark(table: sa.Table, key: str, item_id: Any, viewer_id: int, label: str) -> Any:
    return sa.exists().where(table.c.person_id == viewer_id, table.c[key] == item_id).label(label)


def _value(table: sa.Table, key: str, column: str, item_id: Any, viewer_id: int) -> Any:
    return (
        sa.select(table.c[column])
        .where(table.c.person_id == viewer_id, table.c[key] == item_id)
        .scalar_subquery()
    )


def post_columns(
    creator: sa.FromClause,
    community: sa.FromClause,
    viewer_id: int | None,
    person_columns: Sequence[str],
    community_columns: Sequence[str],
) -> list[Any]:
    """The columns `around_posts` reads for each post, for a statement whose FROM has the
    post, its `creator` and its `community` (a vote reads them with the post it locks)."""
    p = m.post
    columns: list[Any] = [
        *_prefixed(creator, "u_", person_columns),
        *_prefixed(community, "c_", community_columns),
        *_flags(p.c.community_id, p.c.creator_id, viewer_id),
    ]
    if viewer_id is not None:
        columns += [
            _mark(m.post_saved, "post_id", p.c.id, viewer_id, "saved"),
            _mark(m.post_hide, "post_id", p.c.id, viewer_id, "hidden"),
            _value(m.post_like, "post_id", "score", p.c.id, viewer_id).label("my_vote"),
            _value(m.post_read, "post_id", "read_comments", p.c.id, viewer_id).label(
                "read_comments"
            ),
        ]
    return columns


def new_comment_flags(creator_id: int) -> list[Any]:
    """The flags `around_comments` reads, for a comment `creator_id` is about to write
    on the post of the statement's FROM (they view it themselves)."""
    return _flags(m.post.c.community_id, sa.literal(creator_id), creator_id)


async def around_posts(
    conn: Connection,
    post_ids: Collection[int],
    viewer_id: int | None,
    person_columns: Sequence[str],
    community_columns: Sequence[str],
) -> dict[int, Row]:
    """post id → its creator (`u_…`), community (`c_…`), flags and the viewer's marks
    (`saved`, `hidden`, `my_vote`, `read_comments`: None when not read)."""
    if not post_ids:
        return {}
    p, u, c = m.post, m.person, m.community
    columns = post_columns(u, c, viewer_id, person_columns, community_columns)
    rows = await conn.fetch_all(
        sa.select(p.c.id, *columns)
        .select_from(p)
        .join(u, u.c.id == p.c.creator_id)
        .join(c, c.c.id == p.c.community_id)
        .where(p.c.id.in_(sorted(set(post_ids))))
    )
    return {int(r["id"]): r for r in rows}


async def around_comments(
    conn: Connection,
    comment_ids: Collection[int],
    viewer_id: int | None,
    person_columns: Sequence[str],
    community_columns: Sequence[str],
    post_columns: Sequence[str],
) -> dict[int, Row]:
    """comment id → its post (`p_…`), creator (`u_…`), the post's community (`c_…`),
    flags and the viewer's marks (`saved`, `my_vote`)."""
    if not comment_ids:
        return {}
    t, p, u, c = m.comment, m.post, m.person, m.community
    columns: list[Any] = [
        t.c.id,
        *_prefixed(p, "p_", post_columns),
        *_prefixed(u, "u_", person_columns),
        *_prefixed(c, "c_", community_columns),
        *_flags(p.c.community_id, t.c.creator_id, viewer_id),
    ]
    if viewer_id is not None:
        columns += [
            _mark(m.comment_saved, "comment_id", t.c.id, viewer_id, "saved"),
            _value(m.comment_like, "comment_id", "score", t.c.id, viewer_id).label("my_vote"),
        ]
    rows = await conn.fetch_all(
        sa.select(*columns)
        .select_from(t)
        .join(p, p.c.id == t.c.post_id)
        .join(u, u.c.id == t.c.creator_id)
        .join(c, c.c.id == p.c.community_id)
        .where(t.c.id.in_(sorted(set(comment_ids))))
    )
    return {int(r["id"]): r for r in rows}


def unprefixed(row: Row, prefix: str) -> Row:
    """The columns of `row` that start with `prefix`, without it."""
    cut = len(prefix)
    return {key[cut:]: value for key, value in row.items() if key.startswith(prefix)}
