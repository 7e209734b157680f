"""Received private messages: a ChatMessage for a person of this instance, created or
updated through the same actions as a local one (so a block by the recipient stops it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from moot.actions import private_messages
from moot.actions.actor import Received
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation.inbox import ingest
from moot.federation.inbox.ingest import Apply
from moot.federation.objects.common import parse_time
from moot.federation.objects.private_message import message_text
from moot.federation.protocol import activities as a
from moot.federation.protocol.common import as_list
from moot.federation.protocol.objects import ChatMessage
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context


async def prepare_message(
    ctx: Context, act: a.Activity, message: ChatMessage, doc: dict[str, Any]
) -> Apply:
    """An Update edits the message if it is here; a Create (or an Update of a message never
    seen) stores it once, a repeated one counting as an edit if it is newer."""
    recipient_url = as_list(message.to)[0]
    if not ctx.is_local(recipient_url):
        raise ParseError("a private message for a person of another instance")
    sender = await ingest.remote_actor(ctx, act.actor, doc)
    async with ctx.fed.db.connection() as conn:
        recipient = await conn.fetch_one(
            sa.select(m.person.c.id).where(m.person.c.actor_id == recipient_url, m.person.c.local)
        )
    if recipient is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON, f"no local person {recipient_url}")
    text = message_text(message)
    received = Received(
        message.id, parse_time(message.published) or utcnow(), parse_time(message.updated)
    )
    settings = ctx.fed.settings
    recipient_id = int(recipient["id"])
    update = isinstance(act, a.Update)
    t = m.private_message

    async def apply(tx: Connection) -> None:
        # Looked up in the transaction: another delivery may have stored it meanwhile.
        found = await tx.scalar(sa.select(t.c.id).where(t.c.ap_id == message.id))
        if update and found is not None:
            await private_messages.edit(tx, sender, int(found), text, received)
        else:
            await private_messages.send(tx, settings, sender, recipient_id, text, received)

    return apply
