"""Comments: create (top level or reply), edit, delete, save."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot import auth, validation
from moot.actions import counters, emoji, notifications, remote_images, targets, votes
from moot.actions.actor import Actor, Received, RemoteActor
from moot.actions.comment_insert import insert_with_own_vote
from moot.actions.comment_target import (
    ANSWERED,
    REPLIED,
    TARGET,
    Reading,
    flag_names,
    target_statement,
)
from moot.actions.locks import lock_rows, lock_thread
from moot.actions.lookups import get_comment, get_community, get_post
from moot.actions.posts import check_can_post_in
from moot.actions.reading import mark_read
from moot.actions.site import load_site
from moot.config import Settings
from moot.db import models as m
from moot.db.around import Around, unprefixed
from moot.db.engine import Conflict, Connection, Row
from moot.db.mentions import mentioned_in
from moot.db.paths import ancestor_ids, depth_of, segment
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.federation import publish, render
from moot.federation.audience import addressing, audience_of
from moot.text.markdown import render_markdown_aside
from moot.text.mentions import mentions_in

MAX_COMMENT_DEPTH = 50  # Lemmy's MAX_COMMENT_DEPTH_LIMIT


async def _clean_content(conn: Connection, settings: Settings, content: str) -> str:
    """Slurs removed, checked, remote pictures proxied (`remote_images`)."""
    _, local = await load_site(conn)
    text = validation.remove_slurs(
        content, validation.compile_slur_filter(local["slur_filter_regex"])
    )
    validation.check_body(text)
    if not text.strip():
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a comment needs some text")
    return await remote_images.proxy_markdown(conn, settings, text)


async def _locked_parent(conn: Connection, parent_id: int) -> Row:
    """The comment replied to, its thread locked first as the reply's counters will need it
    (moot/actions/locks.py): the rows come back as they are once locked, so a purge of it
    that committed meanwhile is `couldnt_find_comment`, not a reply under a comment that
    is gone. SQLite has one writer: the first reading is already the last word."""
    if conn.dialect_name == "sqlite":
        return await get_comment(conn, parent_id)
    thread = await lock_thread(conn, parent_id)
    parent = next((row for row in thread if row["id"] == parent_id), None)
    if parent is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMENT)
    return parent


async def create_comment(
    conn: Connection,
    settings: Settings,
    viewer: Actor,
    post_id: int,
    content: str,
    parent_id: int | None,
    language_id: int | None,
    received: Received | None = None,
    *,
    view: Around | None = None,
) -> Created:
    """Checked, rendered and stored; counted, noticed and sent in the same transaction.

    The text is cleaned and rendered first, before any row is locked. Then the rows are
    taken in the lock order: the thread replied to (PostgreSQL), then the post with
    everything the checks need (`targets.post_target`), and in the same statement whom
    the comment answers, its id to be, the persons its text may mention, the author's
    audience and, with `view`, what the response shows around the comment (`Created`);
    the counters are computed from what those readings returned, and each written row
    returns itself, so nothing is read twice (tests/test_write_statement_counts.py)."""
    text = await _clean_content(conn, settings, content)
    html = await render_markdown_aside(text, await emoji.for_rendering(conn))
    parent: Row | None = None
    # The comment replied to, read with the post on SQLite (one writer: nothing to lock
    # first); PostgreSQL locks its thread before the post.
    if parent_id is not None and conn.dialect_name == "postgresql":
        parent = await _locked_parent(conn, parent_id)
    local = not isinstance(viewer, RemoteActor)
    reading = Reading(parent_id is not None, local, view is not None, language_id is not None)
    params = {
        "post_id": post_id,
        "author": viewer.person_id,
        "now": utcnow(),
        "parent_id": parent_id,
        "replied_to": int(parent["creator_id"]) if parent is not None else None,
        "language_id": language_id,
    }
    try:
        if mentions_in(text):
            query = target_statement(conn.dialect_name, reading, text)
            target = targets.target_of(await conn.fetch_one(query, params))
        else:
            rows = await conn.run(TARGET, params, reading)
            target = targets.target_of(rows[0] if rows else None)
    except ApiError as exc:
        if parent_id is not None and parent is None and exc.code == ErrorCode.COULDNT_FIND_POST:
            # No row: the post or the comment replied to is missing; the comment's error
            # comes first, as when it is read first.
            await get_comment(conn, parent_id)
        raise
    if parent_id is not None and parent is None:
        parent = unprefixed(target.row, REPLIED)
    mentioned = mentioned_in(text, target.row)
    post, community = target.post, target.community
    _check_can_comment(viewer, target)
    if parent is not None:
        if parent["post_id"] != post_id:
            raise ApiError(ErrorCode.COULDNT_CREATE_COMMENT)
        # A locked sub-thread (moot/actions/comment_locks.py) takes replies from those
        # who moderate it only, as a locked post does.
        if parent["locked"] and not (viewer.is_admin or target.moderator):
            raise ApiError(ErrorCode.LOCKED)
        if depth_of(parent["path"]) + 1 >= MAX_COMMENT_DEPTH:
            raise ApiError(ErrorCode.MAX_COMMENT_DEPTH_REACHED)
    if language_id is not None and not target.row["language_found"]:
        raise ApiError(ErrorCode.LANGUAGE_NOT_ALLOWED)

    now = received.published if received is not None else utcnow()
    values = {
        "creator_id": viewer.person_id,
        "post_id": post_id,
        "content": text,
        "content_html": html,
        "published": now,
        "language_id": language_id if language_id is not None else 0,
        "local": received is None,
        # A reply in a locked sub-thread (a moderator's) is locked with it.
        "locked": bool(parent["locked"]) if parent is not None else False,
        **votes.own_comment_vote_counts(now),
    }
    comment_id = int(target.row["next_id"])
    path = (parent["path"] if parent is not None else "") + segment(comment_id)
    values.update(id=comment_id, path=path, depth=depth_of(path))
    if received is not None:
        values.update(ap_id=received.ap_id, updated=received.updated)
    else:
        values["ap_id"] = f"{settings.origin}/comment/{comment_id}"
    comment = await insert_with_own_vote(conn, values, utcnow())
    if comment is None:
        # Received before (committed, or meanwhile by a concurrent transaction); a local
        # comment's ap_id names its new id, which no other row has.
        assert received is not None
        again = await _received_again(conn, settings, viewer, content, language_id, received)
        return Created(again, None)
    moved = await counters.comment_created(conn, comment, post, creator_score=1)
    await notifications.comment_saved(
        conn, comment, post, is_new=True, mentioned=mentioned, parent=parent
    )
    await mark_read(conn, viewer, [post_id], True)
    # Whom it answers, for the Note: as `render.thread_of` would read them.
    answered_row = unprefixed(target.row, ANSWERED)
    thread = await render.thread_of(
        conn,
        comment,
        creator=viewer.person,
        post=post,
        community=community,
        parent=parent,
        mentioned=mentioned,
        parent_creator=answered_row,
    )
    known = addressing(audience_of(target.row), mentioned) if local else None
    await publish.comment_saved(conn, viewer, comment, "Create", thread, known)
    around = None
    if view is not None:
        # The author views their own new comment: unsaved, with their own upvote.
        around = {
            **{f"p_{name}": moved[name] for name in view.post},
            **{f"u_{name}": viewer.person[name] for name in view.person},
            **{f"c_{name}": community[name] for name in view.community},
            **{name: target.row[name] for name in flag_names()},
            "saved": False,
            "my_vote": 1,
        }
    return Created(comment, around)


@dataclass(frozen=True)
class Created:
    """A comment stored: its row and, when the caller asked (`create_comment(view=…)`),
    what its view shows around it, as `around.around_comments` reads it."""

    comment: Row
    around: Row | None


def _check_can_comment(viewer: Actor, target: targets.PostTarget) -> None:
    """`posts.check_can_post_in`, then the post's own state, from one reading."""
    community = target.community
    target.require_valid_person()
    target.require_taking_part(viewer.is_admin)
    if community["deleted"] or community["removed"]:
        raise ApiError(ErrorCode.CANNOT_CREATE_POST_OR_COMMENT_IN_DELETED_OR_REMOVED_COMMUNITY)
    if target.community_banned:
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    post = target.post
    if post["deleted"] or post["removed"]:
        raise ApiError(ErrorCode.DELETED)
    if post["locked"] and not (viewer.is_admin or target.moderator):
        raise ApiError(ErrorCode.LOCKED)


