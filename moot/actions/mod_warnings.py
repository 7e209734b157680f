"""Lemmy 1.0's warnings: a moderator warns the author of a post or comment, with a reason.

The warning is a modlog entry (`ModWarnPost`, `ModWarnComment`) and a `mod_action` notice
to the author; nothing else changes. A remote author is sent Lemmy 1.0's `Warn` at their
own inbox, and one received is applied here with its sender as the moderator. Each
warning is its own entry: two given at the same moment are two warnings, as two reports
are two reports.
"""

from __future__ import annotations

from moot.actions import mod_notices
from moot.actions.actor import Actor
from moot.actions.authority import require_mod_action
from moot.actions.lookups import get_comment, get_community, get_post
from moot.actions.modlog import Kind, clean_reason, record
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import publish_moderation as publish


async def _reason(conn: Connection, reason: str) -> str:
    """A warning says why: a reason is required (cleaned as every moderator's reason)."""
    cleaned = await clean_reason(conn, reason)
    if cleaned is None:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a warning needs a reason")
    return cleaned


async def warn_post(conn: Connection, actor: Actor, post_id: int, reason: str) -> Row:
    post = await get_post(conn, post_id)
    community = await get_community(conn, int(post["community_id"]))
    await require_mod_action(conn, actor, community)
    cleaned = await _reason(conn, reason)
    author_id = int(post["creator_id"])
    entry_id = await record(
        conn,
        Kind.MOD_WARN_POST,
        actor.person_id,
        other_person_id=author_id,
        community_id=int(community["id"]),
        post_id=post_id,
        reason=cleaned,
    )
    await mod_notices.notify(conn, entry_id, author_id, actor.person_id)
    await publish.warned(conn, actor, str(post["ap_id"]), author_id, community, cleaned)
    return post


async def warn_comment(conn: Connection, actor: Actor, comment_id: int, reason: str) -> Row:
    comment = await get_comment(conn, comment_id)
    post = await get_post(conn, int(comment["post_id"]))
    community = await get_community(conn, int(post["community_id"]))
    await require_mod_action(conn, actor, community)
    # As Lemmy: a comment taken down, by its author or a moderator, is not warned about.
    if comment["deleted"] or comment["removed"]:
        raise ApiError(ErrorCode.DELETED)
    cleaned = await _reason(conn, reason)
    author_id = int(comment["creator_id"])
    entry_id = await record(
        conn,
        Kind.MOD_WARN_COMMENT,
        actor.person_id,
        other_person_id=author_id,
        community_id=int(community["id"]),
        post_id=int(post["id"]),
        comment_id=comment_id,
        reason=cleaned,
    )
    await mod_notices.notify(conn, entry_id, author_id, actor.person_id)
    await publish.warned(conn, actor, str(comment["ap_id"]), author_id, community, cleaned)
    return comment
