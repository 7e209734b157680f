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

# The two kinds of notice share a shape: (id, recipient_id, comment_id, read, published).
REPLIES = m.comment_reply
MENTIONS = m.person_mention


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


async def count_unread(conn: Connection, table: sa.Table, person_id: int) -> int:
    return int(
        await conn.scalar(
            sa.select(sa.func.count())
            .select_from(table)
            .join(m.comment, m.comment.c.id == table.c.comment_id)
            .where(~table.c.read, *_visible(table, person_id))
        )
    )


@dataclass(frozen=True)
class Unread:
    replies: int
    mentions: int
    private_messages: int
    moderators: int  # moderators' notices (API v4's `mod_action`; v3 has none)

    @property
    def total(self) -> int:
        return self.replies + self.mentions + self.private_messages + self.moderators


async def unread_counts(conn: Connection, person_id: int) -> Unread:
    return Unread(
        replies=await count_unread(conn, REPLIES, person_id),
        mentions=await count_unread(conn, MENTIONS, person_id),
        private_messages=await messages.count_unread(conn, person_id),
        moderators=await mod_notices.count_unread(conn, person_id),
    )
