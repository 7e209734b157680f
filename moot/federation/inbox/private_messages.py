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
    """Create and Update alike: a message already here is edited, else it arrives."""
    recipient_url = as_list(message.to)[0]
    if not ctx.is_local(recipient_url):
        raise ParseError("a private message for a person of another instance")
    sender = await ingest.remote_actor(ctx, act.actor, doc)
    async with ctx.fed.db.connection() as conn:
        recipient = await conn.fetch_one(
            sa.select(m.person.c.id).where(m.person.c.actor_id == recipient_url, m.person.c.local)
        )
        existing = await conn.scalar(
            sa.select(m.private_message.c.id).where(m.private_message.c.ap_id == message.id)
        )
    if recipient is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON, f"no local person {recipient_url}")
    text = message_text(message)
    received = Received(message.id, parse_time(message.published) or utcnow())
    settings = ctx.fed.settings
    recipient_id = int(recipient["id"])

    async def apply(tx: Connection) -> None:
        if existing is not None:
            await private_messages.edit(tx, sender, int(existing), text)
        else:
            await private_messages.send(tx, settings, sender, recipient_id, text, received)

    return apply
