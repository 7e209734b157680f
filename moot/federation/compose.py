"""The activities moot sends, composed as Lemmy 0.19 writes them (reference §4).

Each returns plain JSON (a dict) without `@context`: that is added once, when the activity
is sent or served, so an activity embedded in an Undo or an Announce carries none.
"""

from __future__ import annotations

from typing import Any

import msgspec

from moot.federation.protocol.common import CONTEXT, PUBLIC
from moot.federation.urls import new_activity_id

Json = dict[str, Any]


def document(shape: msgspec.Struct | Json) -> Json:
    """A top-level JSON-LD document: the shape with Lemmy's `@context` first."""
    body = shape if isinstance(shape, dict) else msgspec.to_builtins(shape)
    return {"@context": CONTEXT, **{k: v for k, v in body.items() if k != "@context"}}


def plain(shape: msgspec.Struct) -> Json:
    body: Json = msgspec.to_builtins(shape)
    body.pop("@context", None)
    return body


def create_or_update(
    kind: str, origin: str, actor: str, obj: Json, community: str, cc_extra: list[str], tag: Any
) -> Json:
    """Create or Update of a Page or Note, addressed as Lemmy addresses them."""
    out: Json = {
        "id": new_activity_id(origin, kind),
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "cc": [community, *cc_extra],
        "audience": community,
        "object": obj,
    }
    if tag:
        out["tag"] = tag
    return out


def vote(kind: str, origin: str, actor: str, object_id: str, community: str) -> Json:
    """Like or Dislike: Lemmy sends votes without `to` or `cc`."""
    return {
        "id": new_activity_id(origin, kind),
        "type": kind,
        "actor": actor,
        "object": object_id,
        "audience": community,
    }


def undo(origin: str, inner: Json) -> Json:
    """An Undo copies the addressing of what it undoes."""
    out: Json = {"id": new_activity_id(origin, "undo"), "type": "Undo", "actor": inner["actor"]}
    for key in ("to", "cc", "audience"):
        if key in inner:
            out[key] = inner[key]
    out["object"] = inner
    return out


def follow(origin: str, actor: str, community: str) -> Json:
    return {
        "id": new_activity_id(origin, "follow"),
        "type": "Follow",
        "actor": actor,
        "to": [community],
        "object": community,
    }


def accept(origin: str, community: str, received_follow: Json) -> Json:
    """Lemmy wants the whole Follow back, not its id."""
    inner = {k: v for k, v in received_follow.items() if k != "@context"}
    return {
        "id": new_activity_id(origin, "accept"),
        "type": "Accept",
        "actor": community,
        "to": [inner["actor"]],
        "object": inner,
    }


def delete(
    origin: str, actor: str, object_id: str, community: str, summary: str | None = None
) -> Json:
    out: Json = {
        "id": new_activity_id(origin, "delete"),
        "type": "Delete",
        "actor": actor,
        "to": [PUBLIC],
        "cc": [community],
        "audience": community,
        "object": object_id,
    }
    if summary is not None:
        out["summary"] = summary  # its presence makes it a moderator's removal
    return out


def delete_person(origin: str, actor: str, remove_data: bool) -> Json:
    return {
        "id": new_activity_id(origin, "delete"),
        "type": "Delete",
        "actor": actor,
        "to": [PUBLIC],
        "object": actor,
        "removeData": remove_data,
    }


def update_group(origin: str, actor: str, group: Json, community: str) -> Json:
    """Update{Group}: the actor is the moderator who edited it, not the community."""
    return {
        "id": new_activity_id(origin, "update"),
        "type": "Update",
        "actor": actor,
        "to": [PUBLIC],
        "cc": [community],
        "audience": community,
        "object": group,
    }


def announce(origin: str, community: str, inner: Json) -> Json:
    """FEP-1b12: the community passes the activity on unchanged, inside an Announce."""
    body = {k: v for k, v in inner.items() if k != "@context"}
    kind = str(body.get("type", "activity")).lower()
    return {
        "id": new_activity_id(origin, f"announce/{kind}"),
        "type": "Announce",
        "actor": community,
        "to": [PUBLIC],
        "cc": [f"{community}/followers"],
        "object": body,
    }
