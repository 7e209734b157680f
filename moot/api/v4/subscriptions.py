"""API v4's notification settings: what a member hears of one post or one community
(moot/actions/subscriptions.py)."""

from __future__ import annotations

from litestar import Router, put

from moot.actions import subscriptions
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.request_context import AnyRequest, required_viewer, state

SUCCESS: Json = {"success": True}


class EditPostNotifications(Form, kw_only=True):
    post_id: Int32
    mode: subscriptions.PostMode


class EditCommunityNotifications(Form, kw_only=True):
    community_id: Int32
    mode: subscriptions.CommunityMode


@put("/post/notifications")
async def edit_post_notifications(request: AnyRequest, data: EditPostNotifications) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await subscriptions.set_post_mode(tx, viewer, data.post_id, data.mode)
    return SUCCESS


@put("/community/notifications")
async def edit_community_notifications(
    request: AnyRequest, data: EditCommunityNotifications
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await subscriptions.set_community_mode(tx, viewer, data.community_id, data.mode)
    return SUCCESS


router = Router(path="/", route_handlers=[edit_post_notifications, edit_community_notifications])
