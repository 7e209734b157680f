"""The error bodies of API v4: Lemmy 1.0 folded many of 0.19's codes into a few
(`couldnt_find_post` → `not_found`, `couldnt_update_comment` → `couldnt_update`) and renamed
others. moot's actions raise 0.19's codes; an answer under /api/v4 says them in 1.0's."""

from __future__ import annotations

from moot.errors import ApiError, ErrorCode

_RENAMED = {
    "banned_from_community": "person_is_banned_from_community",
    "person_is_banned_from_site": "site_ban",
    "post_is_locked": "locked",
    "rate_limit_error": "too_many_requests",
    "user_already_exists": "username_already_taken",
    "email_already_exists": "email_already_taken",
    "couldnt_find_object": "resolve_object_failed",
    "couldnt_get_posts": "invalid_fetch_limit",
    "couldnt_get_comments": "invalid_fetch_limit",
    "token_not_found": "not_found",
    "missing_an_email": "email_required",
    "only_mods_can_post_in_community": "not_a_mod_or_admin",
    "only_local_admin_can_remove_community": "not_an_admin",
    "only_local_admin_can_restore_community": "not_an_admin",
    "not_top_admin": "not_higher_admin",
    "cannot_create_post_or_comment_in_deleted_or_removed_community": "deleted",
    "downvotes_are_disabled": "couldnt_update",
    "invalid_vote_value": "invalid_body_field",
    "new_post_cannot_be_locked": "locked",
    "post_title_too_long": "invalid_post_title",
    "captcha_incorrect": "invalid_body_field",
    "system_err_login": "incorrect_login",
    "domain_blocked": "blocked_url",
    "domain_not_in_allow_list": "blocked_url",
    "pictrs_caching_disabled": "pictrs_response_error",
    "image_url_missing_path_segments": "invalid_url",
    "image_url_missing_last_path_segment": "invalid_url",
    "url_without_domain": "invalid_url",
    "no_admins": "cannot_leave_admin",
    "email_smtp_server_needs_a_port": "email_send_failed",
    "couldnt_set_all_registrations_accepted": "couldnt_update",
    "couldnt_set_all_email_verified": "couldnt_update",
    "banned": "site_ban",
}
# 0.19's codes 1.0 has no word for: said as `unknown`, with the code as the message.
_UNNAMED = frozenset(
    {
        "no_lines_in_html",
        "site_metadata_page_is_not_doctype_html",
        "cant_enable_private_instance_and_federation_together",
        "federation_forbidden_by_strict_allow_list",
        "federation_disabled",
        "federation_disabled_by_strict_allow_list",
        "object_is_not_public",
        "object_not_local",
        "invalid_community",
        "cannot_receive_page",
        "page_does_not_specify_creator",
        "invalid_query",
        "couldnt_send_webmention",
        "community_has_no_followers",
        "inbox_timeout",
        "cant_delete_site",
    }
)
# The codes of 1.0 whose body carries a `message`.
_WITH_MESSAGE = frozenset(
    {
        "pictrs_response_error",
        "pictrs_purge_response_error",
        "pictrs_invalid_image_upload",
        "invalid_email_address",
        "registration_denied",
        "unknown",
        "plugin_error",
        "resolve_object_failed",
    }
)


def v4_code(code: ErrorCode) -> str:
    name = code.value
    if name in _RENAMED:
        return _RENAMED[name]
    if name.startswith("couldnt_find_"):
        return "not_found"
    if name.endswith("_already_exists") or name.endswith("_already_banned"):
        return "already_exists"
    if name.startswith("couldnt_create_"):
        return "couldnt_create"
    if name.startswith(("couldnt_update", "couldnt_like_", "couldnt_save_")) or name in (
        "couldnt_hide_post",
        "couldnt_mark_post_as_read",
        "couldnt_resolve_report",
    ):
        return "couldnt_update"
    return name


def v4_body(exc: ApiError) -> dict[str, str]:
    """The body an answer under /api/v4 sends for `exc`."""
    if exc.code.value in _UNNAMED:
        return {"error": "unknown", "message": exc.message or exc.code.value}
    code = v4_code(exc.code)
    if code not in _WITH_MESSAGE:
        return {"error": code}
    return {"error": code, "message": exc.message or code}
