"""Collections: outbox, followers, featured and moderators."""

from __future__ import annotations

from typing import Any

import msgspec

from moot.federation.protocol.common import Shape


class OrderedCollection(Shape, kw_only=True):
    type: str
    id: str
    context: Any = msgspec.field(default=None, name="@context")
    total_items: int | None = None
    ordered_items: list[Any] | None = None


class Collection(Shape, kw_only=True):
    type: str
    id: str
    context: Any = msgspec.field(default=None, name="@context")
    total_items: int | None = None
    items: list[Any] | None = None
