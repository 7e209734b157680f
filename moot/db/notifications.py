"""A person's replies and mentions as they list and count them. Comments that are gone,
comments by people the person blocked (or by persons of an instance whose persons they
block), and, for someone who hides bot accounts, comments by
bots are left out of both the lists and the counts. `unread_counts` is what the API's
/user/unread_count answers and the web menu shows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import messages, mod_notices
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import comment_order, not_by_blocked_instance

# The three kinds of notice of a comment share a shape: (id, recipient_id, comment_id,
# read, published); a subscription's notice of a new post has post_id for comment_id.
REPLIES = m.comment_reply
MENTIONS = m.person_mention
SUBSCRIBED = m.comment_subscribed


def _visible(table: sa.Table, person_id: int) -> list[sa.ColumnElement[bool]]:
    b = m.person_block
    shows_bots = (
        sa.select(m.local_user.c.show_bot_accounts)
        .where(m.local_user.c.person_id == person_id)
        .scalar_subquery()
    )
    # Per notice, a primary-key look-up of its author; the setting is read once.
    by_bot = sa.exists().where(m.person.c.id == m.comment.c.creator_id, m.person.c.bot_account)
    return [
        table.c.recipient_id == person_id,
        ~m.comment.c.deleted,
        ~m.comment.c.removed,
        ~m.comment.c.creator_id.in_(sa.select(b.c.target_id).where(b.c.person_id == person_id)),
        not_by_blocked_instance(m.comment.c.creator_id, person_id),
        sa.or_(shows_bots, ~by_bot),
    ]


async def list_notices(
    conn: Connection,
    table: sa.Table,
    person_id: int,
    *,
    sort: str,
    unread_only: bool,
    page: int,
    limit: int,
) -> list[tuple[Row, Row]]:
    """(notice, comment) pairs, in the comment sort asked for."""
    query = (
        sa.select(table.c.id)
        .join(m.comment, m.comment.c.id == table.c.comment_id)
        .where(*_visible(table, person_id))
    )
    if unread_only:
        query = query.where(~table.c.read)
    page_rows = await conn.fetch_all(
        query.order_by(*comment_order(sort), table.c.id.desc())
        .limit(limit)
        .offset(limit * (page - 1))
    )
    ids = [int(r["id"]) for r in page_rows]
    if not ids:
        return []
    notices = {
        int(r["id"]): r for r in await conn.fetch_all(sa.select(table).where(table.c.id.in_(ids)))
    }
    comment_ids = {int(n["comment_id"]) for n in notices.values()}
    comments = {
        int(r["id"]): r
        for r in await conn.fetch_all(sa.select(m.comment).where(m.comment.c.id.in_(comment_ids)))
    }
    return [(notices[i], comments[int(notices[i]["comment_id"])]) for i in ids]


def _unread(table: sa.Table, person_id: int) -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .select_from(table)
        .join(m.comment, m.comment.c.id == table.c.comment_id)
        .where(~table.c.read, *_visible(table, person_id))
        .scalar_subquery()
    )


async def count_unread(conn: Connection, table: sa.Table, person_id: int) -> int:
    return int(await conn.scalar(sa.select(_unread(table, person_id))))


def _visible_posts(person_id: int) -> list[sa.ColumnElement[bool]]:
    """A subscription's notices of new posts: as `_visible`, of the post."""
    t, p, b = m.post_subscribed, m.post, m.person_block
    return [
        t.c.recipient_id == person_id,
        ~p.c.deleted,
        ~p.c.removed,
        ~p.c.creator_id.in_(sa.select(b.c.target_id).where(b.c.person_id == person_id)),
        not_by_blocked_instance(p.c.creator_id, person_id),
    ]


async def list_post_notices(
    conn: Connection, person_id: int, *, unread_only: bool, limit: int, page: int = 1
) -> list[tuple[Row, Row]]:
    """(notice, post) pairs of a subscription's new posts, newest first."""
    t = m.post_subscribed
    query = (
        sa.select(t, *[c.label(f"p_{c.name}") for c in m.post.c])
        .join(m.post, m.post.c.id == t.c.post_id)
        .where(*_visible_posts(person_id))
    )
    if unread_only:
        query = query.where(~t.c.read)
    rows = await conn.fetch_all(
        query.order_by(t.c.published.desc(), t.c.id.desc()).limit(limit).offset(limit * (page - 1))
    )
    return [
        ({c.name: r[c.name] for c in t.c}, {c.name: r[f"p_{c.name}"] for c in m.post.c})
        for r in rows
    ]


def _unread_posts(person_id: int) -> sa.ScalarSelect[int]:
    t = m.post_subscribed
    return (
        sa.select(sa.func.count())
        .select_from(t)
        .join(m.post, m.post.c.id == t.c.post_id)
        .where(~t.c.read, *_visible_posts(person_id))
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Unread:
    replies: int
    mentions: int
    private_messages: int
    # Moderators' notices (API v4's `mod_action`) and what the member's subscriptions told
    # (new comments and posts); API v3 has a place for neither.
    moderators: int = 0
    subscribed: int = 0

    @property
    def total(self) -> int:
        return (
            self.replies + self.mentions + self.private_messages + self.moderators + self.subscribed
        )


async def unread_counts(conn: Connection, person_id: int) -> Unread:
    # The mentions, moderators' notices and what subscriptions told are counted in one
    # statement, so a page's menu costs what it did before those two kinds of notice
    # (tests/reads/test_statement_counts.py).
    counts = await conn.fetch_one(
        sa.select(
            _unread(MENTIONS, person_id).label("mentions"),
            mod_notices.unread(person_id).label("moderators"),
            (_unread(SUBSCRIBED, person_id) + _unread_posts(person_id)).label("subscribed"),
        )
    )
    assert counts is not None
    return Unread(
        replies=await count_unread(conn, REPLIES, person_id),
        mentions=int(counts["mentions"]),
        private_messages=await messages.count_unread(conn, person_id),
        moderators=int(counts["moderators"]),
        subscribed=int(counts["subscribed"]),
    )
