"""Rows into the JSON shapes of Lemmy 0.19's API (the types of lemmy-js-client).

Each function names the keys of one shape explicitly: that list is the contract. Optional
keys are left out when empty, as Lemmy's `skip_serializing_none` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from moot.db import models as m
from moot.db.engine import Row
from moot.db.paths import lemmy_path
from moot.db.types import UtcDateTime

Json = dict[str, Any]


def stamp(value: datetime | None) -> str | None:
    """RFC 3339 with a `Z` and always six digits of microseconds, as chrono writes it."""
    if value is None:
        return None
    text = value.isoformat()  # the quick form: no fraction at .000000
    if text.endswith("+00:00"):
        return f"{text[:-6]}Z" if len(text) == 32 else f"{text[:-6]}.000000Z"
    return value.isoformat(timespec="microseconds").replace("+00:00", "Z")


# Columns holding a moment (UtcDateTime): their values are written with `stamp`.
_TIMES = frozenset(
    column.name
    for table in m.metadata.tables.values()
    for column in table.columns
    if isinstance(column.type, UtcDateTime)
)


class Shape:
    """A JSON object picked from a row: the `required` keys always, the `optional` ones
    when neither None nor "" (Lemmy's `skip_serializing_none`). The row's columns may carry
    a `prefix` (`u_name` for the creator's name, moot/db/around.py).

    Moments are left as datetimes for msgspec to write when the answer is encoded: it
    writes `2020-09-02T13:05:07.123456Z` as `stamp` does, in C. Only a whole second is
    stamped here, as msgspec would leave out its `.000000` (tests/reads/test_moments.py).
    A moment the statement already wrote as text (`Around.moments_as_text`) is kept.

    Built once per shape: a page of 20 posts picks ~100 objects (a thread's tree ~900),
    so each shape is turned into a plain function of the row (`_picker`) that reads every
    key by name, with no loop, zip or test of which keys are moments left for each object
    (half the time of `dict(zip(keys, itemgetter(…)(row)))`)."""

    def __init__(
        self,
        required: Sequence[str],
        optional: Sequence[str] = (),
        prefix: str = "",
        renamed: Mapping[str, str] | None = None,
    ):
        self.required, self.optional = tuple(required), tuple(optional)
        # key → the column it is read from, where they differ (API v4's `published_at`
        # is the `published` column).
        self.renamed = dict(renamed or {})
        self._pick = _picker(self.required, self.optional, prefix, self.renamed)

    def prefixed(self, prefix: str) -> Shape:
        return Shape(self.required, self.optional, prefix, self.renamed)

    @property
    def columns(self) -> tuple[str, ...]:
        """The row's columns the shape reads."""
        return tuple(self.renamed.get(key, key) for key in (*self.required, *self.optional))

    def __call__(self, row: Mapping[str, Any]) -> Json:
        return self._pick(row)


def _picker(
    required: tuple[str, ...], optional: tuple[str, ...], prefix: str, renamed: dict[str, str]
) -> Callable[[Mapping[str, Any]], Json]:
    """The source of a function picking the shape from a row, compiled. Keys and columns
    are written as literals (`repr`); they are moot's own column names, never input."""
    lines = ["def pick(row):", "    out = {"]
    lines += [f"        {key!r}: row[{prefix + renamed.get(key, key)!r}]," for key in required]
    lines.append("    }")
    for key in required:
        if renamed.get(key, key) in _TIMES:
            lines.append(f"    value = out[{key!r}]")
            lines.append("    if value.__class__ is datetime and not value.microsecond:")
            lines.append(f"        out[{key!r}] = stamp(value)")
    for key in optional:
        lines.append(f"    value = row.get({prefix + renamed.get(key, key)!r})")
        if renamed.get(key, key) in _TIMES:
            lines.append("    if value is not None:")
            lines.append(
                f"        out[{key!r}] = stamp(value) "
                "if value.__class__ is datetime and not value.microsecond else value"
            )
        else:
            lines.append('    if value is not None and value != "":')
            lines.append(f"        out[{key!r}] = value")
    lines.append("    return out")
    scope: dict[str, Any] = {"stamp": stamp, "datetime": datetime}
    exec("\n".join(lines), scope)  # the text above, built from constants
    pick: Callable[[Mapping[str, Any]], Json] = scope["pick"]
    return pick


@cache
def _shape(required: tuple[str, ...], optional: tuple[str, ...]) -> Shape:
    return Shape(required, optional)


def _pick(
    row: Mapping[str, Any], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Json:
    return _shape(required, optional)(row)


_PERSON_REQUIRED = (
    "id",
    "name",
    "banned",
    "published",
    "actor_id",
    "local",
    "deleted",
    "bot_account",
    "instance_id",
)
_PERSON_OPTIONAL = (
    "display_name",
    "avatar",
    "updated",
    "bio",
    "banner",
    "matrix_user_id",
    "ban_expires",
)
# moot's pronouns travel as an extra field; Lemmy clients ignore unknown keys.
PERSON = Shape(_PERSON_REQUIRED, (*_PERSON_OPTIONAL, "pronouns"))
# The columns `person` reads: what a view's query selects for it.
PERSON_COLUMNS = (*PERSON.required, *PERSON.optional)


def person(row: Row) -> Json:
    return PERSON(row)


def person_counts(row: Row) -> Json:
    return {
        "person_id": row["id"],
        "post_count": row["post_count"],
        "comment_count": row["comment_count"],
    }


def person_view(row: Row, is_admin: bool) -> Json:
    return {"person": person(row), "counts": person_counts(row), "is_admin": is_admin}


_COMMUNITY_REQUIRED = (
    "id",
    "name",
    "title",
    "removed",
    "published",
    "deleted",
    "nsfw",
    "actor_id",
    "local",
    "hidden",
    "posting_restricted_to_mods",
    "instance_id",
    "visibility",
)
COMMUNITY = Shape(_COMMUNITY_REQUIRED, ("description", "updated", "icon", "banner"))
COMMUNITY_COLUMNS = (*COMMUNITY.required, *COMMUNITY.optional)


def community(row: Row) -> Json:
    out = COMMUNITY(row)
    # v3 knows no private communities: one reads as Public (its content is still kept
    # from non-followers), and a v3 edit that sends that back keeps it private.
    if out["visibility"] == "Private":
        out["visibility"] = "Public"
    return out


def community_counts(row: Row) -> Json:
    out = _pick(
        row,
        (
            "subscribers",
            "posts",
            "comments",
            "published",
            "users_active_day",
            "users_active_week",
            "users_active_month",
            "users_active_half_year",
            "subscribers_local",
        ),
    )
    return {"community_id": row["id"], **out}


_POST_REQUIRED = (
    "id",
    "name",
    "creator_id",
    "community_id",
    "removed",
    "locked",
    "published",
    "deleted",
    "nsfw",
    "ap_id",
    "local",
    "language_id",
    "featured_community",
    "featured_local",
)
_POST_OPTIONAL = (
    "url",
    "body",
    "updated",
    "embed_title",
    "embed_description",
    "thumbnail_url",
    "embed_video_url",
    "url_content_type",
    "alt_text",
)
_POST_COUNTS = ("comments", "score", "upvotes", "downvotes", "published", "newest_comment_time")
# The columns `post` and `post_counts` read.
POST_COLUMNS = (
    *_POST_REQUIRED,
    *_POST_OPTIONAL,
    "comments",
    "score",
    "upvotes",
    "downvotes",
    "newest_comment_time",
)


POST = Shape(_POST_REQUIRED, _POST_OPTIONAL)
_POST_COUNTS_SHAPE = Shape(_POST_COUNTS)


def post(row: Row) -> Json:
    return POST(row)


def post_counts(row: Row) -> Json:
    return {"post_id": row["id"], **_POST_COUNTS_SHAPE(row)}


_COMMENT = Shape(
    (
        "id",
        "creator_id",
        "post_id",
        "content",
        "removed",
        "published",
        "deleted",
        "ap_id",
        "local",
        "distinguished",
        "language_id",
    ),
    ("updated",),
)
# The columns `comment` and `comment_counts` read.
COMMENT_COLUMNS = (
    *_COMMENT.required,
    *_COMMENT.optional,
    "path",
    "score",
    "upvotes",
    "downvotes",
    "child_count",
)


def comment(row: Row, *, hide_content: bool) -> Json:
    out = _COMMENT(row)
    out["path"] = lemmy_path(row["path"])
    if hide_content:
        out["content"] = ""
    return out


def comment_counts(row: Row, published: str | datetime | None = None) -> Json:
    """`published`: the comment's, as the view's comment has it (see `Shape`)."""
    return {
        "comment_id": row["id"],
        "score": row["score"],
        "upvotes": row["upvotes"],
        "downvotes": row["downvotes"],
        "published": published or stamp(row["published"]),
        "child_count": row["child_count"],
    }


def instance(row: Row) -> Json:
    return _pick(row, ("id", "domain", "published"), ("updated", "software", "version"))


LOCAL_USER_KEYS = (
    "id",
    "person_id",
    "show_nsfw",
    "theme",
    "default_sort_type",
    "default_listing_type",
    "interface_language",
    "show_avatars",
    "send_notifications_to_email",
    "show_scores",
    "show_bot_accounts",
    "show_read_posts",
    "email_verified",
    "accepted_application",
    "open_links_in_new_tab",
    "blur_nsfw",
    "auto_expand",
    "infinite_scroll_enabled",
    "admin",
    "post_listing_mode",
    "totp_2fa_enabled",
    "enable_keyboard_navigation",
    "enable_animated_images",
    "collapse_bot_comments",
    "last_donation_notification",
)


def local_user(row: Row) -> Json:
    return _pick(row, LOCAL_USER_KEYS, ("email",))


def login_token(row: Row) -> Json:
    """A session of the viewer's; the token itself is never shown."""
    return _pick(row, ("user_id", "published"), ("ip", "user_agent"))


def vote_display_mode(row: Row) -> Json:
    return {
        "local_user_id": row["id"],
        "score": row["vote_display_score"],
        "upvotes": row["vote_display_upvotes"],
        "downvotes": row["vote_display_downvotes"],
        "upvote_percentage": row["vote_display_upvote_percentage"],
    }


def site(row: Row) -> Json:
    return _pick(
        row,
        (
            "id",
            "name",
            "published",
            "actor_id",
            "last_refreshed_at",
            "inbox_url",
            "public_key",
            "instance_id",
        ),
        ("sidebar", "updated", "icon", "banner", "description", "content_warning"),
    )


LOCAL_SITE_KEYS = (
    "id",
    "site_id",
    "site_setup",
    "enable_downvotes",
    "enable_nsfw",
    "community_creation_admin_only",
    "require_email_verification",
    "private_instance",
    "default_theme",
    "default_post_listing_type",
    "hide_modlog_mod_names",
    "application_email_admins",
    "actor_name_max_length",
    "federation_enabled",
    "captcha_enabled",
    "captcha_difficulty",
    "published",
    "registration_mode",
    "reports_email_admins",
    "federation_signed_fetch",
    "default_post_listing_mode",
    "default_sort_type",
)
RATE_LIMIT_BUCKETS = (
    "message",
    "post",
    "register",
    "image",
    "comment",
    "search",
    "import_user_settings",
)


def local_site(row: Row) -> Json:
    out = _pick(
        row,
        LOCAL_SITE_KEYS,
        ("application_question", "legal_information", "slur_filter_regex", "updated"),
    )
    # Lemmy 0.19 has no invitation mode: to its clients the site is closed to strangers.
    if out["registration_mode"] == "RequireInvitation":
        out["registration_mode"] = "Closed"
    return out


def local_site_rate_limit(row: Row) -> Json:
    out: Json = {"local_site_id": row["id"]}
    for bucket in RATE_LIMIT_BUCKETS:
        out[bucket] = row[f"rate_limit_{bucket}"]
        out[f"{bucket}_per_second"] = row[f"rate_limit_{bucket}_per_second"]
    out["published"] = stamp(row["rate_limit_published"])
    if row.get("rate_limit_updated") is not None:
        out["updated"] = stamp(row["rate_limit_updated"])
    return out


def tagline(row: Row) -> Json:
    return _pick(row, ("id", "local_site_id", "content", "published"), ("updated",))


def blocked_url(row: Row) -> Json:
    return _pick(row, ("id", "url", "published"), ("updated",))


def custom_emoji(row: Row) -> Json:
    return _pick(
        row,
        ("id", "local_site_id", "shortcode", "image_url", "alt_text", "category", "published"),
        ("updated",),
    )
