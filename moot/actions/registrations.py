"""Registration applications: an admin approves an applicant, or denies them with a reason
that their next login attempt shows (`registration_denied`)."""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions.actor import Actor
from moot.actions.authority import require_admin
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode


async def get_application(conn: Connection, application_id: int) -> Row:
    t = m.registration_application
    row = await conn.fetch_one(sa.select(t).where(t.c.id == application_id))
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_REGISTRATION_APPLICATION)
    return row


async def decide(
    conn: Connection, actor: Actor, application_id: int, approve: bool, deny_reason: str | None
) -> Row:
    require_admin(actor)
    application = await get_application(conn, application_id)
    reason = None if approve else (deny_reason or "").strip() or None
    t = m.registration_application
    await conn.execute(
        sa.update(t)
        .where(t.c.id == application_id)
        .values(admin_id=actor.person_id, deny_reason=reason)
    )
    await conn.execute(
        sa.update(m.local_user)
        .where(m.local_user.c.id == application["local_user_id"])
        .values(accepted_application=approve)
    )
    return await get_application(conn, application_id)
