"""API v4's pictures: uploads (`POST /image`, and straight into an avatar, a banner, a
community's or the site's icon and banner), the member's and the admins' lists, deleting.
Stored by the same action as v3's /pictrs/image, so the same checks and limits apply."""

from __future__ import annotations

from typing import Any

from litestar import Router, delete, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from moot.actions import communities, images
from moot.actions import site as site_actions
from moot.actions.accounts import save_settings
from moot.actions.authority import require_admin
from moot.api.pictrs import FIELD
from moot.api.v3.forms import Form, Int32, OptionalQueryInt32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.images import list_images
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.media.images import Limits
from moot.request_context import AnyRequest, required_viewer, state
from moot.state import Moot

SUCCESS: Json = {"success": True}
# A picture may be as big as the configured limit, above the API's 1 MiB for JSON.
_UPLOAD_MAX_BYTES = 32 * 1024 * 1024


async def _stored(request: AnyRequest, moot: Moot, viewer: Viewer) -> Json:
    """The one picture of the upload, stored as the viewer's: UploadImageResponse."""
    try:
        form = await request.form()
    except RequestEntityTooLarge as exc:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, "upload too large") from exc
    part = form.get(FIELD)
    if not isinstance(part, UploadFile):
        raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE, f"no file in {FIELD}")
    limits = Limits(
        max_bytes=moot.settings.image_max_bytes, max_pixels=moot.settings.image_max_pixels
    )
    stored = (await images.upload(moot.db, moot.media, viewer, [await part.read()], limits))[0]
    return {
        "image_url": f"{moot.settings.origin}/pictrs/image/{stored.alias}",
        "filename": stored.alias,
    }


async def _upload_into(request: AnyRequest, into: str, target: int | None = None) -> Json:
    """Upload a picture and make it the member's avatar or banner, a community's or the
    site's icon or banner (`into`: avatar, banner, community_icon, …)."""
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    uploaded = await _stored(request, moot, viewer)
    try:
        await _set_picture(moot, request, into, target, uploaded["image_url"])
    except BaseException:
        await images.delete(moot.db, moot.media, viewer, uploaded["filename"])
        raise
    return uploaded


async def _set_picture(
    moot: Moot, request: AnyRequest, into: str, target: int | None, url: str
) -> None:
    """Set (or with "", clear) a picture through the action that owns it."""
    key = into.rsplit("_", 1)[-1]
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        if into in ("avatar", "banner"):
            await save_settings(tx, moot.settings, viewer, {key: url})
        elif into.startswith("community_"):
            assert target is not None
            await communities.edit_community(tx, viewer, target, {key: url or None})
        else:
            await site_actions.edit_site(tx, viewer, {key: url}, creating=False)


