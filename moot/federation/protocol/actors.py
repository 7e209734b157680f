"""Actors: Person (users), Group (communities), Application (the instance itself)."""

from __future__ import annotations

from typing import Any

import msgspec

from moot.federation.protocol.common import (
    Endpoints,
    ImageRef,
    LanguageTag,
    PublicKey,
    Shape,
    Source,
    Tag,
)

PERSON_TYPES = ("Person", "Service", "Organization")


class Person(Shape, kw_only=True):
    # Required by Lemmy when receiving: type, id, preferredUsername, inbox, outbox, publicKey.
    type: str
    id: str
    preferred_username: str
    inbox: str
    outbox: str
    public_key: PublicKey
    context: Any = msgspec.field(default=None, name="@context")
    name: str | None = None
    summary: str | None = None
    source: Source | None = None
    icon: ImageRef | list[ImageRef] | None = None
    image: ImageRef | list[ImageRef] | None = None
    matrix_user_id: str | None = None
    endpoints: Endpoints | None = None
    # Mastodon-style profile fields (PropertyValue); moot's pronouns travel here.
    attachment: list[dict[str, Any]] | None = None
    published: str | None = None
    updated: str | None = None


class Group(Shape, kw_only=True):
    type: str
    id: str
    preferred_username: str
    inbox: str
    outbox: str
    public_key: PublicKey
    context: Any = msgspec.field(default=None, name="@context")
    name: str | None = None
    summary: str | None = None
    source: Source | None = None
    icon: ImageRef | list[ImageRef] | None = None
    image: ImageRef | list[ImageRef] | None = None
    sensitive: bool | None = None
    posting_restricted_to_mods: bool | None = None
    # Lemmy 1.0: true for a private community, whose follows wait for a moderator.
    manually_approves_followers: bool | None = None
    followers: str | None = None
    featured: str | None = None
    # Lemmy puts the moderators collection's URL here; PeerTube a list of {type, id}.
    attributed_to: str | list[Any] | None = None
    endpoints: Endpoints | None = None
    language: list[LanguageTag] | None = None
    # Lemmy 1.0: the community's post tags (CommunityPostTag).
    tag: list[Tag] | None = None
    published: str | None = None
    updated: str | None = None


class Application(Shape, kw_only=True):
    # Required by Lemmy: name, inbox, outbox, publicKey, published.
    type: str
    id: str
    name: str
    inbox: str
    outbox: str
    public_key: PublicKey
    context: Any = msgspec.field(default=None, name="@context")
    preferred_username: str | None = None
    summary: str | None = None
    content: str | None = None
    media_type: str | None = None
    source: Source | None = None
    icon: ImageRef | list[ImageRef] | None = None
    image: ImageRef | list[ImageRef] | None = None
    language: list[LanguageTag] | None = None
    # Lemmy's one snake_case key.
    content_warning: str | None = msgspec.field(default=None, name="content_warning")
    endpoints: Endpoints | None = None
    published: str | None = None
    updated: str | None = None
