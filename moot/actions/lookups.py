"""Fetch the row an action is about, or fail with Lemmy's not-found code.

`lock=True` reads the row locked for the change the transaction is about to make (see
moot/actions/locks.py for the order): the change is decided on the row as it is now, and
whoever comes next waits and then sees it made.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode


async def _by_id(
    conn: Connection, table: sa.Table, row_id: int, missing: ErrorCode, lock: bool
) -> Row:
    query = sa.select(table).where(table.c.id == row_id)
    if lock:
        query = query.with_for_update(key_share=True)
    row = await conn.fetch_one(query)
    if row is None:
        raise ApiError(missing)
    return row


async def get_community(conn: Connection, community_id: int, *, lock: bool = False) -> Row:
    return await _by_id(conn, m.community, community_id, ErrorCode.COULDNT_FIND_COMMUNITY, lock)


async def get_post(conn: Connection, post_id: int, *, lock: bool = False) -> Row:
    return await _by_id(conn, m.post, post_id, ErrorCode.COULDNT_FIND_POST, lock)


async def get_comment(conn: Connection, comment_id: int, *, lock: bool = False) -> Row:
    return await _by_id(conn, m.comment, comment_id, ErrorCode.COULDNT_FIND_COMMENT, lock)


async def get_person(conn: Connection, person_id: int, *, lock: bool = False) -> Row:
    return await _by_id(conn, m.person, person_id, ErrorCode.COULDNT_FIND_PERSON, lock)


async def get_private_message(conn: Connection, message_id: int, *, lock: bool = False) -> Row:
    return await _by_id(
        conn, m.private_message, message_id, ErrorCode.COULDNT_FIND_PRIVATE_MESSAGE, lock
    )


async def get_instance(conn: Connection, instance_id: int) -> Row:
    return await _by_id(conn, m.instance, instance_id, ErrorCode.UNKNOWN, False)
