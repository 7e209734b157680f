"""GET /api/v3/image_proxy?url=&format=&thumbnail=: a remote picture, served from here.

As in Lemmy 0.19, only links this instance rewrote to the proxy (`remote_image`, image
mode ProxyAllImages) are fetched, so it is no open proxy; any other link answers 404
`{"error": "unknown", "message": "Record not found"}`, in every image mode. The picture is
fetched with the guards and limits of `fetch_picture`, kept in a cache for a day, and
served in the asked format and size as /pictrs/image serves uploads.
"""

from __future__ import annotations

import asyncio

from litestar import Response, get

from moot.actions import remote_images
from moot.api.v3.context import AnyRequest, state
from moot.errors import ApiError, ErrorCode
from moot.media.images import FORMATS, Limits, render
from moot.media.remote_pictures import CACHE_SECONDS, ProxyCache, fetch_picture

__all__ = ["image_proxy"]


class NotRecorded(ApiError):
    """Lemmy looks the link up and passes the database's "not found" on: 404, code unknown."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UNKNOWN, "Record not found")

    @property
    def status(self) -> int:
        return 404


@get("/image_proxy")
async def image_proxy(
    request: AnyRequest, url: str, format: str | None = None, thumbnail: int | None = None
) -> Response[bytes]:
    if format is not None and format not in FORMATS:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, f"format must be one of {list(FORMATS)}")
    if thumbnail is not None and thumbnail < 1:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, "thumbnail must be a positive size")
    moot = state(request)
    async with moot.db.connection() as conn:
        if not await remote_images.is_recorded(conn, url):
            raise NotRecorded()
    cache = ProxyCache(moot.settings.image_cache_dir)
    cached = await cache.get(url)
    if cached is None:
        assert moot.http is not None
        limits = Limits(moot.settings.image_max_bytes, moot.settings.image_max_pixels)
        picture = await fetch_picture(url, moot.http, limits)
        await cache.put(url, picture)
        cached = picture.data, picture.extension
    data, extension = cached
    body, content_type = await asyncio.to_thread(
        render, data, f"proxied.{extension}", format, thumbnail
    )
    return Response(
        body,
        media_type=content_type,
        headers={
            "cache-control": f"public, max-age={CACHE_SECONDS}",
            "x-content-type-options": "nosniff",
        },
    )
