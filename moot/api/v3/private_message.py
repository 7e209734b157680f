"""Private message routes, and the unread counts that include them."""

from __future__ import annotations

from litestar import Router, get, post, put

from moot.actions import lookups, private_messages
from moot.api.v3 import mod_forms, mod_views
from moot.api.v3.forms import OptionalQueryInt32
from moot.api.v3.shapes import Json
from moot.db import messages
from moot.db import notifications as notices
from moot.db.engine import Connection
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, required_viewer, state


async def _response(conn: Connection, message_id: int) -> Json:
    row = await lookups.get_private_message(conn, message_id)
    return {"private_message_view": (await mod_views.private_message_views(conn, [row]))[0]}


@post("/private_message", status_code=200)
async def create_message(request: AnyRequest, data: mod_forms.CreatePrivateMessage) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await private_messages.send(
            tx, moot.settings, viewer, data.recipient_id, data.content
        )
        return await _response(tx, int(row["id"]))


@put("/private_message")
async def edit_message(request: AnyRequest, data: mod_forms.EditPrivateMessage) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.edit(tx, viewer, data.private_message_id, data.content)
        return await _response(tx, data.private_message_id)


@post("/private_message/delete", status_code=200)
async def delete_message(request: AnyRequest, data: mod_forms.DeletePrivateMessage) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.delete(tx, viewer, data.private_message_id, data.deleted)
        return await _response(tx, data.private_message_id)


@post("/private_message/mark_as_read", status_code=200)
async def mark_message_read(request: AnyRequest, data: mod_forms.MarkPrivateMessageAsRead) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.mark_read(tx, viewer, data.private_message_id, data.read)
        return await _response(tx, data.private_message_id)


@get("/private_message/list")
async def list_messages(
    request: AnyRequest,
    unread_only: bool | None = None,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
    creator_id: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_PRIVATE_MESSAGE)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        rows = await messages.list_messages(
            conn,
            viewer.person_id,
            unread_only=bool(unread_only),
            creator_id=creator_id,
            page=page_no,
            limit=page_size,
        )
        return {"private_messages": await mod_views.private_message_views(conn, rows)}


@get("/user/unread_count")
async def unread_count(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        counts = await notices.unread_counts(conn, viewer.person_id)
        return {
            "replies": counts.replies,
            "mentions": counts.mentions,
            "private_messages": counts.private_messages,
        }


router = Router(
    path="/",
    route_handlers=[
        create_message,
        edit_message,
        delete_message,
        mark_message_read,
        list_messages,
        unread_count,
    ],
)
