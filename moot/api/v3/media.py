"""GET /account/list_media and /admin/list_all_media: uploaded pictures and who sent them."""

from __future__ import annotations

from litestar import get

from moot.actions.authority import require_admin
from moot.api.v3 import shapes
from moot.api.v3.forms import OptionalQueryInt32
from moot.api.v3.image_proxy import image_proxy
from moot.api.v3.shapes import Json
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.images import list_images
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, required_viewer, state


async def _image_views(conn: Connection, rows: list[Row]) -> list[Json]:
    persons = await queries.rows_by_id(conn, m.person, {int(r["person_id"]) for r in rows})
    return [
        {
            "local_image": {
                "local_user_id": r["local_user_id"],
                "pictrs_alias": r["pictrs_alias"],
                "pictrs_delete_token": r["pictrs_delete_token"],
                "published": shapes.stamp(r["published"]),
            },
            "person": shapes.person(persons[int(r["person_id"])]),
        }
        for r in rows
    ]


@get("/account/list_media")
async def list_media(
    request: AnyRequest, page: OptionalQueryInt32 = None, limit: OptionalQueryInt32 = None
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.UNKNOWN)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        rows = await list_images(conn, viewer.local_user_id, page=page_no, limit=page_size)
        return {"images": await _image_views(conn, rows)}


@get("/admin/list_all_media")
async def list_all_media(
    request: AnyRequest, page: OptionalQueryInt32 = None, limit: OptionalQueryInt32 = None
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.UNKNOWN)
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        rows = await list_images(conn, None, page=page_no, limit=page_size)
        return {"images": await _image_views(conn, rows)}


# The image proxy is listed here with the other picture routes under /api/v3.
HANDLERS = [list_media, list_all_media, image_proxy]
