"""Lemmy 1.0's comment lock: a moderator closes a comment's sub-thread to new replies.

The lock is written on the comment and on every comment under it (as Lemmy 1.0 does), and
a reply written there later by a moderator takes it from its parent, so whether a reply
may be written is its parent's own flag (`comments.create_comment`). Unlocking clears the
whole sub-thread, a lock of a comment under it included.

A reply racing a lock (PostgreSQL): a reply locks its parent's thread, the locked comment
among it (moot/actions/locks.py), before it reads the parent's flag; the lock locks the
comment first, in its own statement, and only then changes the sub-thread in a second,
whose snapshot is taken after any reply that held the comment committed. So either the
reply waits and reads the flag set, or the lock waits and its update finds the reply.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.actions import mod_notices
from moot.actions.actor import Actor
from moot.actions.authority import require_mod_action
from moot.actions.lookups import get_comment, get_community, get_post
from moot.actions.modlog import Kind, clean_reason, record
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.paths import subtree_upper_bound
from moot.federation import publish_moderation as publish


async def lock_comment(
    conn: Connection, actor: Actor, comment_id: int, locked: bool, reason: str | None
) -> Row:
    """Lock (or unlock) a comment's sub-thread; the author is told (a `mod_action` notice)
    and the community announces it (a `Lock` of the Note, or its Undo)."""
    comment = await get_comment(conn, comment_id, lock=True)
    post = await get_post(conn, int(comment["post_id"]))
    community = await get_community(conn, int(post["community_id"]))
    await require_mod_action(conn, actor, community)
    reason = await clean_reason(conn, reason)
    t, path = m.comment, str(comment["path"])
    await conn.execute(
        sa.update(t)
        .where(
            t.c.post_id == post["id"],
            t.c.path >= path,
            t.c.path < subtree_upper_bound(path),
            t.c.locked != locked,
        )
        .values(locked=locked)
    )
    author_id = int(comment["creator_id"])
    entry_id = await record(
        conn,
        Kind.MOD_LOCK_COMMENT,
        actor.person_id,
        flag=locked,
        other_person_id=author_id,
        community_id=int(community["id"]),
        post_id=int(post["id"]),
        comment_id=comment_id,
        reason=reason,
    )
    await mod_notices.notify(conn, entry_id, author_id, actor.person_id)
    await publish.comment_locked(conn, actor, comment, community, locked, reason)
    return await get_comment(conn, comment_id)
