"""Request bodies of the moderation, administration, report and private-message routes, as
lemmy-js-client 0.19 sends them (see forms.py for the rest)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from moot.api.v3.forms import Form, Int32

# Unix seconds, as Lemmy's i64; the range keeps the date representable.
UnixTime = Annotated[int, msgspec.Meta(ge=-(2**40), le=2**40)]
PostFeatureType = Literal["Local", "Community"]
ModlogActionType = Literal[
    "All",
    "ModRemovePost",
    "ModLockPost",
    "ModFeaturePost",
    "ModRemoveComment",
    "ModRemoveCommunity",
    "ModBanFromCommunity",
    "ModAddCommunity",
    "ModTransferCommunity",
    "ModAdd",
    "ModBan",
    "ModHideCommunity",
    "AdminPurgePerson",
    "AdminPurgeCommunity",
    "AdminPurgePost",
    "AdminPurgeComment",
]


class RemovePost(Form, kw_only=True):
    post_id: Int32
    removed: bool
    reason: str | None = None


class LockPost(Form, kw_only=True):
    post_id: Int32
    locked: bool


class FeaturePost(Form, kw_only=True):
    post_id: Int32
    featured: bool
    feature_type: PostFeatureType


class RemoveComment(Form, kw_only=True):
    comment_id: Int32
    removed: bool
    reason: str | None = None


class DistinguishComment(Form, kw_only=True):
    comment_id: Int32
    distinguished: bool


class BanFromCommunity(Form, kw_only=True):
    community_id: Int32
    person_id: Int32
    ban: bool
    remove_data: bool | None = None
    reason: str | None = None
    expires: UnixTime | None = None


class AddModToCommunity(Form, kw_only=True):
    community_id: Int32
    person_id: Int32
    added: bool


class TransferCommunity(Form, kw_only=True):
    community_id: Int32
    person_id: Int32


class HideCommunity(Form, kw_only=True):
    community_id: Int32
    hidden: bool
    reason: str | None = None


class RemoveCommunity(Form, kw_only=True):
    community_id: Int32
    removed: bool
    reason: str | None = None


class BanPerson(Form, kw_only=True):
    person_id: Int32
    ban: bool
    remove_data: bool | None = None
    reason: str | None = None
    expires: UnixTime | None = None


class AddAdmin(Form, kw_only=True):
    person_id: Int32
    added: bool


class PurgePerson(Form, kw_only=True):
    person_id: Int32
    reason: str | None = None


class PurgeCommunity(Form, kw_only=True):
    community_id: Int32
    reason: str | None = None


class PurgePost(Form, kw_only=True):
    post_id: Int32
    reason: str | None = None


class PurgeComment(Form, kw_only=True):
    comment_id: Int32
    reason: str | None = None


class ApproveRegistrationApplication(Form, kw_only=True):
    id: Int32
    approve: bool
    deny_reason: str | None = None


class CreatePostReport(Form, kw_only=True):
    post_id: Int32
    reason: str


class CreateCommentReport(Form, kw_only=True):
    comment_id: Int32
    reason: str


class CreatePrivateMessageReport(Form, kw_only=True):
    private_message_id: Int32
    reason: str


class ResolveReport(Form, kw_only=True):
    report_id: Int32
    resolved: bool


class CreatePrivateMessage(Form, kw_only=True):
    content: str
    recipient_id: Int32


class EditPrivateMessage(Form, kw_only=True):
    private_message_id: Int32
    content: str


class DeletePrivateMessage(Form, kw_only=True):
    private_message_id: Int32
    deleted: bool


class MarkPrivateMessageAsRead(Form, kw_only=True):
    private_message_id: Int32
    read: bool


class CreateCustomEmoji(Form, kw_only=True):
    category: str
    shortcode: str
    image_url: str
    alt_text: str
    keywords: list[str]


class EditCustomEmoji(Form, kw_only=True):
    id: Int32
    category: str
    image_url: str
    alt_text: str
    keywords: list[str]


class DeleteCustomEmoji(Form, kw_only=True):
    id: Int32
