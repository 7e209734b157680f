"""The pict-rs routes Lemmy apps call for pictures: upload, serve, delete, health.

Lemmy 0.19 proxies these to a pict-rs server; moot answers them itself, in pict-rs's JSON
(`{msg, files}`), which Jerboa, lemmy-js-client and pythorhead read. A refusal carries
Lemmy's `error` code and also a `msg`, since pict-rs clients look there; a picture over
the limits is answered with 413, which lemmy-js-client turns into `too_large`. Another
format or size of a picture is rendered once and kept (`images.rendition`). With the pictures
on an object store that readers can reach (MOOT_S3_PUBLIC_URL), a picture asked for as
stored is a redirect there, so its bytes never pass through moot.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.response import Redirect

from moot.actions import images
from moot.api.v3.shapes import Json, stamp
from moot.config import Settings
from moot.errors import ApiError, ErrorCode
from moot.media.images import Limits, PictureTooLarge, check_rendition
from moot.media.storage import valid_name
from moot.request_context import AnyRequest, client_ip, required_viewer, state

FIELD = "images[]"
# Room for the multipart framing around one full-size file.
_FRAMING_BYTES = 64 * 1024
# Originals never change under their alias, so caches may keep them for good.
_IMMUTABLE = "public, max-age=31536000, immutable"


def _refusal(_: Request[Any, Any, Any], exc: ApiError) -> Response[Json]:
    status = 413 if isinstance(exc, PictureTooLarge) else exc.status
    return Response(
        {**exc.body(), "msg": exc.message or exc.code.value},
        status_code=status,
        media_type=MediaType.JSON,
    )


def _limits(settings: Settings) -> Limits:
    return Limits(max_bytes=settings.image_max_bytes, max_pixels=settings.image_max_pixels)


async def _files(request: AnyRequest, limits: Limits) -> list[bytes]:
    try:
        form = await request.form()
    except RequestEntityTooLarge as exc:
        raise PictureTooLarge(f"upload too large: at most {limits.max_bytes} bytes") from exc
    parts = form.getall(FIELD) if FIELD in form else []
    if not all(isinstance(part, UploadFile) for part in parts):
        raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE, f"{FIELD} must be files")
    return [await part.read() for part in parts]


async def upload(request: AnyRequest) -> Json:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    limits = _limits(moot.settings)
    stored = await images.upload(moot.db, moot.media, viewer, await _files(request, limits), limits)
    return {
        "msg": "ok",
        "files": [
            {
                "file": item.alias,
                "delete_token": item.delete_token,
                "details": {
                    "width": item.picture.width,
                    "height": item.picture.height,
                    "content_type": item.picture.content_type,
                    "created_at": stamp(item.published),
                },
            }
            for item in stored
        ],
    }


@get("/image/{filename:str}")
async def serve(
    request: AnyRequest, filename: str, format: str | None = None, thumbnail: int | None = None
) -> Response[bytes] | Redirect:
    check_rendition(format, thumbnail)
    moot = state(request)
    found = None
    if valid_name(filename):
        public = moot.media.public_url(filename)
        if public is not None and format is None and thumbnail is None:
            # 302, not 301: the store's address is a setting that may change.
            return Redirect(public, status_code=302)
        found = await images.rendition(
            moot.media, filename, format, thumbnail, moot.limiter, client_ip(request)
        )
    if found is None:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "no picture with this name")
    body, content_type = found
    return Response(body, media_type=content_type, headers={"cache-control": _IMMUTABLE})


@get("/image/delete/{token:str}/{filename:str}", status_code=204)
async def delete(request: AnyRequest, token: str, filename: str) -> None:
    moot = state(request)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    await images.delete(moot.db, moot.media, viewer, filename)


@get("/healthz", status_code=200)
async def healthz() -> Response[bytes]:
    return Response(b"", status_code=200)


def router(settings: Settings) -> Router:
    """The /pictrs routes; the upload's body limit follows the configured file size.

    pict-rs answers a stored upload with 201 and Lemmy passes that status on."""
    upload_handler = post(
        "/image",
        status_code=201,
        request_max_body_size=settings.image_max_bytes + _FRAMING_BYTES,
    )(upload)
    return Router(
        path="/pictrs",
        route_handlers=[upload_handler, serve, delete, healthz],
        exception_handlers={ApiError: _refusal},
    )
