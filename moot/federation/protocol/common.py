"""Small shapes shared by actors, objects and activities."""

from __future__ import annotations

from typing import Any

import msgspec

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT: list[Any] = [
    "https://join-lemmy.org/context.json",
    "https://www.w3.org/ns/activitystreams",
]
ACTIVITY_JSON = "application/activity+json"


class Shape(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    """Base of every wire shape: camelCase keys, unknown keys ignored, absent keys None."""


class Source(Shape, kw_only=True):
    content: str
    media_type: str | None = None


class ImageRef(Shape, kw_only=True):
    url: str
    type: str | None = None
    name: str | None = None


class Endpoints(Shape, kw_only=True):
    shared_inbox: str | None = None


class PublicKey(Shape, kw_only=True):
    id: str
    owner: str
    public_key_pem: str


class LanguageTag(Shape, kw_only=True):
    identifier: str
    name: str


class Tag(Shape, kw_only=True):
    """A Mention, Hashtag or Emoji, or Lemmy 1.0's CommunityPostTag (in a Group's `tag`,
    the tags it offers; in a Page's, those the post carries): its `id`, its fixed name as
    `preferredUsername`, display name as `name`, summary as `content`, and `color`."""

    type: str | None = None
    id: str | None = None
    href: str | None = None
    name: str | None = None
    preferred_username: str | None = None
    content: str | None = None
    color: str | None = None


class PropertyValue(Shape, kw_only=True):
    """Mastodon's profile field; moot sends pronouns this way."""

    type: str
    name: str | None = None
    value: str | None = None


Urls = list[str] | str


def as_list(value: Urls | None) -> list[str]:
    """`to`, `cc` and friends may be one URL or a list of them."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def first_image(value: ImageRef | list[ImageRef] | None) -> str | None:
    if isinstance(value, list):
        return value[0].url if value else None
    return value.url if value is not None else None
