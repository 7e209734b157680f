"""API v4's community routes that change or list communities, and blocks: the actions v3
calls, in v4's names (`sidebar` is v3's `description`; snake-case visibility and sorts)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Router, get, post, put

from moot.actions import accounts, communities, private_communities
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, forms, shapes, views
from moot.auth import Viewer
from moot.db import community_list, queries
from moot.db.community_list import CommunityFilter
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.request_context import (
    AnyRequest,
    listing_connection,
    optional_viewer,
    required_viewer,
    state,
)

Visibility = Literal["public", "unlisted", "local_only_public", "local_only_private", "private"]
CommunitySort = Literal[
    "active_six_months",
    "active_monthly",
    "active_weekly",
    "active_daily",
    "hot",
    "new",
    "old",
    "name_asc",
    "name_desc",
    "comments",
    "posts",
    "subscribers",
    "subscribers_local",
]
_SORTS = {
    "active_six_months": "TopSixMonths",
    "active_monthly": "TopMonth",
    "active_weekly": "TopWeek",
    "active_daily": "TopDay",
    "hot": "Hot",
    "new": "New",
    "old": "Old",
    "name_asc": "NameAsc",
    "name_desc": "NameDesc",
    "comments": "MostComments",
    "posts": "Posts",
    "subscribers": "TopAll",
    "subscribers_local": "SubscribersLocal",
}
# The visibilities moot keeps: Lemmy 0.19's, and 1.0's private communities.
_VISIBILITY = {"public": "Public", "local_only_public": "LocalOnly", "private": "Private"}


class CreateCommunity(Form, kw_only=True):
    name: str
    title: str | None = None
    sidebar: str | None = None
    summary: str | None = None
    nsfw: bool | None = None
    posting_restricted_to_mods: bool | None = None
    discussion_languages: list[Int32] | None = None
    visibility: Visibility | None = None


class EditCommunity(Form, kw_only=True):
    community_id: Int32
    title: str | None = None
    sidebar: str | None = None
    summary: str | None = None
    nsfw: bool | None = None
    posting_restricted_to_mods: bool | None = None
    discussion_languages: list[Int32] | None = None
    visibility: Visibility | None = None


class BlockPerson(Form, kw_only=True):
    person_id: Int32
    block: bool


def _changes(data: CreateCommunity | EditCommunity) -> dict[str, Any]:
    """The form in v3's names, for the actions."""
    changes: dict[str, Any] = {
        "title": data.title,
        "description": data.sidebar,
        "nsfw": data.nsfw,
        "posting_restricted_to_mods": data.posting_restricted_to_mods,
        "discussion_languages": data.discussion_languages,
        "visibility": None,
    }
    if data.visibility is not None:
        if data.visibility not in _VISIBILITY:
            raise ApiError(ErrorCode.UNKNOWN, f"moot does not keep {data.visibility} communities")
        changes["visibility"] = _VISIBILITY[data.visibility]
    return changes


async def community_response(conn: Connection, row: Row, viewer: Viewer | None) -> Json:
    """A CommunityResponse."""
    return {
        "community_view": (await views.community_views(conn, [row], viewer))[0],
        "discussion_languages": await queries.community_languages(conn, int(row["id"])),
    }


@post("/community", status_code=200)
async def create_community(request: AnyRequest, data: CreateCommunity) -> Json:
    moot = state(request)
    changes = {"name": data.name, **_changes(data)}
    changes["title"] = data.title or data.name
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.create_community(tx, moot.settings, viewer, changes)
        return await community_response(tx, row, viewer)


@put("/community")
async def edit_community(request: AnyRequest, data: EditCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.edit_community(tx, viewer, data.community_id, _changes(data))
        return await community_response(tx, row, viewer)


@get("/community/list")
async def list_communities(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: CommunitySort | None = None,
    show_nsfw: bool | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    _, page_size = check_page(None, limit, ErrorCode.COULDNT_FIND_COMMUNITY)
    offset = cursors.offset_of(page_cursor)
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        nsfw = (
            show_nsfw if show_nsfw is not None else bool(viewer and viewer.local_user["show_nsfw"])
        )
        f = CommunityFilter(
            listing_type=forms.listing_type(type_) or "All",
            sort=_SORTS[sort] if sort is not None else "TopAll",
            viewer_id=viewer.person_id if viewer else None,
            show_nsfw=nsfw,
        )
        rows = await community_list.list_communities(conn, f, offset=offset, limit=page_size)
        out: Json = {"items": await views.community_views(conn, rows, viewer)}
        if len(rows) == page_size:
            out["next_page"] = cursors.after_offset(offset + page_size)
        if offset:
            out["prev_page"] = cursors.after_offset(max(0, offset - page_size))
        return out


@post("/account/block/community", status_code=200)
async def block_community(request: AnyRequest, data: v3_forms.BlockCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await communities.block(tx, viewer, data.community_id, data.block)
        return await community_response(tx, row, viewer)


@post("/account/block/person", status_code=200)
async def block_person(request: AnyRequest, data: BlockPerson) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        target = await accounts.block_person(tx, viewer, data.person_id, data.block)
        return {"person_view": (await views.person_views(tx, [target], viewer))[0]}


class ApproveCommunityPendingFollower(Form, kw_only=True):
    community_id: Int32
    follower_id: Int32
    approve: bool


@get("/community/pending_follows/list")
async def list_pending_follows(
    request: AnyRequest,
    unread_only: bool | None = None,
    all_communities: bool | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    _, page_size = check_page(None, limit, ErrorCode.COULDNT_FIND_COMMUNITY)
    offset = cursors.offset_of(page_cursor)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        found = await private_communities.pending_follows(
            conn,
            viewer,
            all_communities=bool(all_communities),
            unread_only=bool(unread_only),
            offset=offset,
            limit=page_size,
        )
    items = [
        {
            "person": shapes.person(f.person),
            "community": shapes.community(f.community),
            "is_new_instance": f.is_new_instance,
            "follow_state": "approval_required" if f.approval_required else "accepted",
        }
        for f in found
    ]
    return cursors.page_of(items, offset, page_size)


@post("/community/pending_follows/approve", status_code=200)
async def approve_pending_follow(
    request: AnyRequest, data: ApproveCommunityPendingFollower
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_communities.decide_follow(
            tx, viewer, data.community_id, data.follower_id, data.approve
        )
    return {"success": True}


router = Router(
    path="/",
    route_handlers=[
        list_pending_follows,
        approve_pending_follow,
        create_community,
        edit_community,
        list_communities,
        block_community,
        block_person,
    ],
)
