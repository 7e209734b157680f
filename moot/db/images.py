"""The uploaded-pictures listing (`/account/list_media`, `/admin/list_all_media`)."""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row


async def list_images(
    conn: Connection, local_user_id: int | None, *, page: int, limit: int
) -> list[Row]:
    """Newest first, with the uploader's `person_id`; one member's when `local_user_id` is
    given, everyone's otherwise. A member's listing walks ix_local_image_local_user_id;
    pictures are few per member, so sorting them by time costs little."""
    t = m.local_image
    stmt = (
        sa.select(t, m.local_user.c.person_id)
        .join(m.local_user, m.local_user.c.id == t.c.local_user_id)
        .order_by(t.c.published.desc(), t.c.pictrs_alias)
        .limit(limit)
        .offset((page - 1) * limit)
    )
    if local_user_id is not None:
        stmt = stmt.where(t.c.local_user_id == local_user_id)
    return await conn.fetch_all(stmt)