async def _received_again(
    conn: Connection,
    settings: Settings,
    viewer: Actor,
    content: str,
    language_id: int | None,
    received: Received,
) -> Row:
    """A remote comment that is already here (see `posts._received_again`): counted when
    it was stored; replaced only by a later edit, else what it came with is passed on."""
    comment = await conn.fetch_one(sa.select(m.comment).where(m.comment.c.ap_id == received.ap_id))
    if comment is None:
        raise Conflict(f"comment {received.ap_id} was stored and purged meanwhile")
    if comment["creator_id"] != viewer.person_id:
        raise ApiError(ErrorCode.NO_COMMENT_EDIT_ALLOWED)
    if received.newer_than(comment):
        return await edit_comment(
            conn, settings, viewer, int(comment["id"]), content, language_id, received
        )
    await publish.comment_saved(conn, viewer, comment, "Create")
    return comment


async def edit_comment(
    conn: Connection,
    settings: Settings,
    viewer: Actor,
    comment_id: int,
    content: str | None,
    language_id: int | None,
    received: Received | None = None,
) -> Row:
    """`received`: an edit made on another instance, stamped with its time there."""
    comment = await get_comment(conn, comment_id)
    if comment["creator_id"] != viewer.person_id:
        raise ApiError(ErrorCode.NO_COMMENT_EDIT_ALLOWED)
    post = await get_post(conn, int(comment["post_id"]))
    await check_can_post_in(conn, viewer, await get_community(conn, int(post["community_id"])))
    if comment["deleted"] or comment["removed"]:
        raise ApiError(ErrorCode.COULDNT_UPDATE_COMMENT)
    values: dict[str, object] = {
        "updated": (received.updated if received is not None else None) or utcnow()
    }
    if content is not None:
        text = await _clean_content(conn, settings, content)
        values.update(
            content=text,
            content_html=await render_markdown_aside(text, await emoji.for_rendering(conn)),
        )
    if language_id is not None:
        values["language_id"] = language_id
    await conn.execute(sa.update(m.comment).where(m.comment.c.id == comment_id).values(**values))
    comment = await get_comment(conn, comment_id)
    await notifications.comment_saved(conn, comment, post, is_new=False)
    await publish.comment_saved(conn, viewer, comment, "Update")
    return comment


