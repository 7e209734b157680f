"""Comment routes under /comment."""

from __future__ import annotations

from litestar import Router, get, post, put

from moot.actions import comments, lookups, reading_pages, votes
from moot.api.v3 import forms, shapes, views
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.request_context import (
    AnyRequest,
    listing_connection,
    optional_viewer,
    required_viewer,
    state,
)


async def _comment_response(conn: Connection, comment_id: int, viewer: Viewer | None) -> Json:
    return await _response_for(conn, await lookups.get_comment(conn, comment_id), viewer)


async def _response_for(conn: Connection, row: Row, viewer: Viewer | None) -> Json:
    """The response for a comment row as it is now (an action's own result)."""
    return {
        "comment_view": (await views.comment_views(conn, [row], viewer))[0],
        "recipient_ids": [],
    }


@post("/", status_code=200)
async def create_comment(request: AnyRequest, data: forms.CreateComment) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        created = await comments.create_comment(
            tx,
            moot.settings,
            viewer,
            data.post_id,
            data.content,
            data.parent_id,
            data.language_id,
            view=views.AROUND,
        )
        assert created.around is not None
        view = views.comment_view(created.comment, created.around, viewer)
        return {"comment_view": view, "recipient_ids": []}


@put("/")
async def edit_comment(request: AnyRequest, data: forms.EditComment) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comments.edit_comment(
            tx, moot.settings, viewer, data.comment_id, data.content, data.language_id
        )
        return await _comment_response(tx, data.comment_id, viewer)


@get("/")
async def get_comment(request: AnyRequest, id: forms.QueryInt32) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await optional_viewer(conn, request)
        await reading_pages.comment_to_open(conn, viewer, id)
        return await _comment_response(conn, id, viewer)


@get("/list")
async def list_comments_route(
    request: AnyRequest,
    type_: forms.ListingType | None = None,
    sort: forms.CommentSortType | None = None,
    max_depth: forms.OptionalQueryInt32 = None,
    page: forms.OptionalQueryInt32 = None,
    limit: forms.OptionalQueryInt32 = None,
    community_id: forms.OptionalQueryInt32 = None,
    community_name: str | None = None,
    post_id: forms.OptionalQueryInt32 = None,
    parent_id: forms.OptionalQueryInt32 = None,
    saved_only: bool | None = None,
    liked_only: bool | None = None,
    disliked_only: bool | None = None,
) -> Json:
    asked = reading_pages.CommentsAsked(
        listing_type=type_,
        sort=sort,
        max_depth=max_depth,
        page=page,
        limit=limit,
        community_id=community_id,
        community_name=community_name,
        post_id=post_id,
        parent_id=parent_id,
        saved_only=bool(saved_only),
        liked_only=bool(liked_only),
        disliked_only=bool(disliked_only),
    )
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        rows = await reading_pages.comment_page(
            conn, viewer, asked, shapes.COMMENT_COLUMNS, shapes.PERSON_COLUMNS
        )
        return {"comments": await views.listed_comment_views(conn, rows, viewer)}


@post("/like", status_code=200)
async def like_comment(request: AnyRequest, data: forms.CreateCommentLike) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await votes.vote_comment(tx, viewer, data.comment_id, data.score)
        return await _comment_response(tx, data.comment_id, viewer)


@put("/save")
async def save_comment(request: AnyRequest, data: forms.SaveComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comments.save(tx, viewer, data.comment_id, data.save)
        return await _comment_response(tx, data.comment_id, viewer)


@post("/delete", status_code=200)
async def delete_comment(request: AnyRequest, data: forms.DeleteComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comments.delete_comment(tx, viewer, data.comment_id, data.deleted)
        return await _comment_response(tx, data.comment_id, viewer)


router = Router(
    path="/comment",
    route_handlers=[
        create_comment,
        edit_comment,
        get_comment,
        list_comments_route,
        like_comment,
        save_comment,
        delete_comment,
    ],
)
