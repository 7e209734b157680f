"""Bytes → wire shapes, with limits and a clear reason for every refusal."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from moot.federation.protocol.activities import ACTIVITY_TYPES, Activity
from moot.federation.protocol.actors import PERSON_TYPES, Application, Group, Person
from moot.federation.protocol.collections import Collection, OrderedCollection
from moot.federation.protocol.objects import ChatMessage, Note, Page, Tombstone

MAX_DEPTH = 32  # real activities nest 4 or 5 levels; JSON-LD contexts a few more
MAX_BODY = 256 * 1024

T = TypeVar("T", bound=msgspec.Struct)


class ParseError(ValueError):
    """The document is not something moot understands; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _depth(doc: Any) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(value, dict):
            stack.extend((v, level + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, level + 1) for v in value if isinstance(v, dict | list))
    return deepest


def decode(body: bytes, max_body: int = MAX_BODY) -> dict[str, Any]:
    """One JSON object, no bigger and no deeper than an activity ever is."""
    if len(body) > max_body:
        raise ParseError(f"body of {len(body)} bytes is over the limit of {max_body}")
    try:
        doc = msgspec.json.decode(body)
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply") from exc
    except msgspec.DecodeError as exc:
        raise ParseError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise ParseError("the document is not a JSON object")
    if _depth(doc) > MAX_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return doc


def convert(doc: Any, shape: type[T]) -> T:
    try:
        return msgspec.convert(doc, shape)
    except msgspec.ValidationError as exc:
        raise ParseError(f"not a valid {shape.__name__}: {exc}") from exc


def type_of(doc: Any) -> str:
    kind = doc.get("type") if isinstance(doc, dict) else None
    if not isinstance(kind, str):
        raise ParseError("the document has no `type`")
    return kind


def parse_activity(doc: dict[str, Any]) -> Activity:
    kind = type_of(doc)
    shape = ACTIVITY_TYPES.get(kind)
    if shape is None:
        raise ParseError(f"unknown activity type {kind!r}")
    return convert(doc, shape)


ObjectShape = (
    Person
    | Group
    | Application
    | Page
    | Note
    | ChatMessage
    | Tombstone
    | OrderedCollection
    | Collection
)


def parse_object(doc: dict[str, Any]) -> ObjectShape:
    """An actor, a post or comment, a private message, a tombstone or a collection."""
    kind = type_of(doc)
    if kind in PERSON_TYPES:
        return convert(doc, Person)
    shapes: dict[str, type[Any]] = {
        "Group": Group,
        "Application": Application,
        "Page": Page,
        "Article": Page,
        "Video": Page,
        "Event": Page,
        "Note": Note,
        "ChatMessage": ChatMessage,
        "Tombstone": Tombstone,
        "OrderedCollection": OrderedCollection,
        "Collection": Collection,
    }
    shape = shapes.get(kind)
    if shape is None:
        raise ParseError(f"unknown object type {kind!r}")
    found: ObjectShape = convert(doc, shape)
    return found


def parse(doc: dict[str, Any]) -> Activity | ObjectShape:
    """Whatever the document is, as its shape."""
    return parse_activity(doc) if type_of(doc) in ACTIVITY_TYPES else parse_object(doc)
