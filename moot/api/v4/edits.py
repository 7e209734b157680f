"""API v4's routes that change a post or a comment after it is written: edits, deletes,
moderators' removals, locks, pins and distinctions, hiding and reading. The same actions
as v3's; v4 deletes with DELETE and names its pin places in snake case."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Router, delete, post, put

from moot.actions import comments, moderation, posts, reading
from moot.actions.link_previews import preview_link
from moot.api.v3 import forms as v3_forms
from moot.api.v3 import mod_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import forms
from moot.api.v4.content import comment_response, post_response
from moot.request_context import AnyRequest, required_viewer, state


class RemovePost(Form, kw_only=True):
    post_id: Int32
    removed: bool
    reason: str | None = None
    remove_children: bool | None = None


class LockPost(Form, kw_only=True):
    post_id: Int32
    locked: bool
    reason: str | None = None


class FeaturePost(Form, kw_only=True):
    post_id: Int32
    featured: bool
    feature_type: Literal["local", "community"]


class HidePost(Form, kw_only=True):
    post_id: Int32
    hide: bool


class MarkPostAsRead(Form, kw_only=True):
    post_id: Int32
    read: bool


class MarkManyPostsAsRead(Form, kw_only=True):
    post_ids: list[Int32]
    read: bool


class RemoveComment(Form, kw_only=True):
    comment_id: Int32
    removed: bool
    reason: str | None = None
    remove_children: bool | None = None


SUCCESS: Json = {"success": True}


@put("/post")
async def edit_post(request: AnyRequest, data: forms.EditPost) -> Json:
    moot = state(request)
    changes = msgspec.structs.asdict(data)
    if data.url:
        async with moot.db.connection() as conn:
            await required_viewer(conn, request)  # a preview is fetched for members only
        changes["link_preview"] = await preview_link(moot, data.url, nsfw=bool(data.nsfw))
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.edit_post(tx, moot.settings, viewer, data.post_id, changes)
        return await post_response(tx, data.post_id, viewer)


@delete("/post", status_code=200)
async def delete_post(request: AnyRequest, data: v3_forms.DeletePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await posts.delete_post(tx, viewer, data.post_id, data.deleted)
        return await post_response(tx, data.post_id, viewer)


@post("/post/remove", status_code=200)
async def remove_post(request: AnyRequest, data: RemovePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.remove_post(tx, viewer, data.post_id, data.removed, data.reason)
        return await post_response(tx, data.post_id, viewer)


@post("/post/lock", status_code=200)
async def lock_post(request: AnyRequest, data: LockPost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.lock_post(tx, viewer, data.post_id, data.locked)
        return await post_response(tx, data.post_id, viewer)


@post("/post/feature", status_code=200)
async def feature_post(request: AnyRequest, data: FeaturePost) -> Json:
    place: moderation.FeatureType = "Local" if data.feature_type == "local" else "Community"
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.feature_post(tx, viewer, data.post_id, data.featured, place)
        return await post_response(tx, data.post_id, viewer)


@post("/post/hide", status_code=200)
async def hide_post(request: AnyRequest, data: HidePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reading.hide(tx, viewer, [data.post_id], data.hide)
        return await post_response(tx, data.post_id, viewer)


@post("/post/mark_as_read", status_code=200)
async def mark_post_as_read(request: AnyRequest, data: MarkPostAsRead) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reading.mark_read(tx, viewer, [data.post_id], data.read)
        return await post_response(tx, data.post_id, viewer)


@post("/post/mark_as_read/many", status_code=200)
async def mark_posts_as_read(request: AnyRequest, data: MarkManyPostsAsRead) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reading.mark_read(tx, viewer, list(data.post_ids), data.read)
    return SUCCESS


@put("/comment")
async def edit_comment(request: AnyRequest, data: v3_forms.EditComment) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comments.edit_comment(
            tx, moot.settings, viewer, data.comment_id, data.content, data.language_id
        )
        return await comment_response(tx, data.comment_id, viewer)


@delete("/comment", status_code=200)
async def delete_comment(request: AnyRequest, data: v3_forms.DeleteComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comments.delete_comment(tx, viewer, data.comment_id, data.deleted)
        return await comment_response(tx, data.comment_id, viewer)


@post("/comment/remove", status_code=200)
async def remove_comment(request: AnyRequest, data: RemoveComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.remove_comment(tx, viewer, data.comment_id, data.removed, data.reason)
        return await comment_response(tx, data.comment_id, viewer)


@post("/comment/distinguish", status_code=200)
async def distinguish_comment(request: AnyRequest, data: mod_forms.DistinguishComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.distinguish_comment(tx, viewer, data.comment_id, data.distinguished)
        return await comment_response(tx, data.comment_id, viewer)


router = Router(
    path="/",
    route_handlers=[
        edit_post,
        delete_post,
        remove_post,
        lock_post,
        feature_post,
        hide_post,
        mark_post_as_read,
        mark_posts_as_read,
        edit_comment,
        delete_comment,
        remove_comment,
        distinguish_comment,
    ],
)
