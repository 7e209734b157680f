"""Community post tags on the web: a community's moderators add, rename, recolour, delete
and restore its tags from its moderation page, and set a post's tags and NSFW flag from the
post's page (Lemmy 1.0's moderator edit). Each form calls the action API v4 calls
(moot/actions/community_tags.py) and comes back to the page it was sent from."""

from __future__ import annotations

from litestar import MediaType, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect

from moot.actions import community_tags
from moot.request_context import required_viewer
from moot.web.community_mod import community_named
from moot.web.names import handle
from moot.web.pages import AnyRequest, back, flag, ident, state, text


def tag_ids(form: FormMultiDict) -> list[int]:
    """The tags ticked in a form (`tag` checkboxes, one per tag offered)."""
    return [int(v) for v in form.getall("tag", []) if isinstance(v, str) and v.isdigit()]


def _here(name: str) -> str:
    return f"/c/{name}/moderation"


@post("/c/{name:str}/tags", media_type=MediaType.HTML, include_in_schema=False)
async def create_tag(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        community = await community_named(tx, name)
        await community_tags.create_tag(
            tx,
            viewer,
            int(community["id"]),
            text(form, "name"),
            display_name=text(form, "display_name"),
            color=text(form, "color") or None,
        )
    return back(request, _here(handle(community)), "tags-title")


@post("/c/{name:str}/tags/{tag_id:int}/edit", media_type=MediaType.HTML, include_in_schema=False)
async def edit_tag(request: AnyRequest, name: str, tag_id: int) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await community_tags.edit_tag(
            tx,
            viewer,
            ident(tag_id),
            display_name=text(form, "display_name"),
            color=text(form, "color") or None,
        )
    return back(request, _here(name), f"tag-{tag_id}")


@post("/c/{name:str}/tags/{tag_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete_tag(request: AnyRequest, name: str, tag_id: int) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await community_tags.delete_tag(tx, viewer, ident(tag_id), flag(form, "deleted"))
    return back(request, _here(name), f"tag-{tag_id}")


@post("/post/{post_id:int}/mod_edit", media_type=MediaType.HTML, include_in_schema=False)
async def mod_edit_post(request: AnyRequest, post_id: int) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await community_tags.mod_edit_post(
            tx, viewer, ident(post_id), nsfw=flag(form, "nsfw"), tags=tag_ids(form)
        )
    return back(request, f"/post/{post_id}")


handlers = [create_tag, edit_tag, delete_tag, mod_edit_post]
