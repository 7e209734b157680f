"""API v4's lists for those who watch over content and federation: who voted on a post or a
comment (its community's moderators and admins, as v3's lists), and the instances moot
knows, with their delivery state and whether they are allowed or blocked; and an admin's
block or allow of one instance (Lemmy 1.0)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from litestar import Router, get, post

from moot.actions import instance_lists, lookups
from moot.actions.communities import check_mod_or_admin
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form
from moot.api.v3.mod_views import vote_rows
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.federation.lag import KnownInstance, known_instances
from moot.request_context import AnyRequest, required_viewer, state

InstancesKind = Literal["all", "linked", "allowed", "blocked"]


class AdminBlockInstance(Form, kw_only=True):
    instance: str
    block: bool
    reason: str
    expires_at: int | None = None  # Unix seconds


class AdminAllowInstance(Form, kw_only=True):
    instance: str
    allow: bool
    reason: str


@post("/admin/instance/block", status_code=200)
async def block_instance(request: AnyRequest, data: AdminBlockInstance) -> Json:
    expires = None
    if data.expires_at is not None:
        try:
            expires = datetime.fromtimestamp(data.expires_at, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ApiError(ErrorCode.INVALID_BODY_FIELD, "expires_at is out of range") from exc
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await instance_lists.block_instance(
            tx, viewer, moot.settings.hostname, data.instance, data.block, data.reason, expires
        )
    return {"success": True}


@post("/admin/instance/allow", status_code=200)
async def allow_instance(request: AnyRequest, data: AdminAllowInstance) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await instance_lists.allow_instance(
            tx, viewer, moot.settings.hostname, data.instance, data.allow, data.reason
        )
    return {"success": True}


async def _votes(
    conn: Connection,
    likes: sa.Table,
    key: str,
    item_id: int,
    community_id: int,
    page_cursor: str | None,
    limit: int | None,
    bad_limit: ErrorCode,
) -> Json:
    _, size = check_page(None, limit, bad_limit)
    offset = cursors.offset_of(page_cursor)
    rows, banned = await vote_rows(conn, likes, key, item_id, community_id, offset, size)
    items = [
        {
            "creator": shapes.person(r),
            "creator_banned": bool(r["banned"]),
            "creator_banned_from_community": (community_id, int(r["id"])) in banned,
            "is_upvote": int(r["vote_score"]) > 0,
        }
        for r in rows
    ]
    return cursors.page_of(items, offset, size)


@get("/post/like/list")
async def list_post_likes(
    request: AnyRequest,
    post_id: v3_forms.QueryInt32,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        community_id = int((await lookups.get_post(conn, post_id))["community_id"])
        await check_mod_or_admin(conn, viewer, community_id)
        return await _votes(
            conn,
            m.post_like,
            "post_id",
            post_id,
            community_id,
            page_cursor,
            limit,
            ErrorCode.COULDNT_GET_POSTS,
        )


@get("/comment/like/list")
async def list_comment_likes(
    request: AnyRequest,
    comment_id: v3_forms.QueryInt32,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        comment = await lookups.get_comment(conn, comment_id)
        community_id = int((await lookups.get_post(conn, int(comment["post_id"])))["community_id"])
        await check_mod_or_admin(conn, viewer, community_id)
        return await _votes(
            conn,
            m.comment_like,
            "comment_id",
            comment_id,
            community_id,
            page_cursor,
            limit,
            ErrorCode.COULDNT_GET_COMMENTS,
        )


def _instance_view(known: KnownInstance, listed: dict[str, dict[int, Row]]) -> Json:
    view: Json = {"instance": shapes.instance(known.row)}
    queue = known.queue
    if queue is not None:
        state_: Json = {"instance_id": queue.instance_id, "fail_count": queue.fail_count}
        if queue.last_successful_id:
            state_["last_successful_id"] = queue.last_successful_id
        if queue.last_successful_published_time is not None:
            state_["last_successful_published_time_at"] = shapes.moment(
                queue.last_successful_published_time
            )
        if queue.last_retry is not None:
            state_["last_retry_at"] = shapes.moment(queue.last_retry)
        view["queue_state"] = state_
    for key in ("blocked", "allowed"):
        entry = listed[key].get(int(known.row["id"]))
        if entry is not None:
            view[key] = {"published_at": shapes.moment(entry["published"])}
            if entry.get("expires") is not None:
                view[key]["expires_at"] = shapes.moment(entry["expires"])
    return view


@get("/federated_instances")
async def federated_instances(
    request: AnyRequest,
    kind: InstancesKind = "all",
    domain_filter: str | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """What v3's GET /federated_instances tells, one kind at a time, in the order the
    instances became known; every known instance is linked."""
    _, size = check_page(None, limit, ErrorCode.INVALID_QUERY)
    offset = cursors.offset_of(page_cursor)
    moot = state(request)
    async with moot.db.connection() as conn:
        known = await known_instances(conn, moot.settings.hostname)
        listed: dict[str, dict[int, Row]] = {}
        for key, table in (
            ("blocked", m.federation_blocklist),
            ("allowed", m.federation_allowlist),
        ):
            rows = await conn.fetch_all(sa.select(table))
            listed[key] = {int(r["instance_id"]): r for r in rows}
    if kind == "blocked":
        known = [k for k in known if k.blocked]
    elif kind == "allowed":
        known = [k for k in known if k.allowed]
    if domain_filter:
        known = [k for k in known if domain_filter.lower() in k.domain.lower()]
    page = [_instance_view(k, listed) for k in known[offset : offset + size]]
    return cursors.page_of(page, offset, size)


router = Router(
    path="/",
    route_handlers=[
        list_post_likes,
        list_comment_likes,
        federated_instances,
        block_instance,
        allow_instance,
    ],
)
