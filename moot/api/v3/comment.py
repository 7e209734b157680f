"""Comment routes under /comment."""

from __future__ import annotations

from litestar import Router, get, post, put

from moot.actions import comments, lookups, votes
from moot.actions.site import load_site
from moot.api.v3 import forms, listing_defaults, shapes, views
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.listings import (
    CommentFilter,
    blocks_instance_persons,
    check_page,
    list_comments_around,
)
from moot.errors import ApiError, ErrorCode
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
        return await _comment_response(conn, id, await optional_viewer(conn, request))


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
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_GET_COMMENTS)
    if liked_only and disliked_only:
        raise ApiError(ErrorCode.CONTRADICTING_FILTERS)
    if max_depth is not None and not 1 <= max_depth <= 1000:
        raise ApiError(ErrorCode.COULDNT_GET_COMMENTS)
    async with listing_connection(request) as conn:
        viewer = await optional_viewer(conn, request)
        _, local = await load_site(conn)
        parent_path = None
        if parent_id is not None:
            parent = await lookups.get_comment(conn, parent_id)
            parent_path = str(parent["path"])
        if community_id is None and community_name is not None:
            found = await queries.community_by_name(conn, community_name)
            if found is None:
                raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
            community_id = int(found["id"])
        f = CommentFilter(
            sort=sort or "Hot",
            listing_type=listing_defaults.listing_type(
                type_, viewer, local, in_community=community_id is not None
            ),
            post_id=post_id,
            parent_path=parent_path,
            community_id=community_id,
            max_depth=max_depth,
            viewer_id=viewer.person_id if viewer else None,
            saved_only=bool(saved_only),
            liked_only=bool(liked_only),
            disliked_only=bool(disliked_only),
            instance_persons_filtered=blocks_instance_persons(viewer),
        )
        rows = await list_comments_around(
            conn, f, page_no, page_size, shapes.COMMENT_COLUMNS, shapes.PERSON_COLUMNS
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
