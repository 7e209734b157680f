"""A member's `mod_action` notices (moot/actions/mod_notices.py) as they list and count
them: newest first, each with the modlog entry it names. A page is a scan of
`ix_mod_action_notice_recipient` backwards from the newest."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.around import unprefixed
from moot.db.engine import Connection, Row

_ENTRY = "entry__"


def _notices(person_id: int) -> sa.Select[Any]:
    """The member's notices, each with its entry's columns (`_ENTRY`), in one statement (an
    entry that goes, with what it named, takes its notice with it)."""
    t, log = m.mod_action_notice, m.modlog
    return (
        sa.select(t, *(col.label(_ENTRY + col.name) for col in log.c))
        .join(log, log.c.id == t.c.modlog_id)
        .where(t.c.recipient_id == person_id)
    )


def _pairs(rows: list[Row]) -> list[tuple[Row, Row]]:
    columns = [col.name for col in m.mod_action_notice.c]
    return [({name: r[name] for name in columns}, unprefixed(r, _ENTRY)) for r in rows]


async def list_mod_notices(
    conn: Connection, person_id: int, *, unread_only: bool, offset: int, limit: int
) -> list[tuple[Row, Row]]:
    """(notice, modlog entry) pairs, newest first."""
    t = m.mod_action_notice
    query = _notices(person_id)
    if unread_only:
        query = query.where(~t.c.read)
    rows = await conn.fetch_all(
        query.order_by(t.c.published.desc(), t.c.id.desc()).limit(limit).offset(offset)
    )
    return _pairs(rows)


async def one_mod_notice(conn: Connection, person_id: int, notice_id: int) -> list[tuple[Row, Row]]:
    """The member's notice `notice_id` as `list_mod_notices` gives it (none: not theirs)."""
    query = _notices(person_id).where(m.mod_action_notice.c.id == notice_id)
    return _pairs(await conn.fetch_all(query))


def unread(person_id: int) -> sa.ScalarSelect[int]:
    """How many of the person's moderators' notices are unread, as a subquery."""
    t = m.mod_action_notice
    return (
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.recipient_id == person_id, ~t.c.read)
        .scalar_subquery()
    )
