"""Post routes under /post."""

from __future__ import annotations

import msgspec
from litestar import Router, get, post, put

from moot.actions import lookups, posts, reading, reading_pages, votes
from moot.actions.link_previews import preview_link
from moot.actions.lookups import get_community
from moot.api.v3 import forms, views
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import queries
from moot.db.engine import Connection
from moot.db.post_listing import encode_cursor
from moot.media.site_metadata import fetch_site_metadata
from moot.request_context import (
    AnyRequest,
    listing_connection,
    optional_viewer,
    required_viewer,
    state,
)

SUCCESS: Json = {"success": True}


async def _post_response(conn: Connection, post_id: int, viewer: Viewer | None) -> Json:
    row = await lookups.get_post(conn, post_id)
    return {"post_view": (await views.post_views(conn, [row], viewer))[0]}


async def _changes(request: AnyRequest, data: forms.CreatePost | forms.EditPost) -> Json:
    """The form's fields, and the preview of its link (fetched once the sender is known
    to be a member, before the write)."""
    moot = state(request)
    changes = msgspec.structs.asdict(data)
    if data.url:
        async with moot.db.connection() as conn:
            await required_viewer(conn, request)
        changes["link_preview"] = await preview_link(moot, data.url, nsfw=bool(data.nsfw))
    return changes


@post("/", status_code=200)
async def create_post(request: AnyRequest, data: forms.CreatePost) -> Json:
    moot = state(request)
    changes = await _changes(request, data)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await posts.create_post(tx, moot.settings, viewer, changes)
        return await _post_response(tx, int(row["id"]), viewer)


@put("/")
async def edit_post(request: AnyRequest, data: forms.EditPost) -> Json:
    moot = state(request)
    changes = await _changes(request, data)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.edit_post(tx, moot.settings, viewer, data.post_id, changes)
        return await _post_response(tx, data.post_id, viewer)


@get("/")
async def get_post(
    request: AnyRequest,
    id: forms.OptionalQueryInt32 = None,
    comment_id: forms.OptionalQueryInt32 = None,
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await optional_viewer(tx, request)
        row = await reading_pages.post_to_open(tx, viewer, id, comment_id)
        # The view shows the post as it was before this visit (read, unread comments);
        # opening it marks it read for next time, as in Lemmy.
        post_view = (await views.post_views(tx, [row], viewer))[0]
        if viewer is not None:
            await reading.mark_read(tx, viewer, [int(row["id"])], True)
        community = await get_community(tx, int(row["community_id"]))
        cross = await queries.same_link_posts(tx, row, viewer.person_id if viewer else None)
        return {
            "post_view": post_view,
            "community_view": await views.community_view(tx, community, viewer),
            "moderators": await views.moderator_views(tx, [int(community["id"])]),
            "cross_posts": await views.post_views(tx, cross, viewer),
        }


@get("/list")
async def list_posts_route(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: forms.SortType | None = None,
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
    community_id: forms.OptionalQueryInt32 = None,
    community_name: str | None = None,
    saved_only: bool | None = None,
    liked_only: bool | None = None,
    disliked_only: bool | None = None,
    show_hidden: bool | None = None,
    show_read: bool | None = None,
    show_nsfw: bool | None = None,
    page_cursor: str | None = None,
) -> Json:
    asked = reading_pages.PostsAsked(
        listing_type=type_,
        sort=sort,
        page=page,
        limit=limit,
        community_id=community_id,
        community_name=community_name,
        saved_only=bool(saved_only),
        liked_only=bool(liked_only),
        disliked_only=bool(disliked_only),
        show_hidden=bool(show_hidden),
        show_read=show_read,
        show_nsfw=show_nsfw,
        page_cursor=page_cursor,
    )
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        rows = await reading_pages.post_page(conn, viewer, asked, views.AROUND)
        out: Json = {"posts": views.listed_post_views(rows, viewer)}
        if rows:
            out["next_page"] = encode_cursor(int(rows[-1]["id"]))
        return out


@post("/like", status_code=200)
async def like_post(request: AnyRequest, data: forms.CreatePostLike) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        voted = await votes.vote_post(tx, viewer, data.post_id, data.score, view=views.AROUND)
        assert voted.around is not None
        return {"post_view": views.post_view(voted.post, voted.around, viewer)}


@put("/save")
async def save_post(request: AnyRequest, data: forms.SavePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.save(tx, viewer, data.post_id, data.save)
        return await _post_response(tx, data.post_id, viewer)


@post("/delete", status_code=200)
async def delete_post(request: AnyRequest, data: forms.DeletePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.delete_post(tx, viewer, data.post_id, data.deleted)
        return await _post_response(tx, data.post_id, viewer)


@post("/mark_as_read", status_code=200)
async def mark_as_read(request: AnyRequest, data: forms.MarkPostAsRead) -> Json:
    ids = list(data.post_ids or []) + ([data.post_id] if data.post_id is not None else [])
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reading.mark_read(tx, viewer, ids, data.read)
    return SUCCESS


@post("/hide", status_code=200)
async def hide_post(request: AnyRequest, data: forms.HidePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reading.hide(tx, viewer, data.post_ids, data.hide)
    return SUCCESS


@get("/site_metadata")
async def site_metadata(request: AnyRequest, url: str) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        await required_viewer(conn, request)
    assert moot.http is not None
    metadata = await fetch_site_metadata(url, moot.http)
    return {"metadata": msgspec.to_builtins(metadata)}


router = Router(
    path="/post",
    route_handlers=[
        create_post,
        edit_post,
        get_post,
        list_posts_route,
        like_post,
        save_post,
        delete_post,
        mark_as_read,
        hide_post,
        site_metadata,
    ],
)