@post("/image", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_image(request: AnyRequest) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    return await _stored(request, moot, viewer)


@post("/account/avatar", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_avatar(request: AnyRequest) -> Json:
    return await _upload_into(request, "avatar")


@post("/account/banner", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_banner(request: AnyRequest) -> Json:
    return await _upload_into(request, "banner")


@post("/community/icon", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_community_icon(request: AnyRequest, id: OptionalQueryInt32 = None) -> Json:
    return await _upload_into(request, "community_icon", _community(id))


@post("/community/banner", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_community_banner(request: AnyRequest, id: OptionalQueryInt32 = None) -> Json:
    return await _upload_into(request, "community_banner", _community(id))


@post("/site/icon", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_site_icon(request: AnyRequest) -> Json:
    return await _upload_into(request, "site_icon")


@post("/site/banner", status_code=200, request_max_body_size=_UPLOAD_MAX_BYTES)
async def upload_site_banner(request: AnyRequest) -> Json:
    return await _upload_into(request, "site_banner")


def _community(community_id: int | None) -> int:
    if community_id is None:
        raise ApiError(ErrorCode.NO_ID_GIVEN)
    return community_id


async def _clear(request: AnyRequest, into: str, target: int | None = None) -> Json:
    await _set_picture(state(request), request, into, target, "")
    return SUCCESS


@delete("/account/avatar", status_code=200)
async def delete_avatar(request: AnyRequest) -> Json:
    return await _clear(request, "avatar")


@delete("/account/banner", status_code=200)
async def delete_banner(request: AnyRequest) -> Json:
    return await _clear(request, "banner")


class CommunityIdQuery(Form, kw_only=True):
    id: Int32


@delete("/community/icon", status_code=200)
async def delete_community_icon(request: AnyRequest, data: CommunityIdQuery) -> Json:
    return await _clear(request, "community_icon", data.id)


@delete("/community/banner", status_code=200)
async def delete_community_banner(request: AnyRequest, data: CommunityIdQuery) -> Json:
    return await _clear(request, "community_banner", data.id)


@delete("/site/icon", status_code=200)
async def delete_site_icon(request: AnyRequest) -> Json:
    return await _clear(request, "site_icon")


@delete("/site/banner", status_code=200)
async def delete_site_banner(request: AnyRequest) -> Json:
    return await _clear(request, "site_banner")


async def _image_views(conn: Connection, rows: list[Row]) -> list[Json]:
    persons = await queries.rows_by_id(conn, m.person, {int(r["person_id"]) for r in rows})
    return [
        {
            "local_image": {
                "pictrs_alias": r["pictrs_alias"],
                "published_at": shapes.moment(r["published"]),
                "person_id": r["person_id"],
            },
            "person": shapes.person(persons[int(r["person_id"])]),
        }
        for r in rows
    ]


async def _media(
    request: AnyRequest, page_cursor: str | None, limit: int | None, *, everyone: bool
) -> Json:
    _, size = check_page(None, limit, ErrorCode.UNKNOWN)
    offset = cursors.offset_of(page_cursor)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        if everyone:
            require_admin(viewer)
        whose = None if everyone else viewer.local_user_id
        rows = await list_images(conn, whose, page=offset // size + 1, limit=size)
        out: Json = {"items": await _image_views(conn, rows)}
    if len(rows) == size:
        out["next_page"] = cursors.after_offset(offset + size)
    return out


@get("/account/media/list")
async def list_media(
    request: AnyRequest, page_cursor: str | None = None, limit: OptionalQueryInt32 = None
) -> Json:
    return await _media(request, page_cursor, limit, everyone=False)


@get("/image/list")
async def list_all_media(
    request: AnyRequest, page_cursor: str | None = None, limit: OptionalQueryInt32 = None
) -> Json:
    return await _media(request, page_cursor, limit, everyone=True)


async def _delete(request: AnyRequest, filename: str) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    try:
        await images.delete(moot.db, moot.media, viewer, filename)
    except ApiError as exc:
        if exc.code is ErrorCode.COULDNT_FIND_OBJECT:  # v3's word for a missing picture
            raise ApiError(ErrorCode.NOT_FOUND) from exc
        raise
    return SUCCESS


class DeleteImageParams(Form, kw_only=True):
    filename: str


@delete("/account/media", status_code=200)
async def delete_media(request: AnyRequest, data: DeleteImageParams) -> Json:
    return await _delete(request, data.filename)


@delete("/image", status_code=200)
async def admin_delete_media(request: AnyRequest, data: DeleteImageParams) -> Json:
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
    return await _delete(request, data.filename)


@get("/image/health")
async def image_health() -> Json:
    """Pictures are served by this process itself (/pictrs/healthz says the same)."""
    return SUCCESS


HANDLERS: list[Any] = [
    upload_image,
    upload_avatar,
    upload_banner,
    upload_community_icon,
    upload_community_banner,
    upload_site_icon,
    upload_site_banner,
    delete_avatar,
    delete_banner,
    delete_community_icon,
    delete_community_banner,
    delete_site_icon,
    delete_site_banner,
    list_media,
    list_all_media,
    delete_media,
    admin_delete_media,
    image_health,
]
router = Router(path="/", route_handlers=HANDLERS)
