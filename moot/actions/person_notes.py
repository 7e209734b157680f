"""A member's private notes on other people (Lemmy 1.0's person notes): written, replaced
or (an empty note) taken back; seen by their author only."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from moot import auth
from moot.actions.lookups import get_person
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode

NOTE_MAX_CHARS = 1000


async def note_person(conn: Connection, viewer: auth.Viewer, target_id: int, note: str) -> None:
    """Set the viewer's note on `target_id`; an empty note deletes it. Notes sent at the
    same moment land on one row (an upsert on the pair), the last one written wins."""
    if target_id == viewer.person_id:
        raise ApiError(ErrorCode.CANT_NOTE_YOURSELF)
    text = note.strip()
    if len(text) > NOTE_MAX_CHARS:
        raise ApiError(
            ErrorCode.INVALID_BODY_FIELD, f"a note has at most {NOTE_MAX_CHARS} characters"
        )
    await get_person(conn, target_id)
    t = m.person_note
    mine = (t.c.person_id == viewer.person_id, t.c.target_id == target_id)
    if not text:
        await conn.execute(sa.delete(t).where(*mine))
        return
    stmt = insert(t).values(
        person_id=viewer.person_id, target_id=target_id, note=text, published=utcnow()
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[t.c.person_id, t.c.target_id],
            set_={"note": stmt.excluded.note, "published": stmt.excluded.published},
        )
    )
