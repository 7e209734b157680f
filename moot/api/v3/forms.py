"""Request bodies of the v3 API, as lemmy-js-client sends them. Unknown keys are ignored."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar.params import Parameter

SortType = Literal[
    "Active",
    "Hot",
    "New",
    "Old",
    "TopDay",
    "TopWeek",
    "TopMonth",
    "TopYear",
    "TopAll",
    "MostComments",
    "NewComments",
    "TopHour",
    "TopSixHour",
    "TopTwelveHour",
    "TopThreeMonths",
    "TopSixMonths",
    "TopNineMonths",
    "Controversial",
    "Scaled",
]
CommentSortType = Literal["Hot", "Top", "New", "Old", "Controversial"]
ListingType = Literal["All", "Local", "Subscribed", "ModeratorView"]
SearchType = Literal["All", "Comments", "Posts", "Communities", "Users", "Url"]
RegistrationMode = Literal["Closed", "RequireApplication", "Open"]
PostListingMode = Literal["List", "Card", "SmallCard"]
CommunityVisibility = Literal["Public", "LocalOnly"]

# Lemmy's ids and numbers are 32-bit: anything wider is refused at the door, not by the
# database halfway through an action.
Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
# The same for query parameters, which Litestar reads itself: it ignores msgspec.Meta there,
# and applies its own bounds only when they annotate the whole (optional) type.
QueryInt32 = Annotated[int, Parameter(ge=-(2**31), le=2**31 - 1)]
OptionalQueryInt32 = Annotated[int | None, Parameter(ge=-(2**31), le=2**31 - 1)]


class Form(msgspec.Struct, kw_only=True):
    pass


class Register(Form, kw_only=True):
    username: str
    password: str
    password_verify: str
    show_nsfw: bool | None = None
    email: str | None = None
    captcha_uuid: str | None = None
    captcha_answer: str | None = None
    honeypot: str | None = None
    answer: str | None = None


class Login(Form, kw_only=True):
    username_or_email: str
    password: str
    totp_2fa_token: str | None = None


class ChangePassword(Form, kw_only=True):
    new_password: str
    new_password_verify: str
    old_password: str


class PasswordReset(Form, kw_only=True):
    email: str


class PasswordChangeAfterReset(Form, kw_only=True):
    token: str
    password: str
    password_verify: str


class VerifyEmail(Form, kw_only=True):
    token: str


class DeleteAccount(Form, kw_only=True):
    password: str
    delete_content: bool = False


class BlockPerson(Form, kw_only=True):
    person_id: Int32
    block: bool


class UpdateTotp(Form, kw_only=True):
    totp_token: str
    enabled: bool


class LocalUserSettings(Form, kw_only=True):
    """The settings a member chooses for themselves (accounts.SELF_SET_SETTINGS): what a
    UserSettingsBackup carries over, and part of SaveUserSettings."""

    show_nsfw: bool | None = None
    blur_nsfw: bool | None = None
    auto_expand: bool | None = None
    theme: str | None = None
    default_sort_type: SortType | None = None
    default_listing_type: ListingType | None = None
    interface_language: str | None = None
    show_avatars: bool | None = None
    send_notifications_to_email: bool | None = None
    show_bot_accounts: bool | None = None
    show_read_posts: bool | None = None
    open_links_in_new_tab: bool | None = None
    infinite_scroll_enabled: bool | None = None
    post_listing_mode: PostListingMode | None = None
    enable_keyboard_navigation: bool | None = None
    enable_animated_images: bool | None = None
    collapse_bot_comments: bool | None = None
    show_scores: bool | None = None


class SaveUserSettings(LocalUserSettings, kw_only=True):
    avatar: str | None = None
    banner: str | None = None
    display_name: str | None = None
    email: str | None = None
    bio: str | None = None
    matrix_user_id: str | None = None
    bot_account: bool | None = None
    discussion_languages: list[Int32] | None = None
    show_upvotes: bool | None = None
    show_downvotes: bool | None = None
    show_upvote_percentage: bool | None = None
    # moot's extra profile field (DESIGN.md, "Data model").
    pronouns: str | None = None
    # Lemmy 1.0's keyword filters (v4's SaveUserSettings), accepted here too: a field v3
    # clients never send. `None` leaves the list as it is; `[]` empties it.
    blocking_keywords: list[str] | None = None


class UserSettingsBackup(Form, kw_only=True):
    """Lemmy 0.19's export: `settings` is a whole LocalUser, of which the member's own
    choices are read; objects are ActivityPub ids."""

    display_name: str | None = None
    bio: str | None = None
    avatar: str | None = None
    banner: str | None = None
    matrix_id: str | None = None
    bot_account: bool | None = None
    settings: LocalUserSettings | None = None
    followed_communities: list[str] = msgspec.field(default_factory=list)
    saved_posts: list[str] = msgspec.field(default_factory=list)
    saved_comments: list[str] = msgspec.field(default_factory=list)
    blocked_communities: list[str] = msgspec.field(default_factory=list)
    blocked_users: list[str] = msgspec.field(default_factory=list)
    # Lemmy 1.0's (v4) lists, taken from a newer backup; v3's export has none.
    blocked_instances_communities: list[str] = msgspec.field(default_factory=list)
    blocked_instances_persons: list[str] = msgspec.field(default_factory=list)
    blocking_keywords: list[str] = msgspec.field(default_factory=list)


class EditSite(Form, kw_only=True):
    name: str | None = None
    sidebar: str | None = None
    description: str | None = None
    icon: str | None = None
    banner: str | None = None
    enable_downvotes: bool | None = None
    enable_nsfw: bool | None = None
    community_creation_admin_only: bool | None = None
    require_email_verification: bool | None = None
    application_question: str | None = None
    private_instance: bool | None = None
    default_theme: str | None = None
    default_post_listing_type: ListingType | None = None
    default_sort_type: SortType | None = None
    legal_information: str | None = None
    application_email_admins: bool | None = None
    hide_modlog_mod_names: bool | None = None
    discussion_languages: list[Int32] | None = None
    slur_filter_regex: str | None = None
    actor_name_max_length: Int32 | None = None
    rate_limit_message: Int32 | None = None
    rate_limit_message_per_second: Int32 | None = None
    rate_limit_post: Int32 | None = None
    rate_limit_post_per_second: Int32 | None = None
    rate_limit_register: Int32 | None = None
    rate_limit_register_per_second: Int32 | None = None
    rate_limit_image: Int32 | None = None
    rate_limit_image_per_second: Int32 | None = None
    rate_limit_comment: Int32 | None = None
    rate_limit_comment_per_second: Int32 | None = None
    rate_limit_search: Int32 | None = None
    rate_limit_search_per_second: Int32 | None = None
    federation_enabled: bool | None = None
    federation_debug: bool | None = None
    captcha_enabled: bool | None = None
    captcha_difficulty: str | None = None
    allowed_instances: list[str] | None = None
    blocked_instances: list[str] | None = None
    taglines: list[str] | None = None
    registration_mode: RegistrationMode | None = None
    reports_email_admins: bool | None = None
    content_warning: str | None = None
    default_post_listing_mode: PostListingMode | None = None
    blocked_urls: list[str] | None = None


class CreateSite(EditSite, kw_only=True):
    name: str


class CreateCommunity(Form, kw_only=True):
    name: str
    title: str
    description: str | None = None
    icon: str | None = None
    banner: str | None = None
    nsfw: bool | None = None
    posting_restricted_to_mods: bool | None = None
    discussion_languages: list[Int32] | None = None
    visibility: CommunityVisibility | None = None


class EditCommunity(Form, kw_only=True):
    community_id: Int32
    title: str | None = None
    description: str | None = None
    icon: str | None = None
    banner: str | None = None
    nsfw: bool | None = None
    posting_restricted_to_mods: bool | None = None
    discussion_languages: list[Int32] | None = None
    visibility: CommunityVisibility | None = None


class FollowCommunity(Form, kw_only=True):
    community_id: Int32
    follow: bool


class BlockCommunity(Form, kw_only=True):
    community_id: Int32
    block: bool


class BlockInstance(Form, kw_only=True):
    instance_id: Int32
    block: bool


class DeleteCommunity(Form, kw_only=True):
    community_id: Int32
    deleted: bool


class CreatePost(Form, kw_only=True):
    name: str
    community_id: Int32
    url: str | None = None
    body: str | None = None
    alt_text: str | None = None
    honeypot: str | None = None
    nsfw: bool | None = None
    language_id: Int32 | None = None
    custom_thumbnail: str | None = None


class EditPost(Form, kw_only=True):
    post_id: Int32
    name: str | None = None
    url: str | None = None
    body: str | None = None
    alt_text: str | None = None
    nsfw: bool | None = None
    language_id: Int32 | None = None
    custom_thumbnail: str | None = None


class DeletePost(Form, kw_only=True):
    post_id: Int32
    deleted: bool


class CreatePostLike(Form, kw_only=True):
    post_id: Int32
    score: Int32


class SavePost(Form, kw_only=True):
    post_id: Int32
    save: bool


class MarkPostAsRead(Form, kw_only=True):
    post_ids: list[Int32] | None = None
    post_id: Int32 | None = None  # 0.19.0 to 0.19.3 clients send one id
    read: bool


class HidePost(Form, kw_only=True):
    post_ids: list[Int32]
    hide: bool


class CreateComment(Form, kw_only=True):
    content: str
    post_id: Int32
    parent_id: Int32 | None = None
    language_id: Int32 | None = None


class EditComment(Form, kw_only=True):
    comment_id: Int32
    content: str | None = None
    language_id: Int32 | None = None


class DeleteComment(Form, kw_only=True):
    comment_id: Int32
    deleted: bool


class CreateCommentLike(Form, kw_only=True):
    comment_id: Int32
    score: Int32


class SaveComment(Form, kw_only=True):
    comment_id: Int32
    save: bool


class MarkCommentReplyAsRead(Form, kw_only=True):
    comment_reply_id: Int32
    read: bool


class MarkPersonMentionAsRead(Form, kw_only=True):
    person_mention_id: Int32
    read: bool
