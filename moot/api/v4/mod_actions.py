"""API v4's moderator actions that Lemmy 1.0 brought: locking a comment's sub-thread and
warning the author of a post or comment. The same actions as the web's and federation's
(moot/actions/comment_locks.py, mod_warnings.py); v3 has no routes for them."""

from __future__ import annotations

from litestar import Router, post

from moot.actions import comment_locks, mod_warnings
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4.content import comment_response, post_response
from moot.request_context import AnyRequest, required_viewer, state


class LockComment(Form, kw_only=True):
    comment_id: Int32
    locked: bool
    # Required by 1.0's types; a client that leaves it out locks without a reason.
    reason: str | None = None


class CreatePostWarning(Form, kw_only=True):
    post_id: Int32
    reason: str


class CreateCommentWarning(Form, kw_only=True):
    comment_id: Int32
    reason: str


@post("/comment/lock", status_code=200)
async def lock_comment(request: AnyRequest, data: LockComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await comment_locks.lock_comment(tx, viewer, data.comment_id, data.locked, data.reason)
        return await comment_response(tx, data.comment_id, viewer)


@post("/post/warn", status_code=200)
async def warn_post(request: AnyRequest, data: CreatePostWarning) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await mod_warnings.warn_post(tx, viewer, data.post_id, data.reason)
        return await post_response(tx, data.post_id, viewer)


@post("/comment/warn", status_code=200)
async def warn_comment(request: AnyRequest, data: CreateCommentWarning) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await mod_warnings.warn_comment(tx, viewer, data.comment_id, data.reason)
        return await comment_response(tx, data.comment_id, viewer)


router = Router(path="/", route_handlers=[lock_comment, warn_post, warn_comment])
