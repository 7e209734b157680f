"""API v4's multi-community feeds (`/multi_community…`, Lemmy 1.0): create, edit, read,
list, follow, and add or remove a community; the feed's posts are `/post/list` with
`multi_community_id` (moot/api/v4/content.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

import msgspec
import sqlalchemy as sa
from litestar import Router, delete, get, post, put

from moot.actions import multi_communities as feeds
from moot.api.v3 import forms as v3_forms
from moot.api.v3.shapes import Json, Shape
from moot.api.v4 import cursors, shapes, views
from moot.api.v4.communities import community_response
from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, listing_connection, optional_viewer, required_viewer
from moot.request_context import state as moot_state

ListingType = Literal["all", "local", "subscribed"]
SortType = Literal[
    "new", "old", "name_asc", "name_desc", "communities", "subscribers", "subscribers_local"
]

MULTI = Shape(
    (
        "id",
        "creator_id",
        "instance_id",
        "name",
        "local",
        "deleted",
        "ap_id",
        "last_refreshed_at",
        "published_at",
        "subscribers",
        "subscribers_local",
        "communities",
    ),
    ("title", "summary", "sidebar", "updated_at"),
    renamed={"published_at": "published", "updated_at": "updated"},
)


class CreateMultiCommunity(v3_forms.Form, kw_only=True):
    name: str
    title: str | None = None
    summary: str | None = None
    sidebar: str | None = None


class EditMultiCommunity(v3_forms.Form, kw_only=True):
    id: v3_forms.Int32
    title: str | None = None
    summary: str | None = None
    sidebar: str | None = None
    deleted: bool | None = None


class MultiCommunityEntry(v3_forms.Form, kw_only=True):
    id: v3_forms.Int32
    community_id: v3_forms.Int32


class FollowMultiCommunity(v3_forms.Form, kw_only=True):
    multi_community_id: v3_forms.Int32
    follow: bool


def _multi(row: Row) -> Json:
    out = MULTI(row)
    if out["last_refreshed_at"] is None:
        out["last_refreshed_at"] = out["published_at"]
    return out


async def feed_views(conn: Connection, rows: Sequence[Row], viewer: Viewer | None) -> list[Json]:
    """MultiCommunityViews: each feed, its owner, and whether the viewer follows it."""
    if not rows:
        return []
    owner_ids = {int(r["creator_id"]) for r in rows}
    owners = {
        int(o["id"]): o
        for o in await conn.fetch_all(sa.select(m.person).where(m.person.c.id.in_(owner_ids)))
    }
    followed: set[int] = set()
    if viewer is not None:
        t = m.multi_community_follow
        found = await conn.fetch_all(
            sa.select(t.c.multi_community_id).where(
                t.c.person_id == viewer.person_id,
                t.c.multi_community_id.in_([int(r["id"]) for r in rows]),
            )
        )
        followed = {int(r["multi_community_id"]) for r in found}
    out = []
    for row in rows:
        view: Json = {"multi": _multi(row), "owner": shapes.person(owners[int(row["creator_id"])])}
        if int(row["id"]) in followed:
            view["follow_state"] = "accepted"
        out.append(view)
    return out


async def feed_response(conn: Connection, row: Row, viewer: Viewer | None) -> Json:
    return {"multi_community_view": (await feed_views(conn, [row], viewer))[0]}


@post("/multi_community", status_code=200)
async def create_feed(request: AnyRequest, data: CreateMultiCommunity) -> Json:
    moot = moot_state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await feeds.create_feed(tx, moot.settings, viewer, msgspec.structs.asdict(data))
        return await feed_response(tx, row, viewer)


@put("/multi_community")
async def edit_feed(request: AnyRequest, data: EditMultiCommunity) -> Json:
    async with moot_state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await feeds.edit_feed(tx, viewer, data.id, msgspec.structs.asdict(data))
        return await feed_response(tx, row, viewer)


@get("/multi_community")
async def get_feed(
    request: AnyRequest, id: v3_forms.OptionalQueryInt32 = None, name: str | None = None
) -> Json:
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        if id is not None:
            row = await feeds.get_feed(conn, id)
        elif name is not None:
            row = await feeds.feed_by_name(conn, name)
        else:
            raise ApiError(ErrorCode.NO_ID_GIVEN)
        c = m.community
        entries = m.multi_community_entry.c
        communities = await conn.fetch_all(
            sa.select(c)
            .join(m.multi_community_entry, entries.community_id == c.c.id)
            .where(entries.multi_community_id == row["id"])
            .order_by(c.c.name, c.c.id)
        )
        return {
            **await feed_response(conn, row, viewer),
            "communities": await views.community_views(conn, communities, viewer),
        }


@post("/multi_community/entry", status_code=200)
async def add_entry(request: AnyRequest, data: MultiCommunityEntry) -> Json:
    async with moot_state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await feeds.add_community(tx, viewer, data.id, data.community_id)
        return await community_response(tx, community, viewer)


@delete("/multi_community/entry", status_code=200)
async def remove_entry(request: AnyRequest, data: MultiCommunityEntry) -> Json:
    async with moot_state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await feeds.remove_community(tx, viewer, data.id, data.community_id)
        return {"success": True}


@post("/multi_community/follow", status_code=200)
async def follow_feed(request: AnyRequest, data: FollowMultiCommunity) -> Json:
    async with moot_state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await feeds.follow_feed(tx, viewer, data.multi_community_id, data.follow)
        return await feed_response(tx, row, viewer)


_ORDER = {
    "new": [(m.multi_community.c.published, True)],
    "old": [(m.multi_community.c.published, False)],
    "name_asc": [(m.multi_community.c.name, False)],
    "name_desc": [(m.multi_community.c.name, True)],
    "communities": [(m.multi_community.c.communities, True)],
    "subscribers": [(m.multi_community.c.subscribers, True)],
    "subscribers_local": [(m.multi_community.c.subscribers_local, True)],
}


@get("/multi_community/list")
async def list_feeds(
    request: AnyRequest,
    type_: ListingType = "all",
    sort: SortType = "new",
    creator_id: v3_forms.OptionalQueryInt32 = None,
    time_range_seconds: v3_forms.OptionalQueryInt32 = None,
    search_term: str | None = None,
    search_title_only: bool | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """The feeds kept here (not deleted), by page; a small table read by offset."""
    _, size = check_page(None, limit, ErrorCode.COULDNT_FIND_MULTI_COMMUNITY)
    offset = cursors.offset_of(page_cursor)
    t = m.multi_community.c
    where: list[sa.ColumnElement[bool]] = [~t.deleted]
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        if type_ == "local":
            where.append(t.local)
        if type_ == "subscribed":
            follows = m.multi_community_follow.c
            me = viewer.person_id if viewer is not None else -1
            where.append(
                t.id.in_(sa.select(follows.multi_community_id).where(follows.person_id == me))
            )
        if creator_id is not None:
            where.append(t.creator_id == creator_id)
        if time_range_seconds:
            where.append(t.published > utcnow() - timedelta(seconds=time_range_seconds))
        if search_term:
            pattern = f"%{search_term.lower()}%"
            text = [sa.func.lower(t.name).like(pattern), sa.func.lower(t.title).like(pattern)]
            if not search_title_only:
                text.append(sa.func.lower(t.summary).like(pattern))
            where.append(sa.or_(*text))
        order = [col.desc() if desc else col.asc() for col, desc in _ORDER[sort]]
        rows = await conn.fetch_all(
            sa.select(m.multi_community)
            .where(*where)
            .order_by(*order, t.id.desc())
            .offset(offset)
            .limit(size)
        )
        return cursors.page_of(await feed_views(conn, rows, viewer), offset, size)


router = Router(
    path="/",
    route_handlers=[
        create_feed,
        edit_feed,
        get_feed,
        add_entry,
        remove_entry,
        follow_feed,
        list_feeds,
    ],
)
