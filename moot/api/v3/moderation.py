"""Community moderators' routes: remove, lock, feature, distinguish, vote lists, bans,
moderators and transfer. Each parses, calls one action with the viewer, and answers."""

from __future__ import annotations

from litestar import Router, get, post

from moot.actions import bans, lookups, moderation
from moot.actions.communities import check_mod_or_admin
from moot.api.v3 import mod_forms, mod_views, views
from moot.api.v3.forms import OptionalQueryInt32, QueryInt32
from moot.api.v3.shapes import Json
from moot.db import models as m
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, required_viewer, state


@post("/post/remove", status_code=200)
async def remove_post(request: AnyRequest, data: mod_forms.RemovePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.remove_post(tx, viewer, data.post_id, data.removed, data.reason)
        return await mod_views.post_response(tx, data.post_id, viewer)


@post("/post/lock", status_code=200)
async def lock_post(request: AnyRequest, data: mod_forms.LockPost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.lock_post(tx, viewer, data.post_id, data.locked)
        return await mod_views.post_response(tx, data.post_id, viewer)


@post("/post/feature", status_code=200)
async def feature_post(request: AnyRequest, data: mod_forms.FeaturePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.feature_post(tx, viewer, data.post_id, data.featured, data.feature_type)
        return await mod_views.post_response(tx, data.post_id, viewer)


@get("/post/like/list")
async def list_post_likes(
    request: AnyRequest,
    post_id: QueryInt32,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_GET_POSTS)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        row = await lookups.get_post(conn, post_id)
        community_id = int(row["community_id"])
        await check_mod_or_admin(conn, viewer, community_id)
        likes = await mod_views.vote_views(
            conn, m.post_like, "post_id", post_id, community_id, page_no, page_size
        )
    return {"post_likes": likes}


@post("/comment/remove", status_code=200)
async def remove_comment(request: AnyRequest, data: mod_forms.RemoveComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.remove_comment(tx, viewer, data.comment_id, data.removed, data.reason)
        return await mod_views.comment_response(tx, data.comment_id, viewer)


@post("/comment/distinguish", status_code=200)
async def distinguish_comment(request: AnyRequest, data: mod_forms.DistinguishComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.distinguish_comment(tx, viewer, data.comment_id, data.distinguished)
        return await mod_views.comment_response(tx, data.comment_id, viewer)


@get("/comment/like/list")
async def list_comment_likes(
    request: AnyRequest,
    comment_id: QueryInt32,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_GET_COMMENTS)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        comment = await lookups.get_comment(conn, comment_id)
        row = await lookups.get_post(conn, int(comment["post_id"]))
        community_id = int(row["community_id"])
        await check_mod_or_admin(conn, viewer, community_id)
        likes = await mod_views.vote_views(
            conn, m.comment_like, "comment_id", comment_id, community_id, page_no, page_size
        )
    return {"comment_likes": likes}


@post("/community/ban_user", status_code=200)
async def ban_from_community(request: AnyRequest, data: mod_forms.BanFromCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await bans.ban_from_community(
            tx,
            viewer,
            data.community_id,
            data.person_id,
            data.ban,
            remove_data=bool(data.remove_data),
            reason=data.reason,
            expires=data.expires,
        )
        return {"person_view": await mod_views.person_view(tx, data.person_id), "banned": data.ban}


@post("/community/mod", status_code=200)
async def add_mod_to_community(request: AnyRequest, data: mod_forms.AddModToCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.set_moderator(tx, viewer, data.community_id, data.person_id, data.added)
        return {"moderators": await views.moderator_views(tx, [data.community_id])}


@post("/community/transfer", status_code=200)
async def transfer_community(request: AnyRequest, data: mod_forms.TransferCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.transfer_community(tx, viewer, data.community_id, data.person_id)
        return await mod_views.get_community_response(tx, data.community_id, viewer)


router = Router(
    path="/",
    route_handlers=[
        remove_post,
        lock_post,
        feature_post,
        list_post_likes,
        remove_comment,
        distinguish_comment,
        list_comment_likes,
        ban_from_community,
        add_mod_to_community,
        transfer_community,
    ],
)
