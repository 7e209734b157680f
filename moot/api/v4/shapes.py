"""Rows into the JSON shapes of Lemmy 1.0's API v4 (the types of lemmy-js-client 1.0).

v4 renames moments (`published` → `published_at`) and `actor_id` → `ap_id`, carries each
object's counts in the object itself, and writes its enums in snake case (`hot`,
`moderator_view`). The same rows as v3's are read; only the keys differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from moot.api.v3.shapes import Json, Shape, stamp
from moot.db.engine import Row
from moot.db.paths import lemmy_path

_MOMENTS = {"published_at": "published", "updated_at": "updated"}

PERSON = Shape(
    (
        "id",
        "name",
        "published_at",
        "ap_id",
        "local",
        "last_refreshed_at",
        "deleted",
        "bot_account",
        "instance_id",
        "post_count",
        "comment_count",
    ),
    ("display_name", "avatar", "updated_at", "bio", "banner", "matrix_user_id"),
    renamed={**_MOMENTS, "ap_id": "actor_id"},
)
# The person's columns a view reads: the shape's, and the ban a PersonView tells.
PERSON_COLUMNS = (*PERSON.columns, "banned", "ban_expires")

COMMUNITY = Shape(
    (
        "id",
        "name",
        "removed",
        "published_at",
        "deleted",
        "nsfw",
        "ap_id",
        "local",
        "last_refreshed_at",
        "posting_restricted_to_mods",
        "instance_id",
        "visibility",
        "subscribers",
        "posts",
        "comments",
        "users_active_day",
        "users_active_week",
        "users_active_month",
        "users_active_half_year",
        "subscribers_local",
    ),
    ("title", "sidebar", "updated_at", "icon", "banner"),
    renamed={**_MOMENTS, "ap_id": "actor_id", "sidebar": "description"},
)
COMMUNITY_COLUMNS = COMMUNITY.columns

POST = Shape(
    (
        "id",
        "name",
        "creator_id",
        "community_id",
        "removed",
        "locked",
        "published_at",
        "deleted",
        "nsfw",
        "ap_id",
        "local",
        "language_id",
        "featured_community",
        "featured_local",
        "comments",
        "score",
        "upvotes",
        "downvotes",
    ),
    (
        "url",
        "body",
        "updated_at",
        "embed_title",
        "embed_description",
        "thumbnail_url",
        "embed_video_url",
        "url_content_type",
        "alt_text",
        "newest_comment_time_at",
    ),
    renamed={**_MOMENTS, "newest_comment_time_at": "newest_comment_time"},
)
# `tagged` says whether to read the post's tags (moot/db/tags.py); it is not shown.
POST_COLUMNS = (*POST.columns, "tagged")

COMMUNITY_TAG = Shape(
    ("id", "ap_id", "name", "community_id", "published_at", "deleted", "color"),
    ("display_name", "summary", "updated_at"),
    renamed=_MOMENTS,
)

_COMMENT = Shape(
    (
        "id",
        "creator_id",
        "post_id",
        "content",
        "removed",
        "published_at",
        "deleted",
        "ap_id",
        "local",
        "distinguished",
        "language_id",
        "score",
        "upvotes",
        "downvotes",
        "child_count",
        "locked",
    ),
    ("updated_at",),
    renamed=_MOMENTS,
)
COMMENT_COLUMNS = (*_COMMENT.columns, "path")

# The visibility v3 calls LocalOnly is v4's local_only_public (readable by local members).
_VISIBILITY = {"Public": "public", "LocalOnly": "local_only_public", "Private": "private"}


def snake(value: str) -> str:
    """A v3 enum value in v4's spelling: `ModeratorView` → `moderator_view`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", value).lower()


def _refreshed(out: Json) -> Json:
    """A local actor is never fetched again: its last refresh is its creation."""
    if out["last_refreshed_at"] is None:
        out["last_refreshed_at"] = out["published_at"]
    return out


def person(row: Mapping[str, Any]) -> Json:
    return _refreshed(PERSON(row))


def community(row: Mapping[str, Any]) -> Json:
    out = _refreshed(COMMUNITY(row))
    out["visibility"] = _VISIBILITY.get(str(out["visibility"]), "public")
    out["report_count"] = 0  # moot takes no reports about communities
    out["unresolved_report_count"] = 0
    out["local_removed"] = False
    return out


def post(row: Mapping[str, Any], reports: tuple[int, int]) -> Json:
    """`reports`: the post's reports, and how many of them are unresolved."""
    out = POST(row)
    out["report_count"], out["unresolved_report_count"] = reports
    out["federation_pending"] = False  # moot shows a post in a remote community at once
    return out


def comment(row: Mapping[str, Any], *, hide_content: bool, reports: tuple[int, int]) -> Json:
    out = _COMMENT(row)
    out["path"] = lemmy_path(row["path"])
    if hide_content:
        out["content"] = ""
    out["report_count"], out["unresolved_report_count"] = reports
    out["federation_pending"] = False
    return out


def instance(row: Row) -> Json:
    out: Json = {"id": row["id"], "domain": row["domain"], "published_at": moment(row["published"])}
    for key in ("software", "version"):
        if row.get(key):
            out[key] = row[key]
    if row.get("updated") is not None:
        out["updated_at"] = moment(row["updated"])
    return out


def community_tag(row: Mapping[str, Any]) -> Json:
    return COMMUNITY_TAG(row)


def moment(value: Any) -> Any:
    """A moment as the API writes it (text read from SQLite is already written so);
    anything else as it is."""
    return stamp(value) if isinstance(value, datetime) else value
