"""The JSON objects moot sends, as lists of fields: which column each key comes from, and
whether it is a boolean (SQLite gives 0/1), a time (formatted by the database as moot
writes it, `2026-12-03T18:00:00.123456Z`) or optional (left out when NULL or "").

The key order of each list is the order of moot's bytes (moot/api/v3/shapes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Field:
    key: str
    column: str
    boolean: bool
    time: bool
    optional: bool


def f(key: str, kind: str = "", column: str | None = None) -> Field:
    """A field; `kind` holds b (boolean), t (time), o (optional)."""
    return Field(key, column or key, "b" in kind, "t" in kind, "o" in kind)


def time_sql(expr: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"""to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    # SQLite holds naive UTC text, `2026-12-03 18:00:00.123456` (or without the fraction).
    return f"substr(replace({expr}, ' ', 'T') || '.000000', 1, 26) || 'Z'"


class Shape:
    def __init__(self, *fields: Field) -> None:
        self.fields = fields

    def __len__(self) -> int:
        return len(self.fields)

    def columns(self, alias: str, dialect: str) -> list[str]:
        """The select list, in field order."""
        out = []
        for field in self.fields:
            expr = f"{alias}.{field.column}" if alias else field.column
            out.append(time_sql(expr, dialect) if field.time else expr)
        return out

    def reader(self, dialect: str) -> Callable[[Sequence[Any], int], Json]:
        """row, first column's index → the object."""
        plan = [
            (field.key, i, field.optional, field.boolean and dialect == "sqlite")
            for i, field in enumerate(self.fields)
        ]

        def read(row: Sequence[Any], start: int) -> Json:
            out: Json = {}
            for key, i, optional, boolean in plan:
                value = row[start + i]
                if optional and (value is None or value == ""):
                    continue
                out[key] = bool(value) if boolean else value
            return out

        return read


PERSON = Shape(
    f("id"),
    f("name"),
    f("banned", "b"),
    f("published", "t"),
    f("actor_id"),
    f("local", "b"),
    f("deleted", "b"),
    f("bot_account", "b"),
    f("instance_id"),
    f("display_name", "o"),
    f("avatar", "o"),
    f("updated", "to"),
    f("bio", "o"),
    f("banner", "o"),
    f("matrix_user_id", "o"),
    f("ban_expires", "to"),
    f("pronouns", "o"),
)

COMMUNITY = Shape(
    f("id"),
    f("name"),
    f("title"),
    f("removed", "b"),
    f("published", "t"),
    f("deleted", "b"),
    f("nsfw", "b"),
    f("actor_id"),
    f("local", "b"),
    f("hidden", "b"),
    f("posting_restricted_to_mods", "b"),
    f("instance_id"),
    f("visibility"),
    f("description", "o"),
    f("updated", "to"),
    f("icon", "o"),
    f("banner", "o"),
)

POST = Shape(
    f("id"),
    f("name"),
    f("creator_id"),
    f("community_id"),
    f("removed", "b"),
    f("locked", "b"),
    f("published", "t"),
    f("deleted", "b"),
    f("nsfw", "b"),
    f("ap_id"),
    f("local", "b"),
    f("language_id"),
    f("featured_community", "b"),
    f("featured_local", "b"),
    f("url", "o"),
    f("body", "o"),
    f("updated", "to"),
    f("embed_title", "o"),
    f("embed_description", "o"),
    f("thumbnail_url", "o"),
    f("embed_video_url", "o"),
    f("url_content_type", "o"),
    f("alt_text", "o"),
)

POST_COUNTS = Shape(
    f("post_id", column="id"),
    f("comments"),
    f("score"),
    f("upvotes"),
    f("downvotes"),
    f("published", "t"),
    f("newest_comment_time", "t"),
)

# `path` is added by the route (Lemmy's dotted form); `content` emptied when gone.
COMMENT = Shape(
    f("id"),
    f("creator_id"),
    f("post_id"),
    f("content"),
    f("removed", "b"),
    f("published", "t"),
    f("deleted", "b"),
    f("ap_id"),
    f("local", "b"),
    f("distinguished", "b"),
    f("language_id"),
    f("updated", "to"),
)

COMMENT_COUNTS = Shape(
    f("comment_id", column="id"),
    f("score"),
    f("upvotes"),
    f("downvotes"),
    f("published", "t"),
    f("child_count"),
)

SITE = Shape(
    f("id"),
    f("name"),
    f("published", "t"),
    f("actor_id"),
    f("last_refreshed_at", "t"),
    f("inbox_url"),
    f("public_key"),
    f("instance_id"),
    f("sidebar", "o"),
    f("updated", "to"),
    f("icon", "o"),
    f("banner", "o"),
    f("description", "o"),
    f("content_warning", "o"),
)

LOCAL_SITE = Shape(
    f("id"),
    f("site_id"),
    f("site_setup", "b"),
    f("enable_downvotes", "b"),
    f("enable_nsfw", "b"),
    f("community_creation_admin_only", "b"),
    f("require_email_verification", "b"),
    f("private_instance", "b"),
    f("default_theme"),
    f("default_post_listing_type"),
    f("hide_modlog_mod_names", "b"),
    f("application_email_admins", "b"),
    f("actor_name_max_length"),
    f("federation_enabled", "b"),
    f("captcha_enabled", "b"),
    f("captcha_difficulty"),
    f("published", "t"),
    f("registration_mode"),
    f("reports_email_admins", "b"),
    f("federation_signed_fetch", "b"),
    f("default_post_listing_mode"),
    f("default_sort_type"),
    f("application_question", "o"),
    f("legal_information", "o"),
    f("slur_filter_regex", "o"),
    f("updated", "to"),
)

_BUCKETS = ("message", "post", "register", "image", "comment", "search", "import_user_settings")
RATE_LIMIT = Shape(
    f("local_site_id", column="id"),
    *[
        field
        for bucket in _BUCKETS
        for field in (
            f(bucket, column=f"rate_limit_{bucket}"),
            f(f"{bucket}_per_second", column=f"rate_limit_{bucket}_per_second"),
        )
    ],
    f("published", "t", column="rate_limit_published"),
    f("updated", "to", column="rate_limit_updated"),
)

SITE_TOTALS = Shape(f("users"), f("posts"), f("comments"), f("communities"))

PERSON_COUNTS = Shape(f("person_id", column="id"), f("post_count"), f("comment_count"))

LANGUAGE = Shape(f("id"), f("code"), f("name"))

TAGLINE = Shape(f("id"), f("local_site_id"), f("content"), f("published", "t"), f("updated", "to"))

CUSTOM_EMOJI = Shape(
    f("id"),
    f("local_site_id"),
    f("shortcode"),
    f("image_url"),
    f("alt_text"),
    f("category"),
    f("published", "t"),
    f("updated", "to"),
)

EMOJI_KEYWORD = Shape(f("custom_emoji_id"), f("keyword"))

BLOCKED_URL = Shape(f("id"), f("url"), f("published", "t"), f("updated", "to"))


def lemmy_path(path: str) -> str:
    """`0000000012` + `0000000345` → `0.12.345`."""
    return "0." + ".".join(str(int(path[i : i + 10])) for i in range(0, len(path), 10))


def subscription(pending: bool | None) -> str:
    """A follow's state as Lemmy writes it, from its `pending` flag (None: no follow)."""
    return "NotSubscribed" if pending is None else "Pending" if pending else "Subscribed"
