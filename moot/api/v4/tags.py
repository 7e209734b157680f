"""API v4's community post tags (`/community/tag`: a community's moderators create, edit
and delete them) and a moderator's edit of a post (`/post/mod_edit`: its NSFW flag and
tags), through moot/actions/community_tags.py as the web pages and federation."""

from __future__ import annotations

from litestar import Router, delete, post, put

from moot.actions import community_tags
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import shapes
from moot.api.v4.content import post_response
from moot.request_context import AnyRequest, required_viewer, state


class CreateCommunityTag(Form, kw_only=True):
    community_id: Int32
    name: str
    display_name: str | None = None
    summary: str | None = None
    color: str | None = None


class EditCommunityTag(Form, kw_only=True):
    tag_id: Int32
    display_name: str | None = None
    summary: str | None = None
    color: str | None = None


class DeleteCommunityTag(Form, kw_only=True):
    tag_id: Int32
    delete: bool


class ModEditPost(Form, kw_only=True):
    post_id: Int32
    nsfw: bool | None = None
    tags: list[Int32] | None = None


@post("/community/tag", status_code=200)
async def create_tag(request: AnyRequest, data: CreateCommunityTag) -> Json:
    async with state(request).db.transaction() as tx:
        row = await community_tags.create_tag(
            tx,
            await required_viewer(tx, request),
            data.community_id,
            data.name,
            display_name=data.display_name,
            summary=data.summary,
            color=data.color,
        )
        return shapes.community_tag(row)


@put("/community/tag")
async def edit_tag(request: AnyRequest, data: EditCommunityTag) -> Json:
    async with state(request).db.transaction() as tx:
        row = await community_tags.edit_tag(
            tx,
            await required_viewer(tx, request),
            data.tag_id,
            display_name=data.display_name,
            summary=data.summary,
            color=data.color,
        )
        return shapes.community_tag(row)


@delete("/community/tag", status_code=200)
async def delete_tag(request: AnyRequest, data: DeleteCommunityTag) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await community_tags.delete_tag(tx, viewer, data.tag_id, data.delete)
        return shapes.community_tag(row)


@put("/post/mod_edit")
async def mod_edit_post(request: AnyRequest, data: ModEditPost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await community_tags.mod_edit_post(tx, viewer, data.post_id, nsfw=data.nsfw, tags=data.tags)
        return await post_response(tx, data.post_id, viewer)


router = Router(path="/", route_handlers=[create_tag, edit_tag, delete_tag, mod_edit_post])
