"""Posts, comments and sent activities at their URLs."""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from litestar import Response, get

from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import render
from moot.federation.negotiation import AP_PREFIX
from moot.federation.routes.private_fetch import require_fetchable
from moot.federation.routes.responses import activity_json, gone, redirect
from moot.request_context import AnyRequest, state


@get(f"{AP_PREFIX}/post/{{post_id:int}}")
async def post_object(request: AnyRequest, post_id: int) -> Response[Any]:
    async with state(request).db.connection() as conn:
        post = await conn.fetch_one(sa.select(m.post).where(m.post.c.id == post_id))
        if post is None:
            raise ApiError(ErrorCode.COULDNT_FIND_POST)
        if not post["local"]:
            return redirect(str(post["ap_id"]))
        if post["deleted"] or post["removed"]:
            return gone(str(post["ap_id"]))
        community = await _community(conn, int(post["community_id"]))
    await require_fetchable(request, community)
    async with state(request).db.connection() as conn:
        return activity_json(await render.page(conn, post))


@get(f"{AP_PREFIX}/comment/{{comment_id:int}}")
async def comment_object(request: AnyRequest, comment_id: int) -> Response[Any]:
    async with state(request).db.connection() as conn:
        comment = await conn.fetch_one(sa.select(m.comment).where(m.comment.c.id == comment_id))
        if comment is None:
            raise ApiError(ErrorCode.COULDNT_FIND_COMMENT)
        if not comment["local"]:
            return redirect(str(comment["ap_id"]))
        if comment["deleted"] or comment["removed"]:
            return gone(str(comment["ap_id"]))
        post = await conn.fetch_one(sa.select(m.post).where(m.post.c.id == comment["post_id"]))
        assert post is not None
        community = await _community(conn, int(post["community_id"]))
    await require_fetchable(request, community)
    async with state(request).db.connection() as conn:
        return activity_json(await render.note(conn, comment))


async def _community(conn: Connection, community_id: int) -> Row:
    row = await conn.fetch_one(sa.select(m.community).where(m.community.c.id == community_id))
    assert row is not None
    return row


@get("/activities/{kind:str}/{uuid:str}")
async def sent_activity(request: AnyRequest, kind: str, uuid: str) -> Response[bytes]:
    moot = state(request)
    ap_id = f"{moot.settings.origin}/activities/{kind}/{uuid}"
    async with moot.db.connection() as conn:
        row = await conn.fetch_one(
            sa.select(m.sent_activity.c.data, m.sent_activity.c.sensitive).where(
                m.sent_activity.c.ap_id == ap_id
            )
        )
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_ACTIVITY)
    if row["sensitive"]:
        # Follows, accepts and deletions of accounts are not public (as in Lemmy).
        return Response(b'{"error":"sensitive"}', status_code=403, media_type="application/json")
    return activity_json(msgspec.json.decode(row["data"]))


HANDLERS = [post_object, comment_object, sent_activity]