async def delete_comment(conn: Connection, viewer: Actor, comment_id: int, deleted: bool) -> Row:
    comment = await get_comment(conn, comment_id)
    if comment["creator_id"] != viewer.person_id:
        raise ApiError(ErrorCode.NO_COMMENT_EDIT_ALLOWED)
    if bool(comment["deleted"]) != deleted:
        await set_deleted(conn, comment, deleted)
        await publish.comment_deleted(conn, viewer, comment, deleted)
    return await get_comment(conn, comment_id)


async def set_deleted(conn: Connection, comment: Row, deleted: bool) -> None:
    await _set_state(conn, comment, "deleted", deleted, updated=utcnow())


async def set_removed(conn: Connection, comment: Row, removed: bool) -> None:
    """A moderator's removal; the author's `updated` time stays as it was."""
    await _set_state(conn, comment, "removed", removed)


async def _set_state(
    conn: Connection, comment: Row, flag: str, value: bool, **also: object
) -> None:
    """Set `deleted` or `removed`, moving the counters when the comment stops or starts
    counting. The thread's rows are locked first, ancestors and comment in id order, as a
    reply below it locks them (moot/actions/locks.py); the update names the old value, so
    of two requests racing to flip the flag exactly one changes the row and moves the
    counters."""
    await lock_rows(conn, comments=[*ancestor_ids(comment["path"]), int(comment["id"])])
    t = m.comment
    changed = await conn.fetch_one(
        sa.update(t)
        .where(t.c.id == comment["id"], t.c[flag] == (not value))
        .values({flag: value, **also})
        .returning(t)
    )
    if changed is None:
        return
    after = counters.is_counted(changed)
    if after != counters.is_counted({**changed, flag: not value}):
        post = await get_post(conn, int(changed["post_id"]))
        await counters.comment_counted(conn, changed, post, +1 if after else -1)


async def save(conn: Connection, viewer: auth.Viewer, comment_id: int, save: bool) -> Row:
    comment = await get_comment(conn, comment_id)
    t = m.comment_saved
    if save:
        await insert_if_absent(
            conn,
            t,
            ("person_id", "comment_id"),
            comment_id=comment_id,
            person_id=viewer.person_id,
            published=utcnow(),
        )
    else:
        await conn.execute(
            sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.comment_id == comment_id)
        )
    return comment
