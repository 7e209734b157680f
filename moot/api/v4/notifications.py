"""API v4's notifications: one list of what reached a member — replies, mentions, private
messages and what their subscriptions told (new comments, new posts) — newest first, and
marking them read.

moot keeps each kind in its own table (as Lemmy 0.19 did), so a notification's id says
which table and row it is: `row id * 8 + kind` (1 reply, 2 mention, 3 private message,
4 a subscription's comment, 5 a subscription's post). The ids are stable and never
collide; marking one read marks that row."""

from __future__ import annotations

from typing import Literal

from litestar import Router, get, post

from moot.actions import notifications, private_messages
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes, views
from moot.api.v4.account import message_view
from moot.auth import Viewer
from moot.db import messages
from moot.db import models as m
from moot.db import notifications as notices
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

Kind = Literal["all", "mention", "reply", "subscribed", "private_message", "mod_action"]
_TABLES = {1: m.comment_reply, 2: m.person_mention, 4: m.comment_subscribed}
_KINDS = {1: "reply", 2: "mention", 3: "private_message", 4: "subscribed", 5: "subscribed"}
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
    if code == 5 and item is not None:
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
    return sorted(
        found, key=lambda item: (item[1]["published"], item[0], item[1]["id"]), reverse=True
    )


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
        comments = [c for code, _, c in page if c is not None and code != 5]
        comment_views = iter(await views.comment_views(conn, comments, viewer))
        posts = [p for code, _, p in page if p is not None and code == 5]
        post_views = iter(await views.post_views(conn, posts, viewer))
        items = []
        for code, row, item in page:
            if code == 5:
                data = {"type_": "post", **next(post_views)}
            elif item is not None:
                data = {"type_": "comment", **next(comment_views)}
            else:
                data = {"type_": "private_message", **(await message_view(conn, int(row["id"])))}
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
        if code in _MARKED:
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
