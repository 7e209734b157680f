"""Activities, each as Lemmy 0.19 sends and accepts it (reference §4)."""

from __future__ import annotations

from typing import Any

import msgspec

from moot.federation.protocol.common import Shape, Tag, Urls

# An embedded object or activity is kept as JSON here and parsed by its own `type` later:
# msgspec cannot choose between several Structs without a tag, and the inner shape of an
# Announce must be passed on exactly as received.
Embedded = dict[str, Any]


class Activity(Shape, kw_only=True):
    id: str
    type: str
    actor: str
    context: Any = msgspec.field(default=None, name="@context")
    to: Urls | None = None
    cc: Urls | None = None
    audience: str | None = None


class Follow(Activity, kw_only=True):
    object: str


class Accept(Activity, kw_only=True):
    # Lemmy requires the whole Follow here, not its URL.
    object: Embedded | str


class Reject(Activity, kw_only=True):
    object: Embedded | str


class Undo(Activity, kw_only=True):
    object: Embedded | str


class Create(Activity, kw_only=True):
    object: Embedded | str
    tag: list[Tag] | None = None


class Update(Activity, kw_only=True):
    object: Embedded | str
    tag: list[Tag] | None = None


class Delete(Activity, kw_only=True):
    # A URL, or (Mastodon) an embedded Tombstone or object with an id.
    object: Embedded | str
    # Present (even empty) means a moderator's removal, not the author's deletion.
    summary: str | None = None
    remove_data: bool | None = None


class Like(Activity, kw_only=True):
    object: str


class Dislike(Activity, kw_only=True):
    object: str


class Announce(Activity, kw_only=True):
    object: Embedded | str


class Lock(Activity, kw_only=True):
    object: str
    summary: str | None = None


class Add(Activity, kw_only=True):
    object: str
    target: str


class Remove(Activity, kw_only=True):
    object: str
    target: str


class Block(Activity, kw_only=True):
    object: str
    target: str
    summary: str | None = None
    remove_data: bool | None = None
    expires: str | None = None
    end_time: str | None = None


class Flag(Activity, kw_only=True):
    # Mbin and Mastodon send a list, of which the first post or comment counts.
    object: list[str] | str
    summary: str | None = None
    content: str | None = None


class Resolve(Activity, kw_only=True):
    """Lemmy 1.0's report resolution: parsed so the sample is understood, not acted on."""

    object: Embedded | str


class Warn(Activity, kw_only=True):
    """Lemmy 1.0's moderator warning, sent to the warned author's inbox."""

    object: str
    summary: str | None = None


ACTIVITY_TYPES: dict[str, type[Activity]] = {
    cls.__name__: cls
    for cls in (
        Follow,
        Accept,
        Reject,
        Undo,
        Create,
        Update,
        Delete,
        Like,
        Dislike,
        Announce,
        Lock,
        Add,
        Remove,
        Block,
        Flag,
        Resolve,
        Warn,
    )
}
