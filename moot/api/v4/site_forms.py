"""API v4's CreateSite and EditSite (lemmy-js-client 1.0), and the EditSite changes of v3's
names they stand for: the site is saved by v3's `save_site`, whichever API asked.

Settings of 1.0 that moot does not keep (image modes and sizes,
upvote modes, invitations, suggested multi-communities…) are accepted and ignored, as
unknown keys are; what moot keeps is renamed (`summary` → `description`, the rate limits'
`_max_requests` and `_interval_seconds`, snake-case enums → Pascal)."""

from __future__ import annotations

from typing import Any, Literal

from moot.api.v3.forms import Form, Int32
from moot.api.v4 import forms
from moot.errors import ApiError, ErrorCode

RegistrationMode = Literal["closed", "require_application", "require_invitation", "open"]
PostListingMode = Literal["list", "card", "small_card"]
FederationMode = Literal["all", "local", "disable"]
_BUCKETS = ("message", "post", "register", "image", "comment", "search", "import_user_settings")
# Renamed one to one; the enums and rate limits are mapped below.
_RENAMED = {
    "summary": "description",
    "email_verification_required": "require_email_verification",
}
_AS_IS = (
    "name",
    "sidebar",
    "community_creation_admin_only",
    "application_question",
    "private_instance",
    "default_theme",
    "legal_information",
    "application_email_admins",
    "discussion_languages",
    "slur_filter_regex",
    "federation_enabled",
    "blocked_urls",
    "reports_email_admins",
    "content_warning",
    "oauth_registration",
)


class EditSite(Form, kw_only=True):
    name: str | None = None
    sidebar: str | None = None
    summary: str | None = None
    community_creation_admin_only: bool | None = None
    email_verification_required: bool | None = None
    application_question: str | None = None
    private_instance: bool | None = None
    default_theme: str | None = None
    default_post_listing_type: forms.ListingType | None = None
    default_post_listing_mode: PostListingMode | None = None
    default_post_sort_type: forms.PostSortType | None = None
    default_post_time_range_seconds: Int32 | None = None
    legal_information: str | None = None
    application_email_admins: bool | None = None
    discussion_languages: list[Int32] | None = None
    slur_filter_regex: str | None = None
    rate_limit_message_max_requests: Int32 | None = None
    rate_limit_message_interval_seconds: Int32 | None = None
    rate_limit_post_max_requests: Int32 | None = None
    rate_limit_post_interval_seconds: Int32 | None = None
    rate_limit_register_max_requests: Int32 | None = None
    rate_limit_register_interval_seconds: Int32 | None = None
    rate_limit_image_max_requests: Int32 | None = None
    rate_limit_image_interval_seconds: Int32 | None = None
    rate_limit_comment_max_requests: Int32 | None = None
    rate_limit_comment_interval_seconds: Int32 | None = None
    rate_limit_search_max_requests: Int32 | None = None
    rate_limit_search_interval_seconds: Int32 | None = None
    rate_limit_import_user_settings_max_requests: Int32 | None = None
    rate_limit_import_user_settings_interval_seconds: Int32 | None = None
    federation_enabled: bool | None = None
    blocked_urls: list[str] | None = None
    registration_mode: RegistrationMode | None = None
    reports_email_admins: bool | None = None
    content_warning: str | None = None
    post_downvotes: FederationMode | None = None
    comment_downvotes: FederationMode | None = None
    nsfw_content_disallowed: bool | None = None
    oauth_registration: bool | None = None


class CreateSite(EditSite, kw_only=True):
    name: str


def _pascal(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


def changes(data: EditSite) -> dict[str, Any]:
    """The EditSite changes (v3's names and values) that `data` asks for."""
    out: dict[str, Any] = {}
    for key in _AS_IS:
        if getattr(data, key) is not None:
            out[key] = getattr(data, key)
    for key, v3_key in _RENAMED.items():
        if getattr(data, key) is not None:
            out[v3_key] = getattr(data, key)
    for bucket in _BUCKETS:
        for v4_suffix, v3_suffix in (("_max_requests", ""), ("_interval_seconds", "_per_second")):
            value = getattr(data, f"rate_limit_{bucket}{v4_suffix}")
            if value is not None:
                out[f"rate_limit_{bucket}{v3_suffix}"] = value
    if data.default_post_listing_type is not None:
        out["default_post_listing_type"] = forms.LISTING_TYPES[data.default_post_listing_type]
        if data.default_post_listing_type == "suggested":
            out["default_post_listing_type"] = "Suggested"  # refused by the action
    if data.default_post_listing_mode is not None:
        out["default_post_listing_mode"] = _pascal(data.default_post_listing_mode)
    if data.default_post_sort_type is not None:
        out["default_sort_type"] = forms.post_sort(
            data.default_post_sort_type, data.default_post_time_range_seconds
        )
    if data.registration_mode is not None:
        out["registration_mode"] = _pascal(data.registration_mode)
    if data.nsfw_content_disallowed is not None:
        out["enable_nsfw"] = not data.nsfw_content_disallowed
    # moot keeps one switch for downvotes, on posts and comments alike.
    downvotes = {data.post_downvotes, data.comment_downvotes} - {None}
    if len(downvotes) > 1:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "post and comment downvotes go together")
    if downvotes:
        out["enable_downvotes"] = downvotes.pop() != "disable"
    return out
