"""ChatMessage: a private message as Lemmy sends it (Pleroma's type, not a Note), and the
text a received one gives."""

from __future__ import annotations

from moot.db.engine import Row
from moot.federation.objects.common import markdown_of, source, stamp
from moot.federation.protocol.objects import ChatMessage


def chat_message_json(message: Row, creator_actor: str, recipient_actor: str) -> ChatMessage:
    return ChatMessage(
        type="ChatMessage",
        id=message["ap_id"],
        attributed_to=creator_actor,
        to=[recipient_actor],
        content=message["content_html"] or "",
        media_type="text/html",
        source=source(message["content"]),
        published=stamp(message["published"]),
        updated=stamp(message["updated"]),
    )


def message_text(shape: ChatMessage) -> str:
    return markdown_of(shape.content, shape.media_type, shape.source).strip()
