"""What a member hears of one post or one community (Lemmy 1.0's notification settings):
a small page behind the post's and the community's "Notifications" link, a choice of
modes and a button, no JavaScript. The action is moot/actions/subscriptions.py, as API
v4's PUT /post/notifications and /community/notifications call it; what the settings
tell shows in the inbox (moot/web/messages.py). The choice lives on its own page so the
post and community pages read nothing more for it."""

from __future__ import annotations

from typing import cast

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import subscriptions
from moot.actions.lookups import get_post
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.listings import community_or_none
from moot.web.names import handle
from moot.web.pages import AnyRequest, go, load_page, render, state, text

POST_CHOICES = {
    "all_comments": "Every new comment",
    "replies_and_mentions": "Only replies and mentions (the default)",
    "mute": "Nothing, not even replies and mentions",
}
COMMUNITY_CHOICES = {
    "all_posts_and_comments": "Every new post and comment",
    "all_posts": "Every new post",
    "replies_and_mentions": "Only replies and mentions (the default)",
    "mute": "Nothing, not even replies and mentions",
}


@get("/post/{post_id:int}/notifications", media_type=MediaType.HTML, include_in_schema=False)
async def post_page(request: AnyRequest, post_id: int, saved: str | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        viewer = await required_viewer(conn, request)
        row = await get_post(conn, post_id)
        mode = await subscriptions.post_mode(conn, viewer.person_id, post_id)
    return render(
        "notifications_form.html",
        page,
        title=f"Notifications: {row['name']}",
        what=row["name"],
        back=f"/post/{post_id}",
        action=f"/post/{post_id}/notifications",
        choices=POST_CHOICES,
        mode=mode or "replies_and_mentions",
        saved=saved == "1",
    )


@post("/post/{post_id:int}/notifications", media_type=MediaType.HTML, include_in_schema=False)
async def set_post(request: AnyRequest, post_id: int) -> Redirect:
    form = await request.form()
    mode = text(form, "mode")
    if mode not in POST_CHOICES:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "not a mode of post notifications")
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await subscriptions.set_post_mode(tx, viewer, post_id, cast(subscriptions.PostMode, mode))
    return go(f"/post/{post_id}/notifications?saved=1")


@get("/c/{name:str}/notifications", media_type=MediaType.HTML, include_in_schema=False)
async def community_page(request: AnyRequest, name: str, saved: str | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        viewer = await required_viewer(conn, request)
        row = await community_or_none(conn, name)
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
        mode = await subscriptions.community_mode(conn, viewer.person_id, int(row["id"]))
    return render(
        "notifications_form.html",
        page,
        title=f"Notifications: {row['title']}",
        what=row["title"],
        back=f"/c/{handle(row)}",
        action=f"/c/{handle(row)}/notifications",
        choices=COMMUNITY_CHOICES,
        mode=mode or "replies_and_mentions",
        saved=saved == "1",
    )


@post("/c/{name:str}/notifications", media_type=MediaType.HTML, include_in_schema=False)
async def set_community(request: AnyRequest, name: str) -> Redirect:
    form = await request.form()
    mode = text(form, "mode")
    if mode not in COMMUNITY_CHOICES:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "not a mode of community notifications")
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await community_or_none(tx, name)
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
        await subscriptions.set_community_mode(
            tx, viewer, int(row["id"]), cast(subscriptions.CommunityMode, mode)
        )
    return go(f"/c/{handle(row)}/notifications?saved=1")


handlers = [post_page, set_post, community_page, set_community]
