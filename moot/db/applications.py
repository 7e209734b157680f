"""Registration applications as admins list and count them: the API's routes and the
admin pages read these same queries."""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row


def _pending(only_verified_email: bool) -> list[sa.ColumnElement[bool]]:
    """Applications no admin has decided yet (with a verified email, if the site asks)."""
    where: list[sa.ColumnElement[bool]] = [m.registration_application.c.admin_id.is_(None)]
    if only_verified_email:
        where.append(m.local_user.c.email_verified)
    return where


def applications() -> sa.Select[tuple[object, ...]]:
    t = m.registration_application
    return sa.select(t).join(m.local_user, m.local_user.c.id == t.c.local_user_id)


async def count_pending(conn: Connection, local_site: Row) -> int:
    pending = applications().where(*_pending(bool(local_site["require_email_verification"])))
    return int(await conn.scalar(sa.select(sa.func.count()).select_from(pending.subquery())))


async def list_applications(
    conn: Connection, local_site: Row, *, unread_only: bool, page: int, limit: int
) -> list[Row]:
    """Newest first; `unread_only` keeps the undecided ones."""
    t = m.registration_application
    query = applications()
    if unread_only:
        query = query.where(*_pending(bool(local_site["require_email_verification"])))
    return await conn.fetch_all(
        query.order_by(t.c.published.desc(), t.c.id.desc()).limit(limit).offset(limit * (page - 1))
    )
