"""Lemmy 1.0's `mod_action` notifications: a moderator's action that concerns a member (a
warning, a lock of their comment) reaches them in their notifications, as a notice naming
the action's modlog entry. Only local members read notices here, so only they get one."""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions.actor import Actor
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode


async def notify(conn: Connection, modlog_id: int, recipient_id: int, mod_person_id: int) -> None:
    """A notice of entry `modlog_id` for `recipient_id`, when they are a local member and
    not the moderator who acted. One statement: the person's row says whether they are
    local; the entry is new, so nothing can be there already."""
    if recipient_id == mod_person_id:
        return
    t, p = m.mod_action_notice, m.person
    await conn.execute(
        sa.insert(t).from_select(
            ["recipient_id", "modlog_id", "published"],
            sa.select(
                p.c.id, sa.literal(modlog_id), sa.literal(utcnow(), t.c.published.type)
            ).where(p.c.id == recipient_id, p.c.local),
        )
    )


async def mark_read(conn: Connection, viewer: Actor, notice_id: int, read: bool) -> None:
    """The viewer's own notice, read or unread (another's is left as it is: not found)."""
    t = m.mod_action_notice
    changed = await conn.execute(
        sa.update(t)
        .where(t.c.id == notice_id, t.c.recipient_id == viewer.person_id)
        .values(read=read)
    )
    if not changed:
        raise ApiError(ErrorCode.NOT_FOUND)
