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


def accept(origin: str, followed: str, received_follow: Json) -> Json:
    """From the community or person followed; Lemmy wants the whole Follow back, not its id."""
    inner = {k: v for k, v in received_follow.items() if k != "@context"}
    return {
        "id": new_activity_id(origin, "accept"),
        "type": "Accept",
        "actor": followed,
        "to": [inner["actor"]],
        "object": inner,
    }


def reject(origin: str, followed: str, follow: Json) -> Json:
    """A denied follow (Lemmy 1.0): the Follow embedded, as in an Accept."""
    return {
        **accept(origin, followed, follow),
        "id": new_activity_id(origin, "reject"),
        "type": "Reject",
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


def post_for_mastodon(inner: Json) -> Json:
    """The post of a Create or Update, with the author as its `actor`: what Lemmy's second
    Announce carries (reference §4), since Mastodon and Pleroma boost an Announce of a bare
    Page and ignore Announce{Create{Page}}."""
    post = {k: v for k, v in inner["object"].items() if k != "@context"}
    return {**post, "actor": inner["actor"]}


def _moderation(kind: str, origin: str, actor: str, object_id: str, community: str) -> Json:
    """The addressing every community-scoped moderator activity shares."""
    return {
        "id": new_activity_id(origin, kind),
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "cc": [community],
        "audience": community,
        "object": object_id,
    }


def lock(origin: str, actor: str, post_id: str, community: str) -> Json:
    """Lemmy's own `Lock` type; unlocking is an Undo of a new one."""
    return _moderation("Lock", origin, actor, post_id, community)


def lock_comment(
    origin: str, actor: str, comment_id: str, community: str, summary: str | None = None
) -> Json:
    """Lemmy 1.0's `Lock` of a comment (lock_note.json): addressed to the community as well
    as the public, with the moderator's reason as `summary`."""
    out = _moderation("Lock", origin, actor, comment_id, community)
    out["to"] = [community, PUBLIC]
    if summary:
        out["summary"] = summary
    return out


def warn(
    origin: str, actor: str, object_id: str, recipient: str, community: str, summary: str
) -> Json:
    """Lemmy 1.0's `Warn` (warn.json): to the warned author alone, about their post or
    comment, with the moderator's reason; `audience` names the community."""
    return {
        "id": new_activity_id(origin, "warn"),
        "type": "Warn",
        "actor": actor,
        "to": [recipient],
        "object": object_id,
        "summary": summary,
        "audience": community,
    }


def collection_change(
    kind: str, origin: str, actor: str, object_id: str, target: str, community: str
) -> Json:
    """Add or Remove of a moderator (target: the moderators collection) or of a featured
    post (target: the featured collection)."""
    return {**_moderation(kind, origin, actor, object_id, community), "target": target}


def block(
    origin: str,
    actor: str,
    person: str,
    target: str,
    cc: list[str],
    *,
    community: str | None,
    remove_data: bool | None,
    summary: str | None,
    expires: str | None,
) -> Json:
    """A ban: from a community (target and cc the community) or from the site (target the
    site actor, cc every known remote site). Lemmy sends the expiry under both names."""
    out: Json = {
        "id": new_activity_id(origin, "block"),
        "type": "Block",
        "actor": actor,
        "to": [PUBLIC],
        "cc": cc,
        "object": person,
        "target": target,
    }
    if community is not None:
        out["audience"] = community
    if remove_data is not None:
        out["removeData"] = remove_data
    if summary is not None:
        out["summary"] = summary
    if expires is not None:
        out["expires"] = expires
        out["endTime"] = expires
    return out


def undo_block(origin: str, inner: Json, restore_data: bool) -> Json:
    """Lifting a ban: `restoreData` asks receivers to restore what the ban removed."""
    return {**undo(origin, inner), "restoreData": restore_data}


def flag(origin: str, actor: str, object_id: str, community: str, reason: str) -> Json:
    """A report: to the community only, never announced."""
    return {
        "id": new_activity_id(origin, "flag"),
        "type": "Flag",
        "actor": actor,
        "to": [community],
        "object": object_id,
        "summary": reason,
        "audience": community,
    }


def private_message(kind: str, origin: str, actor: str, message: Json, recipient: str) -> Json:
    """Create or Update of a ChatMessage, addressed to its one recipient."""
    return {
        "id": new_activity_id(origin, kind),
        "type": kind,
        "actor": actor,
        "to": [recipient],
        "object": message,
    }


def delete_private_message(origin: str, actor: str, message_id: str, recipient: str) -> Json:
    return {
        "id": new_activity_id(origin, "delete"),
        "type": "Delete",
        "actor": actor,
        "to": [recipient],
        "object": message_id,
    }
