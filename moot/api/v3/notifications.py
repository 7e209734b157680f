"""Replies and mentions: GET /user/replies, GET /user/mention, marking them read, and
POST /user/mark_all_as_read."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Router, get, post

from moot.actions import notifications
from moot.api.v3 import forms, shapes, views
from moot.api.v3.shapes import Json, _pick
from moot.auth import Viewer
from moot.db import models as m
from moot.db import notifications as notices
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

_NOTICE_FIELDS = ("id", "recipient_id", "comment_id", "read", "published")


async def _views(
    conn: Connection, pairs: list[tuple[Row, Row]], viewer: Viewer, key: str
) -> list[Json]:
    """CommentReplyView / PersonMentionView: a CommentView with the notice and its recipient."""
    comment_views = await views.comment_views(conn, [c for _, c in pairs], viewer)
    me = (await queries.rows_by_id(conn, m.person, {viewer.person_id}))[viewer.person_id]
    recipient = shapes.person(me)
    return [
        {key: _pick(notice, _NOTICE_FIELDS), "recipient": recipient, **view}
        for (notice, _), view in zip(pairs, comment_views, strict=True)
    ]


async def _list(
    request: AnyRequest,
    table: sa.Table,
    key: str,
    sort: forms.CommentSortType | None,
    page: forms.Int32 | None,
    limit: forms.Int32 | None,
    unread_only: bool | None,
) -> list[Json]:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_GET_COMMENTS)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        pairs = await notices.list_notices(
            conn,
            table,
            viewer.person_id,
            sort=sort or "New",
            unread_only=bool(unread_only),
            page=page_no,
            limit=page_size,
        )
        return await _views(conn, pairs, viewer, key)


@get("/user/replies")
async def replies(
    request: AnyRequest,
    sort: forms.CommentSortType | None = None,
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
    unread_only: bool | None = None,
) -> Json:
    listed = await _list(request, m.comment_reply, "comment_reply", sort, page, limit, unread_only)
    return {"replies": listed}


@get("/user/mention")
async def mentions(
    request: AnyRequest,
    sort: forms.CommentSortType | None = None,
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
    unread_only: bool | None = None,
) -> Json:
    listed = await _list(
        request, m.person_mention, "person_mention", sort, page, limit, unread_only
    )
    return {"mentions": listed}


async def _mark(request: AnyRequest, table: sa.Table, key: str, notice_id: int, read: bool) -> Json:
    """Mark one notice read or unread; answers `{key}_view` with it."""
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        notice = await notifications.mark_read(tx, viewer, table, notice_id, read)
        comment = await tx.fetch_one(
            sa.select(m.comment).where(m.comment.c.id == notice["comment_id"])
        )
        assert comment is not None
        return {f"{key}_view": (await _views(tx, [(notice, comment)], viewer, key))[0]}


@post("/comment/mark_as_read", status_code=200)
async def mark_reply_read(request: AnyRequest, data: forms.MarkCommentReplyAsRead) -> Json:
    return await _mark(request, m.comment_reply, "comment_reply", data.comment_reply_id, data.read)


@post("/user/mention/mark_as_read", status_code=200)
async def mark_mention_read(request: AnyRequest, data: forms.MarkPersonMentionAsRead) -> Json:
    return await _mark(
        request, m.person_mention, "person_mention", data.person_mention_id, data.read
    )


@post("/user/mark_all_as_read", status_code=200)
async def mark_all_read(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await notifications.mark_all_read(tx, viewer)
    return {"replies": []}  # Lemmy answers with an empty GetRepliesResponse


router = Router(
    path="/",
    route_handlers=[replies, mentions, mark_reply_read, mark_mention_read, mark_all_read],
)
