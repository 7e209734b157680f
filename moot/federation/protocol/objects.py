"""Objects: Page (post), Note (comment), ChatMessage (private message), Tombstone."""

from __future__ import annotations

from typing import Any

import msgspec

from moot.federation.protocol.common import ImageRef, LanguageTag, Shape, Source, Tag, Urls

# What Lemmy takes as a post; a Note without inReplyTo is a post too (Mastodon's toots).
POST_TYPES = ("Page", "Article", "Note", "Video", "Event")
MEDIA_TYPES = ("text/html", "text/markdown")


class Page(Shape, kw_only=True):
    type: str
    id: str
    # A URL, or PeerTube's list of {type, id}.
    attributed_to: str | list[Any]
    context: Any = msgspec.field(default=None, name="@context")
    to: Urls | None = None
    cc: Urls | None = None
    audience: str | None = None
    name: str | None = None
    content: str | None = None
    media_type: str | None = None
    source: Source | None = None
    attachment: list[dict[str, Any]] | None = None
    image: ImageRef | None = None
    sensitive: bool | None = None
    language: LanguageTag | None = None
    tag: list[Tag] | None = None
    # Only to refuse it: a Page that replies to something is not a post.
    in_reply_to: str | None = None
    published: str | None = None
    updated: str | None = None


class Note(Shape, kw_only=True):
    type: str
    id: str
    attributed_to: str | list[Any]
    context: Any = msgspec.field(default=None, name="@context")
    to: Urls | None = None
    cc: Urls | None = None
    audience: str | None = None
    in_reply_to: str | None = None
    name: str | None = None
    content: str | None = None
    media_type: str | None = None
    source: Source | None = None
    attachment: list[dict[str, Any]] | None = None
    tag: list[Tag] | None = None
    distinguished: bool | None = None
    sensitive: bool | None = None
    language: LanguageTag | None = None
    published: str | None = None
    updated: str | None = None


class ChatMessage(Shape, kw_only=True):
    type: str
    id: str
    attributed_to: str
    to: Urls
    context: Any = msgspec.field(default=None, name="@context")
    content: str | None = None
    media_type: str | None = None
    source: Source | None = None
    published: str | None = None
    updated: str | None = None


class Tombstone(Shape, kw_only=True):
    type: str
    id: str
    context: Any = msgspec.field(default=None, name="@context")
    former_type: str | None = None


class Attachment(Shape, kw_only=True):
    """One element of a Page's `attachment`: Link.href, Image.url or Document.url."""

    type: str
    href: str | None = None
    url: str | None = None
    name: str | None = None
    media_type: str | None = None
