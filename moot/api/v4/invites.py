"""API v4's invitations (`/account/invite`): a member makes, lists and revokes the tokens
that let someone register while registration is by invitation (moot/actions/invites.py)."""

from __future__ import annotations

from datetime import datetime

from litestar import Router, delete, get, post

from moot.actions import invites
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes
from moot.db.engine import Row
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

DEEPEST = 1000


class CreateInvitation(Form, kw_only=True):
    max_uses: Int32 | None = None
    expires_at: datetime | None = None


class RevokeInvitation(Form, kw_only=True):
    token: str


def _invite(row: Row) -> Json:
    """A LocalUserInvite."""
    out: Json = {
        "id": row["id"],
        "token": row["token"],
        "local_user_id": row["local_user_id"],
        "uses_count": row["uses_count"],
        "published_at": shapes.moment(row["published"]),
    }
    if row["max_uses"] is not None:
        out["max_uses"] = row["max_uses"]
    if row["expires"] is not None:
        out["expires_at"] = shapes.moment(row["expires"])
    return out


@post("/account/invite", status_code=200)
async def create_invitation(request: AnyRequest, data: CreateInvitation) -> Json:
    expires = data.expires_at
    if expires is not None and expires.tzinfo is None:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "expires_at needs a time zone")
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await invites.create(tx, viewer, data.max_uses, expires)
    return {"invite": _invite(row)}


@delete("/account/invite", status_code=200)
async def revoke_invitation(request: AnyRequest, data: RevokeInvitation) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await invites.revoke(tx, viewer, data.token)
    return {"success": True}


@get("/account/invite/list")
async def list_invitations(
    request: AnyRequest,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    _, size = check_page(None, limit, ErrorCode.UNKNOWN)
    offset = cursors.offset_of(page_cursor)
    if offset + size > DEEPEST:
        raise ApiError(ErrorCode.UNKNOWN, f"lists end after {DEEPEST} items")
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        rows = await invites.list_mine(conn, viewer, offset, size)
    out: Json = {"items": [_invite(r) for r in rows]}
    if len(rows) == size:
        out["next_page"] = cursors.after_offset(offset + size)
    if offset:
        out["prev_page"] = cursors.after_offset(max(0, offset - size))
    return out


router = Router(path="/", route_handlers=[create_invitation, revoke_invitation, list_invitations])
