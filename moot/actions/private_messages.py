"""Private messages between two persons: send, edit, delete (the author), mark read (the
recipient). Someone who blocked you cannot be written to (`person_is_blocked`), from here
or from another instance."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from moot import validation
from moot.actions import emoji
from moot.actions.actor import Actor, Received
from moot.actions.authority import require_valid_person
from moot.actions.lookups import get_person, get_private_message
from moot.actions.site import load_site
from moot.config import Settings
from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Conflict, Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import publish
from moot.text.markdown import render_markdown_aside


async def _clean(conn: Connection, content: str) -> str:
    _, local = await load_site(conn)
    text = validation.remove_slurs(
        content, validation.compile_slur_filter(local["slur_filter_regex"])
    )
    validation.check_body(text)
    if not text.strip():
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a message needs some text")
    return text


async def _blocks(conn: Connection, blocker_id: int, target_id: int) -> bool:
    t = m.person_block
    found = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.person_id == blocker_id, t.c.target_id == target_id)
    )
    return bool(found)


async def send(
    conn: Connection,
    settings: Settings,
    actor: Actor,
    recipient_id: int,
    content: str,
    received: Received | None = None,
) -> Row:
    await require_valid_person(conn, actor.person_id)
    text = await _clean(conn, content)
    await get_person(conn, recipient_id)
    if await _blocks(conn, recipient_id, actor.person_id):
        raise ApiError(ErrorCode.PERSON_IS_BLOCKED)
    now = received.published if received is not None else utcnow()
    values = {
        "creator_id": actor.person_id,
        "recipient_id": recipient_id,
        "content": text,
        "content_html": await render_markdown_aside(text, await emoji.for_rendering(conn)),
        "published": now,
        "local": received is None,
    }
    if received is not None:
        values.update(ap_id=received.ap_id, updated=received.updated)
        message_id = await upsert.insert_new(conn, m.private_message, "ap_id", values)
        if message_id is None:
            return await _received_again(conn, actor, text, received)
    else:
        # A local message's id is known only after the insert; a unique placeholder until then.
        values["ap_id"] = f"{settings.origin}/private_message/pending-{uuid.uuid4().hex}"
        t = m.private_message
        message_id = int(await conn.scalar(sa.insert(t).values(**values).returning(t.c.id)))
        await conn.execute(
            sa.update(t)
            .where(t.c.id == message_id)
            .values(ap_id=f"{settings.origin}/private_message/{message_id}")
        )
    message = await get_private_message(conn, message_id)
    await publish.private_message_saved(conn, actor, message, "Create")
    return message


async def _received_again(conn: Connection, actor: Actor, text: str, received: Received) -> Row:
    """A remote message that is already here (stored by an activity that came first, maybe
    in a concurrent transaction): replaced only by a later edit."""
    t = m.private_message
    message = await conn.fetch_one(sa.select(t).where(t.c.ap_id == received.ap_id))
    if message is None:
        raise Conflict(f"private message {received.ap_id} was stored and removed meanwhile")
    if received.newer_than(message):
        return await edit(conn, actor, int(message["id"]), text, received)
    if int(message["creator_id"]) != actor.person_id:
        raise ApiError(ErrorCode.EDIT_PRIVATE_MESSAGE_NOT_ALLOWED)
    return message


async def _own(conn: Connection, actor: Actor, message_id: int) -> Row:
    message = await get_private_message(conn, message_id)
    if int(message["creator_id"]) != actor.person_id:
        raise ApiError(ErrorCode.EDIT_PRIVATE_MESSAGE_NOT_ALLOWED)
    return message


async def edit(
    conn: Connection,
    actor: Actor,
    message_id: int,
    content: str,
    received: Received | None = None,
) -> Row:
    """`received`: an edit made on another instance, stamped with its time there."""
    await _own(conn, actor, message_id)
    text = await _clean(conn, content)
    edited = (received.updated if received is not None else None) or utcnow()
    await conn.execute(
        sa.update(m.private_message)
        .where(m.private_message.c.id == message_id)
        .values(
            content=text,
            content_html=await render_markdown_aside(text, await emoji.for_rendering(conn)),
            updated=edited,
        )
    )
    message = await get_private_message(conn, message_id)
    await publish.private_message_saved(conn, actor, message, "Update")
    return message


async def delete(conn: Connection, actor: Actor, message_id: int, deleted: bool) -> Row:
    await _own(conn, actor, message_id)
    t = m.private_message
    # Named with its old state, the update changes the row for one of two racing requests,
    # and only that one tells the recipient's instance.
    changed = await conn.execute(
        sa.update(t)
        .where(t.c.id == message_id, t.c.deleted == (not deleted))
        .values(deleted=deleted, updated=utcnow())
    )
    message = await get_private_message(conn, message_id)
    if changed:
        await publish.private_message_deleted(conn, actor, message, deleted)
    return message


async def mark_read(conn: Connection, actor: Actor, message_id: int, read: bool) -> Row:
    message = await get_private_message(conn, message_id)
    if int(message["recipient_id"]) != actor.person_id:
        raise ApiError(ErrorCode.COULDNT_UPDATE_PRIVATE_MESSAGE)
    await conn.execute(
        sa.update(m.private_message).where(m.private_message.c.id == message_id).values(read=read)
    )
    return await get_private_message(conn, message_id)
