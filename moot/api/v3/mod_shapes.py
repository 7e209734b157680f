"""Rows of the moderation tables in the JSON shapes of lemmy-js-client 0.19 (as shapes.py
does for the core rows): private messages, reports, registration applications, modlog."""

from __future__ import annotations

from dataclasses import dataclass

from moot.api.v3.shapes import Json, _pick, stamp
from moot.db.engine import Row


def private_message(row: Row) -> Json:
    return _pick(
        row,
        (
            "id",
            "creator_id",
            "recipient_id",
            "content",
            "deleted",
            "read",
            "published",
            "ap_id",
            "local",
            "removed",
        ),
        ("updated",),
    )


_REPORT = ("id", "creator_id", "reason", "resolved", "published")
_REPORT_OPTIONAL = ("resolver_id", "updated")


def post_report(row: Row) -> Json:
    return _pick(
        row,
        (*_REPORT, "post_id", "original_post_name"),
        (*_REPORT_OPTIONAL, "original_post_url", "original_post_body"),
    )


def comment_report(row: Row) -> Json:
    return _pick(row, (*_REPORT, "comment_id", "original_comment_text"), _REPORT_OPTIONAL)


def private_message_report(row: Row) -> Json:
    return _pick(row, (*_REPORT, "private_message_id", "original_pm_text"), _REPORT_OPTIONAL)


def registration_application(row: Row) -> Json:
    return _pick(row, ("id", "local_user_id", "answer", "published"), ("admin_id", "deny_reason"))


@dataclass(frozen=True)
class ModlogShape:
    """How one kind of modlog row looks in GetModlogResponse."""

    list_key: str  # the response's list
    row_key: str  # the row's key inside its view
    columns: tuple[str, ...]  # the row's id columns besides id and the moderator's
    flag: str | None = None  # what the row's boolean is called
    reason: bool = True
    expires: bool = False
    by_admin: bool = False  # purges and hiding name an `admin`, not a `moderator`
    targets: tuple[str, ...] = ()  # what the view shows beside the row
    # The row's key for who did it: `admin_person_id` in purges, `mod_person_id` elsewhere,
    # even in ModHideCommunity, which only an admin writes (lemmy-js-client 0.19.9's type).
    person_key: str = ""

    @property
    def actor_key(self) -> str:
        return self.person_key or ("admin_person_id" if self.by_admin else "mod_person_id")


MODLOG_SHAPES: dict[str, ModlogShape] = {
    "ModRemovePost": ModlogShape(
        "removed_posts", "mod_remove_post", ("post_id",), "removed", targets=("post", "community")
    ),
    "ModLockPost": ModlogShape(
        "locked_posts",
        "mod_lock_post",
        ("post_id",),
        "locked",
        reason=False,
        targets=("post", "community"),
    ),
    "ModFeaturePost": ModlogShape(
        "featured_posts",
        "mod_feature_post",
        ("post_id",),
        "featured",
        reason=False,
        targets=("post", "community"),
    ),
    "ModRemoveComment": ModlogShape(
        "removed_comments",
        "mod_remove_comment",
        ("comment_id",),
        "removed",
        targets=("comment", "commenter", "post", "community"),
    ),
    "ModRemoveCommunity": ModlogShape(
        "removed_communities",
        "mod_remove_community",
        ("community_id",),
        "removed",
        targets=("community",),
    ),
    "ModBanFromCommunity": ModlogShape(
        "banned_from_community",
        "mod_ban_from_community",
        ("other_person_id", "community_id"),
        "banned",
        expires=True,
        targets=("community", "banned_person"),
    ),
    "ModBan": ModlogShape(
        "banned",
        "mod_ban",
        ("other_person_id",),
        "banned",
        expires=True,
        targets=("banned_person",),
    ),
    "ModAddCommunity": ModlogShape(
        "added_to_community",
        "mod_add_community",
        ("other_person_id", "community_id"),
        "removed",
        reason=False,
        targets=("community", "modded_person"),
    ),
    "ModTransferCommunity": ModlogShape(
        "transferred_to_community",
        "mod_transfer_community",
        ("other_person_id", "community_id"),
        reason=False,
        targets=("community", "modded_person"),
    ),
    "ModAdd": ModlogShape(
        "added",
        "mod_add",
        ("other_person_id",),
        "removed",
        reason=False,
        targets=("modded_person",),
    ),
    "AdminPurgePerson": ModlogShape(
        "admin_purged_persons", "admin_purge_person", (), by_admin=True
    ),
    "AdminPurgeCommunity": ModlogShape(
        "admin_purged_communities", "admin_purge_community", (), by_admin=True
    ),
    "AdminPurgePost": ModlogShape(
        "admin_purged_posts",
        "admin_purge_post",
        ("community_id",),
        by_admin=True,
        targets=("community",),
    ),
    "AdminPurgeComment": ModlogShape(
        "admin_purged_comments",
        "admin_purge_comment",
        ("post_id",),
        by_admin=True,
        targets=("post",),
    ),
    "ModHideCommunity": ModlogShape(
        "hidden_communities",
        "mod_hide_community",
        ("community_id",),
        "hidden",
        by_admin=True,
        targets=("community",),
        person_key="mod_person_id",
    ),
}


def modlog_row(row: Row, shape: ModlogShape, *, hide_moderator: bool) -> Json:
    # Hiding a moderator's name also hides their id, which would name them as surely.
    mod_id = 0 if hide_moderator else row["mod_person_id"]
    out: Json = {"id": row["id"], shape.actor_key: mod_id}
    for column in shape.columns:
        out[column] = row[column]
    if shape.flag is not None:
        out[shape.flag] = row["flag"]
    if shape.reason and row["reason"]:
        out["reason"] = row["reason"]
    if shape.expires and row["expires"] is not None:
        out["expires"] = stamp(row["expires"])
    if shape.row_key == "mod_feature_post":
        out["is_featured_community"] = row["is_featured_community"]
    out["when_"] = stamp(row["when_"])
    return out
