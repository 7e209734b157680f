"""Who hears of a comment: the local people it mentions as `@name@host`, and the author it
answers (as a reply, unless they were mentioned already, or block the community or its
instance); and marking those notices read.

Comments arrive here the same way whether written on this instance or received from
another, so a remote comment that mentions a local person notifies them too.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions.actor import Actor
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.mentions import mentioned_persons
from moot.db.paths import ancestor_ids
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode


async def comment_saved(conn: Connection, comment: Row, post: Row, *, is_new: bool) -> None:
    """Notices for a new or edited comment; an edit notifies only those newly mentioned."""
    author = int(comment["creator_id"])
    notified: set[int] = set()
    for person in await mentioned_persons(conn, str(comment["content"])):
        person_id = int(person["id"])
        if person_id != author and await _may_notify(conn, person_id, author):
            await _notice(conn, m.person_mention, person_id, int(comment["id"]))
            notified.add(person_id)
    if not is_new:
        return
    parents = ancestor_ids(comment["path"])
    if parents:
        parent = await conn.fetch_one(sa.select(m.comment).where(m.comment.c.id == parents[-1]))
        recipient = int(parent["creator_id"]) if parent is not None else None
    else:
        recipient = int(post["creator_id"])
    if (
        recipient is not None
        and recipient != author
        and recipient not in notified
        and await _may_notify(conn, recipient, author)
        and not await _blocks_community(conn, recipient, int(post["community_id"]))
    ):
        await _notice(conn, m.comment_reply, recipient, int(comment["id"]))


async def _may_notify(conn: Connection, recipient: int, author: int) -> bool:
    """Only people with an account here get notices, and never from someone they block."""
    has_account = await conn.scalar(
        sa.select(m.local_user.c.id).where(m.local_user.c.person_id == recipient).limit(1)
    )
    if has_account is None:
        return False
    blocked = await conn.scalar(
        sa.select(m.person_block.c.id)
        .where(m.person_block.c.person_id == recipient, m.person_block.c.target_id == author)
        .limit(1)
    )
    return blocked is None


async def _blocks_community(conn: Connection, recipient: int, community_id: int) -> bool:
    """Whether the recipient blocks the community, or the instance it lives on: a reply
    there is no notice to them (Lemmy 0.19 goes by the community's instance, as listings
    do, not the author's)."""
    cb, ib, c = m.community_block, m.instance_block, m.community
    community_blocked = sa.exists().where(
        cb.c.person_id == recipient, cb.c.community_id == community_id
    )
    instance_blocked = sa.exists().where(
        ib.c.person_id == recipient,
        ib.c.instance_id
        == sa.select(c.c.instance_id).where(c.c.id == community_id).scalar_subquery(),
    )
    return bool(await conn.scalar(sa.select(sa.or_(community_blocked, instance_blocked))))


async def _notice(conn: Connection, table: sa.Table, recipient: int, comment_id: int) -> None:
    """One notice per recipient and comment, however often the comment is saved."""
    await insert_if_absent(
        conn,
        table,
        ("recipient_id", "comment_id"),
        recipient_id=recipient,
        comment_id=comment_id,
        published=utcnow(),
    )


async def mark_read(
    conn: Connection, viewer: Actor, table: sa.Table, notice_id: int, read: bool
) -> Row:
    """Mark one reply or mention read (or unread again); only its recipient may."""
    missing = (
        ErrorCode.COULDNT_FIND_COMMENT_REPLY
        if table is m.comment_reply
        else ErrorCode.COULDNT_FIND_PERSON_MENTION
    )
    notice = await conn.fetch_one(sa.select(table).where(table.c.id == notice_id))
    if notice is None:
        raise ApiError(missing)
    if int(notice["recipient_id"]) != viewer.person_id:
        raise ApiError(ErrorCode.COULDNT_UPDATE_COMMENT, "it is somebody else's notice")
    await conn.execute(sa.update(table).where(table.c.id == notice_id).values(read=read))
    found = await conn.fetch_one(sa.select(table).where(table.c.id == notice_id))
    assert found is not None
    return found


async def mark_all_read(conn: Connection, viewer: Actor) -> None:
    """Every reply, mention and private message the viewer received, read."""
    me = viewer.person_id
    for table in (m.comment_reply, m.person_mention):
        await conn.execute(
            sa.update(table).where(table.c.recipient_id == me, ~table.c.read).values(read=True)
        )
    pm = m.private_message
    await conn.execute(sa.update(pm).where(pm.c.recipient_id == me, ~pm.c.read).values(read=True))
