"""Request bodies and query values of API v4 (lemmy-js-client 1.0), and their v3 meaning.
Unknown keys are ignored."""

from __future__ import annotations

from typing import Literal

from moot.api.v3 import forms as v3
from moot.api.v3.forms import Form, Int32

ListingType = Literal["all", "local", "subscribed", "moderator_view", "suggested"]
PostSortType = Literal[
    "active", "hot", "new", "old", "top", "most_comments", "new_comments", "controversial", "scaled"
]
CommentSortType = Literal["hot", "top", "new", "old", "controversial"]

# v4 names a listing's type and sort in snake case; v3 (and moot's listings) in Pascal.
# A "suggested" feed is the site's suggested communities, which moot does not keep yet:
# it lists the local ones.
LISTING_TYPES = {
    "all": "All",
    "local": "Local",
    "subscribed": "Subscribed",
    "moderator_view": "ModeratorView",
    "suggested": "Local",
}
_SORTS = {
    "active": "Active",
    "hot": "Hot",
    "new": "New",
    "old": "Old",
    "most_comments": "MostComments",
    "new_comments": "NewComments",
    "controversial": "Controversial",
    "scaled": "Scaled",
}
# v4's "top" takes any window in seconds; moot ranks the windows Lemmy 0.19 named, so a
# window reads as the smallest named one that holds it (no window, or a longer one: all).
_TOP_WINDOWS = (
    (3600, "TopHour"),
    (6 * 3600, "TopSixHour"),
    (12 * 3600, "TopTwelveHour"),
    (86400, "TopDay"),
    (7 * 86400, "TopWeek"),
    (30 * 86400, "TopMonth"),
    (91 * 86400, "TopThreeMonths"),
    (182 * 86400, "TopSixMonths"),
    (273 * 86400, "TopNineMonths"),
    (365 * 86400, "TopYear"),
)


def post_sort(sort: str | None, time_range_seconds: int | None) -> str | None:
    if sort is None:
        return None
    if sort != "top":
        return _SORTS[sort]
    if time_range_seconds:
        for seconds, name in _TOP_WINDOWS:
            if time_range_seconds <= seconds:
                return name
    return "TopAll"


def top_window(v3_sort: str) -> int | None:
    """The window in seconds of one of v3's Top sorts (None for TopAll and the others)."""
    return next((seconds for seconds, name in _TOP_WINDOWS if name == v3_sort), None)


def comment_sort(sort: str | None) -> str | None:
    return None if sort is None else sort.capitalize()


def listing_type(value: str | None) -> str | None:
    return None if value is None else LISTING_TYPES[value]


class Login(Form, kw_only=True):
    username_or_email: str
    password: str
    totp_2fa_token: str | None = None
    stay_logged_in: bool | None = None


class CreatePostLike(Form, kw_only=True):
    post_id: Int32
    is_upvote: bool | None = None  # absent: the vote taken back


class CreateCommentLike(Form, kw_only=True):
    comment_id: Int32
    is_upvote: bool | None = None


def score(is_upvote: bool | None) -> int:
    return 0 if is_upvote is None else 1 if is_upvote else -1


class CreatePost(v3.CreatePost, kw_only=True):
    tags: list[Int32] | None = None  # ids of the community's tags


class EditPost(v3.EditPost, kw_only=True):
    tags: list[Int32] | None = None  # replaces the post's tags; absent, they stay
