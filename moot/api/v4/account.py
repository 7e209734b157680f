"""API v4's account routes beyond signing in: the member's settings in v4's words, the
counts of what waits for them, and private messages (their list is part of v4's
notifications)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Router, delete, get, post, put

from moot.actions import instance_blocks, lookups, person_notes, private_messages
from moot.actions import reports as report_actions
from moot.actions import site as site_actions
from moot.actions.accounts import save_settings
from moot.api.v3 import mod_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import forms, shapes
from moot.db import applications
from moot.db import notifications as notices
from moot.db.engine import Connection
from moot.mail import send
from moot.request_context import AnyRequest, required_viewer, state

SUCCESS: Json = {"success": True}
_LISTING_MODES = {"list": "List", "card": "Card", "small_card": "SmallCard"}


class SaveUserSettings(Form, kw_only=True):
    show_nsfw: bool | None = None
    blur_nsfw: bool | None = None
    theme: str | None = None
    default_listing_type: forms.ListingType | None = None
    post_listing_mode: Literal["list", "card", "small_card"] | None = None
    default_post_sort_type: forms.PostSortType | None = None
    default_post_time_range_seconds: Int32 | None = None
    interface_language: str | None = None
    display_name: str | None = None
    email: str | None = None
    bio: str | None = None
    matrix_user_id: str | None = None
    show_avatars: bool | None = None
    send_notifications_to_email: bool | None = None
    bot_account: bool | None = None
    show_bot_accounts: bool | None = None
    show_read_posts: bool | None = None
    discussion_languages: list[Int32] | None = None
    open_links_in_new_tab: bool | None = None
    infinite_scroll_enabled: bool | None = None
    animated_images_enabled: bool | None = None
    collapse_bot_comments: bool | None = None
    show_score: bool | None = None
    show_upvotes: bool | None = None
    show_downvotes: Literal["show", "show_for_others", "hide"] | None = None
    show_upvote_percentage: bool | None = None
    blocking_keywords: list[str] | None = None


class BlockInstance(Form, kw_only=True):
    instance_id: Int32
    block: bool


def v3_settings(data: SaveUserSettings) -> dict[str, Any]:
    """The settings in v3's names and values, which the action takes."""
    same = (
        "show_nsfw",
        "blur_nsfw",
        "theme",
        "interface_language",
        "display_name",
        "email",
        "bio",
        "matrix_user_id",
        "show_avatars",
        "send_notifications_to_email",
        "bot_account",
        "show_bot_accounts",
        "show_read_posts",
        "discussion_languages",
        "open_links_in_new_tab",
        "infinite_scroll_enabled",
        "collapse_bot_comments",
        "show_upvotes",
        "show_upvote_percentage",
        "blocking_keywords",
    )
    changes: dict[str, Any] = {key: getattr(data, key) for key in same}
    changes["default_listing_type"] = forms.listing_type(data.default_listing_type)
    changes["default_sort_type"] = forms.post_sort(
        data.default_post_sort_type, data.default_post_time_range_seconds
    )
    if data.post_listing_mode is not None:
        changes["post_listing_mode"] = _LISTING_MODES[data.post_listing_mode]
    changes["enable_animated_images"] = data.animated_images_enabled
    changes["show_scores"] = data.show_score
    if data.show_downvotes is not None:
        changes["show_downvotes"] = data.show_downvotes != "hide"
    return changes


@put("/account/settings/save")
async def save_user_settings(request: AnyRequest, data: SaveUserSettings) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        mail = await save_settings(tx, moot.settings, viewer, v3_settings(data))
    if mail is not None:
        await send(moot.settings, mail)
    return SUCCESS


@post("/account/block/instance/communities", status_code=200)
async def block_instance_communities(request: AnyRequest, data: BlockInstance) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await instance_blocks.block_instance_communities(tx, viewer, data.instance_id, data.block)
    return SUCCESS


@post("/account/block/instance/persons", status_code=200)
async def block_instance_persons(request: AnyRequest, data: BlockInstance) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await instance_blocks.block_instance_persons(tx, viewer, data.instance_id, data.block)
    return SUCCESS


class NotePerson(Form, kw_only=True):
    person_id: Int32
    note: str


@post("/person/note", status_code=200)
async def note_person(request: AnyRequest, data: NotePerson) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await person_notes.note_person(tx, viewer, data.person_id, data.note)
    return SUCCESS


@get("/account/unread_counts")
async def unread_counts(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        unread = await notices.unread_counts(conn, viewer.person_id)
        out: Json = {"notification_count": unread.total}
        if viewer.is_admin or await report_actions.moderates_something(conn, viewer.person_id):
            out["report_count"] = await report_actions.open_reports(conn, viewer)
        if viewer.is_admin:
            _, local = await site_actions.load_site(conn)
            out["registration_application_count"] = await applications.count_pending(conn, local)
        return out


async def message_view(conn: Connection, message_id: int) -> Json:
    """A PrivateMessageView."""
    row = await lookups.get_private_message(conn, message_id)
    persons = {
        int(p["id"]): p
        for p in [
            await lookups.get_person(conn, int(row["creator_id"])),
            await lookups.get_person(conn, int(row["recipient_id"])),
        ]
    }
    message: Json = {
        "id": row["id"],
        "creator_id": row["creator_id"],
        "recipient_id": row["recipient_id"],
        "content": row["content"],
        "deleted": row["deleted"],
        "published_at": shapes.moment(row["published"]),
        "ap_id": row["ap_id"],
        "local": row["local"],
        "removed": row["removed"],
        "deleted_by_recipient": False,
    }
    if row["updated"] is not None:
        message["updated_at"] = shapes.moment(row["updated"])
    return {
        "private_message": message,
        "creator": shapes.person(persons[int(row["creator_id"])]),
        "recipient": shapes.person(persons[int(row["recipient_id"])]),
    }


@post("/private_message", status_code=200)
async def create_message(request: AnyRequest, data: mod_forms.CreatePrivateMessage) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await private_messages.send(
            tx, moot.settings, viewer, data.recipient_id, data.content
        )
        return {"private_message_view": await message_view(tx, int(row["id"]))}


@put("/private_message")
async def edit_message(request: AnyRequest, data: mod_forms.EditPrivateMessage) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.edit(tx, viewer, data.private_message_id, data.content)
        return {"private_message_view": await message_view(tx, data.private_message_id)}


@delete("/private_message", status_code=200)
async def delete_message(request: AnyRequest, data: mod_forms.DeletePrivateMessage) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.delete(tx, viewer, data.private_message_id, data.deleted)
        return {"private_message_view": await message_view(tx, data.private_message_id)}


router = Router(
    path="/",
    route_handlers=[
        save_user_settings,
        block_instance_communities,
        block_instance_persons,
        note_person,
        unread_counts,
        create_message,
        edit_message,
        delete_message,
    ],
)
