"""A person's private messages as they list and count them: the API's routes and the inbox
page read these same queries. Messages from someone the person blocked, or from a person of
an instance whose persons they block, are left out."""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import not_by_blocked_instance


def _not_from_blocked(person_id: int) -> sa.ColumnElement[bool]:
    b = m.person_block
    creator = m.private_message.c.creator_id
    return sa.and_(
        ~creator.in_(sa.select(b.c.target_id).where(b.c.person_id == person_id)),
        not_by_blocked_instance(creator, person_id),
    )


async def list_messages(
    conn: Connection,
    person_id: int,
    *,
    unread_only: bool,
    creator_id: int | None,
    page: int,
    limit: int,
    received_only: bool = False,
) -> list[Row]:
    """What the person sent and received, newest first (only unread ones they received, if
    `unread_only`; only what they received, if `received_only`)."""
    t = m.private_message
    query = sa.select(t).where(~t.c.deleted, _not_from_blocked(person_id))
    if received_only:
        query = query.where(t.c.recipient_id == person_id)
    if unread_only:
        # Unread is about what reached me; what I sent is not mine to read.
        query = query.where(t.c.recipient_id == person_id, ~t.c.read)
    else:
        query = query.where(sa.or_(t.c.recipient_id == person_id, t.c.creator_id == person_id))
    if creator_id is not None:
        query = query.where(t.c.creator_id == creator_id)
    return await conn.fetch_all(
        query.order_by(t.c.published.desc(), t.c.id.desc()).limit(limit).offset(limit * (page - 1))
    )


async def count_unread(conn: Connection, person_id: int) -> int:
    t = m.private_message
    return int(
        await conn.scalar(
            sa.select(sa.func.count())
            .select_from(t)
            .where(
                t.c.recipient_id == person_id,
                ~t.c.read,
                ~t.c.deleted,
                _not_from_blocked(person_id),
            )
        )
    )
