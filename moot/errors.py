"""The API's error catalogue: every code a Lemmy 0.19 client may see, and the one exception.

Clients branch on these strings, so they are the contract: tests assert on the enum, and no
handler invents a code of its own.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    REPORT_REASON_REQUIRED = "report_reason_required"
    REPORT_TOO_LONG = "report_too_long"
    NOT_A_MODERATOR = "not_a_moderator"
    NOT_AN_ADMIN = "not_an_admin"
    CANT_BLOCK_YOURSELF = "cant_block_yourself"
    CANT_NOTE_YOURSELF = "cant_note_yourself"
    # Lemmy 1.0's multi-community feeds (moot/actions/multi_communities.py).
    MULTI_COMMUNITY_UPDATE_WRONG_USER = "multi_community_update_wrong_user"
    MULTI_COMMUNITY_ENTRY_LIMIT_REACHED = "multi_community_entry_limit_reached"
    CANNOT_COMBINE_COMMUNITY_ID_AND_MULTI_COMMUNITY_ID = (
        "cannot_combine_community_id_and_multi_community_id"
    )
    MULTI_COMMUNITY_ALREADY_EXISTS = "multi_community_already_exists"
    COULDNT_FIND_MULTI_COMMUNITY = "couldnt_find_multi_community"
    CANT_BLOCK_ADMIN = "cant_block_admin"
    COULDNT_UPDATE_USER = "couldnt_update_user"
    PASSWORDS_DO_NOT_MATCH = "passwords_do_not_match"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    EMAIL_REQUIRED = "email_required"
    COULDNT_UPDATE_COMMENT = "couldnt_update_comment"
    COULDNT_UPDATE_PRIVATE_MESSAGE = "couldnt_update_private_message"
    CANNOT_LEAVE_ADMIN = "cannot_leave_admin"
    NO_LINES_IN_HTML = "no_lines_in_html"
    SITE_METADATA_PAGE_IS_NOT_DOCTYPE_HTML = "site_metadata_page_is_not_doctype_html"
    PICTRS_RESPONSE_ERROR = "pictrs_response_error"
    PICTRS_PURGE_RESPONSE_ERROR = "pictrs_purge_response_error"
    PICTRS_CACHING_DISABLED = "pictrs_caching_disabled"
    IMAGE_URL_MISSING_PATH_SEGMENTS = "image_url_missing_path_segments"
    IMAGE_URL_MISSING_LAST_PATH_SEGMENT = "image_url_missing_last_path_segment"
    PICTRS_API_KEY_NOT_PROVIDED = "pictrs_api_key_not_provided"
    NO_CONTENT_TYPE_HEADER = "no_content_type_header"
    NOT_AN_IMAGE_TYPE = "not_an_image_type"
    NOT_A_MOD_OR_ADMIN = "not_a_mod_or_admin"
    NO_ADMINS = "no_admins"
    NOT_TOP_ADMIN = "not_top_admin"
    NOT_TOP_MOD = "not_top_mod"
    NOT_LOGGED_IN = "not_logged_in"
    NOT_HIGHER_MOD = "not_higher_mod"
    NOT_HIGHER_ADMIN = "not_higher_admin"
    SITE_BAN = "site_ban"
    DELETED = "deleted"
    BANNED_FROM_COMMUNITY = "banned_from_community"
    COULDNT_FIND_COMMUNITY = "couldnt_find_community"
    COULDNT_FIND_PERSON = "couldnt_find_person"
    COULDNT_FIND_COMMENT = "couldnt_find_comment"
    COULDNT_FIND_COMMENT_REPORT = "couldnt_find_comment_report"
    COULDNT_FIND_POST_REPORT = "couldnt_find_post_report"
    COULDNT_FIND_PRIVATE_MESSAGE_REPORT = "couldnt_find_private_message_report"
    COULDNT_FIND_COMMUNITY_REPORT = "couldnt_find_community_report"
    INVALID_INVITE_TOKEN = "invalid_invite_token"
    MISSING_INVITE_TOKEN = "missing_invite_token"
    TOO_MANY_INVITES = "too_many_invites"
    COULDNT_FIND_LOCAL_USER = "couldnt_find_local_user"
    COULDNT_FIND_PERSON_MENTION = "couldnt_find_person_mention"
    COULDNT_FIND_REGISTRATION_APPLICATION = "couldnt_find_registration_application"
    COULDNT_FIND_COMMENT_REPLY = "couldnt_find_comment_reply"
    COULDNT_FIND_PRIVATE_MESSAGE = "couldnt_find_private_message"
    COULDNT_FIND_ACTIVITY = "couldnt_find_activity"
    PERSON_IS_BLOCKED = "person_is_blocked"
    COMMUNITY_IS_BLOCKED = "community_is_blocked"
    INSTANCE_IS_BLOCKED = "instance_is_blocked"
    DOWNVOTES_ARE_DISABLED = "downvotes_are_disabled"
    INSTANCE_IS_PRIVATE = "instance_is_private"
    INVALID_PASSWORD = "invalid_password"
    SITE_DESCRIPTION_LENGTH_OVERFLOW = "site_description_length_overflow"
    HONEYPOT_FAILED = "honeypot_failed"
    REGISTRATION_APPLICATION_IS_PENDING = "registration_application_is_pending"
    CANT_ENABLE_PRIVATE_INSTANCE_AND_FEDERATION_TOGETHER = (
        "cant_enable_private_instance_and_federation_together"
    )
    LOCKED = "locked"
    COULDNT_CREATE_COMMENT = "couldnt_create_comment"
    MAX_COMMENT_DEPTH_REACHED = "max_comment_depth_reached"
    NO_COMMENT_EDIT_ALLOWED = "no_comment_edit_allowed"
    ONLY_ADMINS_CAN_CREATE_COMMUNITIES = "only_admins_can_create_communities"
    COMMUNITY_ALREADY_EXISTS = "community_already_exists"
    LANGUAGE_NOT_ALLOWED = "language_not_allowed"
    ONLY_MODS_CAN_POST_IN_COMMUNITY = "only_mods_can_post_in_community"
    COULDNT_UPDATE_POST = "couldnt_update_post"
    NO_POST_EDIT_ALLOWED = "no_post_edit_allowed"
    COULDNT_FIND_POST = "couldnt_find_post"
    EDIT_PRIVATE_MESSAGE_NOT_ALLOWED = "edit_private_message_not_allowed"
    SITE_ALREADY_EXISTS = "site_already_exists"
    APPLICATION_QUESTION_REQUIRED = "application_question_required"
    INVALID_DEFAULT_POST_LISTING_TYPE = "invalid_default_post_listing_type"
    REGISTRATION_CLOSED = "registration_closed"
    REGISTRATION_USERNAME_REQUIRED = "registration_username_required"
    OAUTH_AUTHORIZATION_INVALID = "oauth_authorization_invalid"
    OAUTH_LOGIN_FAILED = "oauth_login_failed"
    OAUTH_REGISTRATION_CLOSED = "oauth_registration_closed"
    OAUTH_PROVIDER_ALREADY_EXISTS = "oauth_provider_already_exists"
    REGISTRATION_APPLICATION_ANSWER_REQUIRED = "registration_application_answer_required"
    EMAIL_ALREADY_EXISTS = "email_already_exists"
    FEDERATION_FORBIDDEN_BY_STRICT_ALLOW_LIST = "federation_forbidden_by_strict_allow_list"
    PERSON_IS_BANNED_FROM_COMMUNITY = "person_is_banned_from_community"
    OBJECT_IS_NOT_PUBLIC = "object_is_not_public"
    INVALID_COMMUNITY = "invalid_community"
    CANNOT_CREATE_POST_OR_COMMENT_IN_DELETED_OR_REMOVED_COMMUNITY = (
        "cannot_create_post_or_comment_in_deleted_or_removed_community"
    )
    CANNOT_RECEIVE_PAGE = "cannot_receive_page"
    NEW_POST_CANNOT_BE_LOCKED = "new_post_cannot_be_locked"
    ONLY_LOCAL_ADMIN_CAN_REMOVE_COMMUNITY = "only_local_admin_can_remove_community"
    ONLY_LOCAL_ADMIN_CAN_RESTORE_COMMUNITY = "only_local_admin_can_restore_community"
    NO_ID_GIVEN = "no_id_given"
    INCORRECT_LOGIN = "incorrect_login"
    INVALID_QUERY = "invalid_query"
    OBJECT_NOT_LOCAL = "object_not_local"
    POST_IS_LOCKED = "post_is_locked"
    PERSON_IS_BANNED_FROM_SITE = "person_is_banned_from_site"
    INVALID_VOTE_VALUE = "invalid_vote_value"
    PAGE_DOES_NOT_SPECIFY_CREATOR = "page_does_not_specify_creator"
    NO_EMAIL_SETUP = "no_email_setup"
    LOCAL_SITE_NOT_SETUP = "local_site_not_setup"
    EMAIL_SMTP_SERVER_NEEDS_A_PORT = "email_smtp_server_needs_a_port"
    MISSING_AN_EMAIL = "missing_an_email"
    RATE_LIMIT_ERROR = "rate_limit_error"
    INVALID_NAME = "invalid_name"
    INVALID_DISPLAY_NAME = "invalid_display_name"
    INVALID_MATRIX_ID = "invalid_matrix_id"
    INVALID_POST_TITLE = "invalid_post_title"
    INVALID_BODY_FIELD = "invalid_body_field"
    BIO_LENGTH_OVERFLOW = "bio_length_overflow"
    ALT_TEXT_LENGTH_OVERFLOW = "alt_text_length_overflow"
    MISSING_TOTP_TOKEN = "missing_totp_token"
    MISSING_TOTP_SECRET = "missing_totp_secret"
    INCORRECT_TOTP_TOKEN = "incorrect_totp_token"
    COULDNT_PARSE_TOTP_SECRET = "couldnt_parse_totp_secret"
    COULDNT_GENERATE_TOTP = "couldnt_generate_totp"
    TOTP_ALREADY_ENABLED = "totp_already_enabled"
    COULDNT_LIKE_COMMENT = "couldnt_like_comment"
    COULDNT_SAVE_COMMENT = "couldnt_save_comment"
    COULDNT_CREATE_REPORT = "couldnt_create_report"
    COULDNT_RESOLVE_REPORT = "couldnt_resolve_report"
    COMMUNITY_MODERATOR_ALREADY_EXISTS = "community_moderator_already_exists"
    COMMUNITY_USER_ALREADY_BANNED = "community_user_already_banned"
    COMMUNITY_BLOCK_ALREADY_EXISTS = "community_block_already_exists"
    COMMUNITY_FOLLOWER_ALREADY_EXISTS = "community_follower_already_exists"
    COULDNT_UPDATE_COMMUNITY_HIDDEN_STATUS = "couldnt_update_community_hidden_status"
    PERSON_BLOCK_ALREADY_EXISTS = "person_block_already_exists"
    USER_ALREADY_EXISTS = "user_already_exists"
    TOKEN_NOT_FOUND = "token_not_found"
    COULDNT_LIKE_POST = "couldnt_like_post"
    COULDNT_SAVE_POST = "couldnt_save_post"
    COULDNT_MARK_POST_AS_READ = "couldnt_mark_post_as_read"
    COULDNT_HIDE_POST = "couldnt_hide_post"
    COULDNT_UPDATE_COMMUNITY = "couldnt_update_community"
    COULDNT_UPDATE_REPLIES = "couldnt_update_replies"
    COULDNT_UPDATE_PERSON_MENTIONS = "couldnt_update_person_mentions"
    POST_TITLE_TOO_LONG = "post_title_too_long"
    COULDNT_CREATE_POST = "couldnt_create_post"
    COULDNT_CREATE_PRIVATE_MESSAGE = "couldnt_create_private_message"
    COULDNT_UPDATE_PRIVATE = "couldnt_update_private"
    SYSTEM_ERR_LOGIN = "system_err_login"
    COULDNT_SET_ALL_REGISTRATIONS_ACCEPTED = "couldnt_set_all_registrations_accepted"
    COULDNT_SET_ALL_EMAIL_VERIFIED = "couldnt_set_all_email_verified"
    BANNED = "banned"
    BLOCKED_URL = "blocked_url"
    COULDNT_GET_COMMENTS = "couldnt_get_comments"
    COULDNT_GET_POSTS = "couldnt_get_posts"
    INVALID_URL = "invalid_url"
    EMAIL_SEND_FAILED = "email_send_failed"
    SLURS = "slurs"
    COULDNT_FIND_OBJECT = "couldnt_find_object"
    NOT_FOUND = "not_found"  # API v4's, for what has no couldnt_find_ code of its own
    REGISTRATION_DENIED = "registration_denied"
    FEDERATION_DISABLED = "federation_disabled"
    DOMAIN_BLOCKED = "domain_blocked"
    DOMAIN_NOT_IN_ALLOW_LIST = "domain_not_in_allow_list"
    FEDERATION_DISABLED_BY_STRICT_ALLOW_LIST = "federation_disabled_by_strict_allow_list"
    SITE_NAME_REQUIRED = "site_name_required"
    SITE_NAME_LENGTH_OVERFLOW = "site_name_length_overflow"
    PERMISSIVE_REGEX = "permissive_regex"
    INVALID_REGEX = "invalid_regex"
    CAPTCHA_INCORRECT = "captcha_incorrect"
    COULDNT_CREATE_AUDIO_CAPTCHA = "couldnt_create_audio_captcha"
    INVALID_URL_SCHEME = "invalid_url_scheme"
    COULDNT_SEND_WEBMENTION = "couldnt_send_webmention"
    CONTRADICTING_FILTERS = "contradicting_filters"
    INSTANCE_BLOCK_ALREADY_EXISTS = "instance_block_already_exists"
    TOO_MANY_ITEMS = "too_many_items"
    COMMUNITY_HAS_NO_FOLLOWERS = "community_has_no_followers"
    BAN_EXPIRATION_IN_PAST = "ban_expiration_in_past"
    INVALID_UNIX_TIME = "invalid_unix_time"
    INVALID_BOT_ACTION = "invalid_bot_action"
    CANT_BLOCK_LOCAL_INSTANCE = "cant_block_local_instance"
    URL_WITHOUT_DOMAIN = "url_without_domain"
    INBOX_TIMEOUT = "inbox_timeout"
    UNKNOWN = "unknown"
    CANT_DELETE_SITE = "cant_delete_site"
    URL_LENGTH_OVERFLOW = "url_length_overflow"
    # Federation: why an inbox refused an activity (the message says more).
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_ACTIVITY = "invalid_activity"
    DUPLICATE_ACTIVITY = "duplicate_activity"
    ACTIVITY_TOO_LARGE = "activity_too_large"
    COULDNT_FETCH_ACTOR = "couldnt_fetch_actor"
    # Lemmy 1.0's (lemmy-js-client 1.0.0-beta.2): a keyword filter outside its lengths.
    BLOCK_KEYWORD_TOO_SHORT = "block_keyword_too_short"
    BLOCK_KEYWORD_TOO_LONG = "block_keyword_too_long"
    # Lemmy 1.0's: community post tags.
    ALREADY_EXISTS = "already_exists"
    TAG_NOT_IN_COMMUNITY = "tag_not_in_community"


# Lemmy answers 401 only for a failed login, 404 when the row was not found, 400 otherwise.
_NOT_FOUND = frozenset(
    c for c in ErrorCode if c.value.startswith("couldnt_find_") or c.value == "not_found"
)

# Codes moot's inboxes answer with; the HTTP API never sends them (Lemmy has no such codes).
FEDERATION_ONLY = frozenset(
    {
        ErrorCode.INVALID_SIGNATURE,
        ErrorCode.INVALID_ACTIVITY,
        ErrorCode.DUPLICATE_ACTIVITY,
        ErrorCode.ACTIVITY_TOO_LARGE,
        ErrorCode.COULDNT_FETCH_ACTOR,
    }
)
# Lemmy 1.0's codes: for v4's routes, and for what only a v4 client sends through v3 (a
# settings form with `blocking_keywords`).
V4_ONLY = frozenset(
    {
        ErrorCode.NOT_FOUND,
        ErrorCode.BLOCK_KEYWORD_TOO_SHORT,
        ErrorCode.BLOCK_KEYWORD_TOO_LONG,
        ErrorCode.CANT_NOTE_YOURSELF,
        ErrorCode.REGISTRATION_USERNAME_REQUIRED,
        ErrorCode.OAUTH_AUTHORIZATION_INVALID,
        ErrorCode.OAUTH_LOGIN_FAILED,
        ErrorCode.OAUTH_REGISTRATION_CLOSED,
        ErrorCode.OAUTH_PROVIDER_ALREADY_EXISTS,
        ErrorCode.COULDNT_FIND_COMMUNITY_REPORT,
        ErrorCode.INVALID_INVITE_TOKEN,
        ErrorCode.MISSING_INVITE_TOKEN,
        ErrorCode.TOO_MANY_INVITES,
        ErrorCode.ALREADY_EXISTS,
        ErrorCode.TAG_NOT_IN_COMMUNITY,
        ErrorCode.MULTI_COMMUNITY_UPDATE_WRONG_USER,
        ErrorCode.MULTI_COMMUNITY_ENTRY_LIMIT_REACHED,
        ErrorCode.CANNOT_COMBINE_COMMUNITY_ID_AND_MULTI_COMMUNITY_ID,
        ErrorCode.MULTI_COMMUNITY_ALREADY_EXISTS,
        ErrorCode.COULDNT_FIND_MULTI_COMMUNITY,
    }
)
# The codes whose Lemmy variant carries a `message` (LemmyErrorType in lemmy-js-client
# 0.19.9); every other code's body is `{"error": code}` alone. registration_denied's message
# is the deny reason, `null` when the admin gave none.
WITH_MESSAGE = frozenset(
    {
        ErrorCode.PICTRS_RESPONSE_ERROR,
        ErrorCode.PICTRS_PURGE_RESPONSE_ERROR,
        ErrorCode.PERSON_IS_BANNED_FROM_SITE,
        ErrorCode.REGISTRATION_DENIED,
        ErrorCode.DOMAIN_BLOCKED,
        ErrorCode.DOMAIN_NOT_IN_ALLOW_LIST,
        ErrorCode.UNKNOWN,
    }
)


class ApiError(Exception):
    """Raised anywhere below the API; rendered as {"error": code, "message"?: ...}."""

    def __init__(self, code: ErrorCode, message: str | None = None) -> None:
        super().__init__(code.value if message is None else f"{code.value}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        if self.code is ErrorCode.INCORRECT_LOGIN:
            return 401
        if self.code in _NOT_FOUND:
            return 404
        return 400

    def body(self) -> dict[str, str]:
        """The code and moot's explanation, for the inboxes and moot's own pages."""
        out = {"error": self.code.value}
        if self.message is not None:
            out["message"] = self.message
        return out

    def lemmy_body(self) -> dict[str, str | None]:
        """The body Lemmy's HTTP API sends: a `message` only where its variant has one."""
        if self.code not in WITH_MESSAGE:
            return {"error": self.code.value}
        if self.message is None and self.code is not ErrorCode.REGISTRATION_DENIED:
            return {"error": self.code.value, "message": self.code.value}
        return {"error": self.code.value, "message": self.message}
