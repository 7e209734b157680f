"""API v4's post and comment routes: the same actions and pages as v3's, in v4's names
and shapes (`PagedResponse` lists, `is_upvote` votes)."""

from __future__ import annotations

import msgspec
from litestar import Router, get, post, put

from moot.actions import comments, lookups, posts, reading, reading_pages, votes
from moot.actions.link_previews import preview_link
from moot.api.v3 import forms as v3_forms
from moot.api.v3.shapes import Json
from moot.api.v4 import forms, shapes, views
from moot.auth import Viewer
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.post_listing import encode_cursor
from moot.request_context import (
    AnyRequest,
    listing_connection,
    optional_viewer,
    required_viewer,
    state,
)


async def post_response(conn: Connection, post_id: int, viewer: Viewer | None) -> Json:
    row = await lookups.get_post(conn, post_id)
    return {"post_view": (await views.post_views(conn, [row], viewer))[0]}


async def comment_response(conn: Connection, comment_id: int, viewer: Viewer | None) -> Json:
    row = await lookups.get_comment(conn, comment_id)
    return {"comment_view": (await views.comment_views(conn, [row], viewer))[0]}


def _paged(items: list[Json], rows: list[Row], limit: int | None) -> Json:
    """A PagedResponse: `next_page` while a full page came back."""
    out: Json = {"items": items}
    if rows and len(rows) >= (limit or 10):
        out["next_page"] = encode_cursor(int(rows[-1]["id"]))
    return out


@post("/post", status_code=200)
async def create_post(request: AnyRequest, data: forms.CreatePost) -> Json:
    moot = state(request)
    changes = msgspec.structs.asdict(data)
    if data.url:
        async with moot.db.connection() as conn:
            await required_viewer(conn, request)
        changes["link_preview"] = await preview_link(moot, data.url, nsfw=bool(data.nsfw))
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await posts.create_post(tx, moot.settings, viewer, changes)
        return await post_response(tx, int(row["id"]), viewer)


@get("/post")
async def get_post(
    request: AnyRequest,
    id: v3_forms.OptionalQueryInt32 = None,
    comment_id: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await optional_viewer(tx, request)
        row = await reading_pages.post_to_open(tx, viewer, id, comment_id)
        # The view shows the post as it was before this visit; opening it marks it read.
        post_view = (await views.post_views(tx, [row], viewer))[0]
        if viewer is not None:
            await reading.mark_read(tx, viewer, [int(row["id"])], True)
        community = await lookups.get_community(tx, int(row["community_id"]))
        cross = await queries.same_link_posts(tx, row, viewer.person_id if viewer else None)
        return {
            "post_view": post_view,
            "community_view": (await views.community_views(tx, [community], viewer))[0],
            "cross_posts": await views.post_views(tx, cross, viewer),
            "moderators": await views.moderator_views(tx, [int(community["id"])]),
        }


@get("/post/list")
async def list_posts(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: forms.PostSortType | None = None,
    time_range_seconds: v3_forms.OptionalQueryInt32 = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    community_name: str | None = None,
    multi_community_id: v3_forms.OptionalQueryInt32 = None,
    multi_community_name: str | None = None,
    show_hidden: bool | None = None,
    show_read: bool | None = None,
    show_nsfw: bool | None = None,
    tag_id: v3_forms.OptionalQueryInt32 = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    asked = reading_pages.PostsAsked(
        multi_community_id=multi_community_id,
        multi_community_name=multi_community_name,
        tag_id=tag_id,
        listing_type=forms.listing_type(type_),
        sort=forms.post_sort(sort, time_range_seconds),
        limit=limit,
        community_id=community_id,
        community_name=community_name,
        show_hidden=bool(show_hidden),
        show_read=show_read,
        show_nsfw=show_nsfw,
        page_cursor=page_cursor,
    )
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        rows = await reading_pages.post_page(conn, viewer, asked, views.AROUND)
        return _paged(await views.listed_post_views(conn, rows, viewer), rows, limit)


@post("/post/like", status_code=200)
async def like_post(request: AnyRequest, data: forms.CreatePostLike) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await votes.vote_post(tx, viewer, data.post_id, forms.score(data.is_upvote))
        return await post_response(tx, data.post_id, viewer)


@put("/post/save")
async def save_post(request: AnyRequest, data: v3_forms.SavePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.save(tx, viewer, data.post_id, data.save)
        return await post_response(tx, data.post_id, viewer)


@post("/comment", status_code=200)
async def create_comment(request: AnyRequest, data: v3_forms.CreateComment) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        created = await comments.create_comment(
            tx, moot.settings, viewer, data.post_id, data.content, data.parent_id, data.language_id
        )
        return await comment_response(tx, int(created.comment["id"]), viewer)


@get("/comment")
async def get_comment(request: AnyRequest, id: v3_forms.QueryInt32) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        await reading_pages.comment_to_open(conn, viewer, id)
        return await comment_response(conn, id, viewer)


@get("/comment/list")
async def list_comments(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: forms.CommentSortType | None = None,
    max_depth: v3_forms.OptionalQueryInt32 = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    community_name: str | None = None,
    post_id: v3_forms.OptionalQueryInt32 = None,
    parent_id: v3_forms.OptionalQueryInt32 = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    asked = reading_pages.CommentsAsked(
        listing_type=forms.listing_type(type_),
        sort=forms.comment_sort(sort),
        max_depth=max_depth,
        limit=limit,
        community_id=community_id,
        community_name=community_name,
        post_id=post_id,
        parent_id=parent_id,
    )
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        rows = await reading_pages.comment_page(
            conn, viewer, asked, shapes.COMMENT_COLUMNS, shapes.PERSON_COLUMNS
        )
        # A thread comes whole (up to the limit): there is no next page to point at.
        return {"items": await views.listed_comment_views(conn, rows, viewer)}


@post("/comment/like", status_code=200)
async def like_comment(request: AnyRequest, data: forms.CreateCommentLike) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await votes.vote_comment(tx, viewer, data.comment_id, forms.score(data.is_upvote))
        return await comment_response(tx, data.comment_id, viewer)


@put("/comment/save")
async def save_comment(request: AnyRequest, data: v3_forms.SaveComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comments.save(tx, viewer, data.comment_id, data.save)
        return await comment_response(tx, data.comment_id, viewer)


router = Router(
    path="/",
    route_handlers=[
        create_post,
        get_post,
        list_posts,
        like_post,
        save_post,
        create_comment,
        get_comment,
        list_comments,
        like_comment,
        save_comment,
    ],
)
