"""API v4's taglines, one at a time (`/admin/tagline`): admins add, edit, take away and
list them; v3 reads them in GET /site and replaces them all in EditSite."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Router, delete, get, post, put

from moot.actions import taglines
from moot.actions.authority import require_admin
from moot.api.v3 import forms as v3_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes
from moot.db import models as m
from moot.db.engine import Row
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, required_viewer, state


class CreateTagline(Form, kw_only=True):
    content: str


class EditTagline(Form, kw_only=True):
    id: Int32
    content: str


class DeleteTagline(Form, kw_only=True):
    id: Int32


def tagline(row: Row) -> Json:
    out: Json = {
        "id": row["id"],
        "content": row["content"],
        "published_at": shapes.moment(row["published"]),
    }
    if row["updated"] is not None:
        out["updated_at"] = shapes.moment(row["updated"])
    return out


@post("/admin/tagline", status_code=200)
async def create_tagline(request: AnyRequest, data: CreateTagline) -> Json:
    async with state(request).db.transaction() as tx:
        row = await taglines.create(tx, await required_viewer(tx, request), data.content)
        return {"tagline": tagline(row)}


@put("/admin/tagline")
async def edit_tagline(request: AnyRequest, data: EditTagline) -> Json:
    async with state(request).db.transaction() as tx:
        row = await taglines.edit(tx, await required_viewer(tx, request), data.id, data.content)
        return {"tagline": tagline(row)}


@delete("/admin/tagline", status_code=200)
async def delete_tagline(request: AnyRequest, data: DeleteTagline) -> Json:
    async with state(request).db.transaction() as tx:
        await taglines.delete(tx, await required_viewer(tx, request), data.id)
    return {"success": True}


@get("/admin/tagline/list")
async def list_taglines(
    request: AnyRequest,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """Newest first, by the primary key."""
    _, size = check_page(None, limit, ErrorCode.COULDNT_GET_POSTS)
    offset = cursors.offset_of(page_cursor)
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        t = m.tagline
        rows = await conn.fetch_all(sa.select(t).order_by(t.c.id.desc()).limit(size).offset(offset))
    return cursors.page_of([tagline(r) for r in rows], offset, size)


router = Router(
    path="/", route_handlers=[create_tagline, edit_tagline, delete_tagline, list_taglines]
)
