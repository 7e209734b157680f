"""Community routes under /community."""

from __future__ import annotations

import msgspec
from litestar import Router, get, post, put

from moot.actions import communities, reading_pages
from moot.api.v3 import forms, views
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import community_list, queries
from moot.db.community_list import CommunityFilter
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import (
    AnyRequest,
    listing_connection,
    optional_viewer,
    required_viewer,
    state,
)


async def _response(conn: Connection, community: Row, viewer: Viewer | None) -> Json:
    return {
        "community_view": await views.community_view(conn, community, viewer),
        "discussion_languages": await queries.community_languages(conn, int(community["id"])),
    }


@post("/", status_code=200)
async def create_community(request: AnyRequest, data: forms.CreateCommunity) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.create_community(
            tx, moot.settings, viewer, msgspec.structs.asdict(data)
        )
        return await _response(tx, row, viewer)


@put("/")
async def edit_community(request: AnyRequest, data: forms.EditCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        changes = {**msgspec.structs.asdict(data), "keep_private": True}
        row = await communities.edit_community(tx, viewer, data.community_id, changes)
        return await _response(tx, row, viewer)


@get("/")
async def get_community(
    request: AnyRequest, id: forms.OptionalQueryInt32 = None, name: str | None = None
) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await optional_viewer(conn, request)
    row = await reading_pages.community_to_open(moot, viewer, id, name)
    async with moot.db.connection() as conn:
        return {
            "community_view": await views.community_view(conn, row, viewer),
            "moderators": await views.moderator_views(conn, [int(row["id"])]),
            "discussion_languages": await queries.community_languages(conn, int(row["id"])),
        }


@get("/list")
async def list_communities(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: forms.SortType | None = None,
    show_nsfw: bool | None = None,
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_COMMUNITY)
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        nsfw = (
            show_nsfw if show_nsfw is not None else bool(viewer and viewer.local_user["show_nsfw"])
        )
        f = CommunityFilter(
            listing_type=type_ or "All",
            sort=sort or "TopAll",
            viewer_id=viewer.person_id if viewer else None,
            show_nsfw=nsfw,
        )
        rows = await community_list.list_communities(
            conn, f, offset=page_size * (page_no - 1), limit=page_size
        )
        return {"communities": await views.community_views(conn, rows, viewer)}


@post("/follow", status_code=200)
async def follow_community(request: AnyRequest, data: forms.FollowCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.follow(tx, viewer, data.community_id, data.follow)
        return await _response(tx, row, viewer)


@post("/block", status_code=200)
async def block_community(request: AnyRequest, data: forms.BlockCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.block(tx, viewer, data.community_id, data.block)
        return {
            "community_view": await views.community_view(tx, row, viewer),
            "blocked": data.block,
        }


@post("/delete", status_code=200)
async def delete_community(request: AnyRequest, data: forms.DeleteCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.delete(tx, viewer, data.community_id, data.deleted)
        return await _response(tx, row, viewer)


router = Router(
    path="/community",
    route_handlers=[
        create_community,
        edit_community,
        get_community,
        list_communities,
        follow_community,
        block_community,
        delete_community,
    ],
)
