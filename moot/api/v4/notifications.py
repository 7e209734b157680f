"""API v4's notifications: one list of what reached a member — replies, mentions, private
messages, moderators' actions about them and what their subscriptions told (new comments,
new posts) — newest first, and marking them read.

moot keeps each kind in its own table (as Lemmy 0.19 did), so a notification's id says
which table and row it is: `row id * 8 + kind` (0 a moderator's action, 1 reply, 2
mention, 3 private message, 4 a subscription's comment, 5 a subscription's post). The ids
are stable and never collide; marking one read marks that row. A moderator's action is
told as its modlog entry, without the moderator when the site hides their names (the
modlog's rule, `mod_names_hidden`)."""

from __future__ import annotations

from typing import Literal

from litestar import Router, get, post

from moot.actions import mod_notices, notifications, private_messages
from moot.actions.modlog import mod_names_hidden
from moot.actions.site import load_site
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes, views
from moot.api.v4.account import message_views
from moot.api.v4.modlog import modlog_views
from moot.auth import Viewer
from moot.db import messages
from moot.db import models as m
from moot.db import notifications as notices
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.db.mod_notices import list_mod_notices
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

Kind = Literal["all", "mention", "reply", "subscribed", "private_message", "mod_action"]
_TABLES = {1: m.comment_reply, 2: m.person_mention, 4: m.comment_subscribed}
_KINDS = {
    0: "mod_action",
    1: "reply",
    2: "mention",
    3: "private_message",
    4: "subscribed",
    5: "subscribed",
}
_MARKED = {**_TABLES, 5: m.post_subscribed}
_SPAN = 8
DEEPEST = 1000


class MarkNotificationAsRead(Form, kw_only=True):
    notification_id: Int32
    read: bool


def _notice(code: int, row: Row, item: Row | None, recipient_id: int) -> Json:
    """A Notification; `item` the comment (or, code 5, the post) it is about."""
    out: Json = {
        "id": int(row["id"]) * _SPAN + code,
        "recipient_id": recipient_id,
        "read": bool(row["read"]),
        "published_at": shapes.moment(row["published"]),
        "kind": _KINDS[code],
    }
    if code == 0:
        out["modlog_id"] = row["modlog_id"]
        out["creator_id"] = row["mod_person_id"]
    elif code == 5 and item is not None:
        out["post_id"] = item["id"]
        out["creator_id"] = item["creator_id"]
    elif item is not None:
        out["comment_id"] = item["id"]
        out["post_id"] = item["post_id"]
        out["creator_id"] = item["creator_id"]
    else:
        out["private_message_id"] = row["id"]
        out["creator_id"] = row["creator_id"]
    return out


async def _items(
    conn: Connection, viewer: Viewer, kind: str, unread_only: bool, wanted: int
) -> list[tuple[int, Row, Row | None]]:
    """The newest `wanted` notices of each kind asked for: (code, row, the comment or post
    it is about, or None for a private message)."""
    found: list[tuple[int, Row, Row | None]] = []
    for code, table in _TABLES.items():
        if kind in ("all", _KINDS[code]):
            pairs = await notices.list_notices(
                conn,
                table,
                viewer.person_id,
                sort="New",
                unread_only=unread_only,
                page=1,
                limit=wanted,
            )
            found += [(code, notice, comment) for notice, comment in pairs]
    if kind in ("all", "subscribed"):
        posts = await notices.list_post_notices(
            conn, viewer.person_id, unread_only=unread_only, limit=wanted
        )
        found += [(5, notice, post_row) for notice, post_row in posts]
    if kind in ("all", "private_message"):
        rows = await messages.list_messages(
            conn,
            viewer.person_id,
            unread_only=unread_only,
            creator_id=None,
            page=1,
            limit=wanted,
            received_only=True,
        )
        found += [(3, row, None) for row in rows]
    if kind in ("all", "mod_action"):
        pairs = await list_mod_notices(
            conn, viewer.person_id, unread_only=unread_only, offset=0, limit=wanted
        )
        found += [
            (0, {**notice, "mod_person_id": entry["mod_person_id"]}, entry)
            for notice, entry in pairs
        ]
    return sorted(
        found, key=lambda item: (item[1]["published"], item[0], item[1]["id"]), reverse=True
    )


async def _action_views(conn: Connection, viewer: Viewer, entries: list[Row | None]) -> list[Json]:
    """ModlogViews of the entries the page's moderator notices name, each without its
    moderator where the modlog would leave them out for this reader."""
    _, local = await load_site(conn)
    rows = [entry for entry in entries if entry is not None]
    hidden = {
        community_id: await mod_names_hidden(conn, viewer, community_id, local)
        for community_id in {row["community_id"] for row in rows}
    }
    # One reading per choice (named or not), put back in the page's order.
    shown: list[Json] = [{} for _ in rows]
    for hide in (False, True):
        places = [i for i, row in enumerate(rows) if hidden[row["community_id"]] is hide]
        if places:
            group = [rows[i] for i in places]
            for i, view in zip(places, await modlog_views(conn, group, hide), strict=True):
                shown[i] = view
    return shown


@get("/account/notification/list")
async def list_notifications(
    request: AnyRequest,
    type_: Kind = "all",
    unread_only: bool | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    _, size = check_page(None, limit, ErrorCode.UNKNOWN)
    offset = cursors.offset_of(page_cursor)
    if offset + size > DEEPEST:
        raise ApiError(ErrorCode.UNKNOWN, f"lists end after {DEEPEST} items")
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        found = await _items(conn, viewer, type_, bool(unread_only), offset + size)
        page = found[offset : offset + size]
        comments = [c for code, _, c in page if code in _TABLES and c is not None]
        comment_views = iter(await views.comment_views(conn, comments, viewer))
        posts = [p for code, _, p in page if code == 5 and p is not None]
        post_views = iter(await views.post_views(conn, posts, viewer))
        action_views = iter(
            await _action_views(conn, viewer, [e for code, _, e in page if code == 0])
        )
        messages = [row for code, row, _ in page if code == 3]
        messages_shown = iter(await message_views(conn, messages))
        items = []
        for code, row, item in page:
            if code == 0:
                data = {"type_": "mod_action", **next(action_views)}
            elif code == 5:
                data = {"type_": "post", **next(post_views)}
            elif item is not None:
                data = {"type_": "comment", **next(comment_views)}
            else:
                data = {"type_": "private_message", **next(messages_shown)}
            items.append({"notification": _notice(code, row, item, viewer.person_id), "data": data})
        out: Json = {"items": items}
        if len(page) == size:
            out["next_page"] = cursors.after_offset(offset + size)
        if offset:
            out["prev_page"] = cursors.after_offset(max(0, offset - size))
        return out


@post("/account/notification/mark_as_read", status_code=200)
async def mark_notification_read(request: AnyRequest, data: MarkNotificationAsRead) -> Json:
    row_id, code = divmod(data.notification_id, _SPAN)
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        if code == 0:
            await mod_notices.mark_read(tx, viewer, row_id, data.read)
        elif code in _MARKED:
            await notifications.mark_read(tx, viewer, _MARKED[code], row_id, data.read)
        elif code == 3:
            await private_messages.mark_read(tx, viewer, row_id, data.read)
        else:
            raise ApiError(ErrorCode.NOT_FOUND)
    return {"success": True}


@post("/account/notification/mark_as_read/all", status_code=200)
async def mark_all_read(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await notifications.mark_all_read(tx, viewer)
    return {"success": True}


router = Router(
    path="/", route_handlers=[list_notifications, mark_notification_read, mark_all_read]
)
