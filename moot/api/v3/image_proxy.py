"""GET /api/v3/image_proxy?url=&format=&thumbnail=: a remote picture, served from here.

As in Lemmy 0.19, only links this instance rewrote to the proxy (`remote_image`, image
mode ProxyAllImages) are fetched, so it is no open proxy; any other link answers 404
`{"error": "unknown", "message": "Record not found"}`, in every image mode. The picture is
fetched with the guards and limits of `fetch_picture`, kept in a cache for a day, and
served in the asked format and size as /pictrs/image serves uploads: each rendition is
rendered once, for a token of the client's rendition bucket, and kept in the cache for a
day as the picture is.
"""

from __future__ import annotations

from litestar import Response, get

from moot.actions import remote_images
from moot.errors import ApiError, ErrorCode
from moot.media.decoding import decode
from moot.media.images import (
    LONGEST_SIDE,
    Limits,
    check_rendition,
    content_type_of,
    render,
    rendition_key,
    rendition_type,
)
from moot.media.remote_pictures import CACHE_SECONDS, ProxyCache, fetch_picture
from moot.ratelimit import RateLimitBucket
from moot.request_context import AnyRequest, client_ip, state

__all__ = ["image_proxy"]


class NotRecorded(ApiError):
    """Lemmy looks the link up and passes the database's "not found" on: 404, code unknown."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UNKNOWN, "Record not found")

    @property
    def status(self) -> int:
        return 404


async def _rendition(
    request: AnyRequest,
    cache: ProxyCache,
    url: str,
    name: str,
    data: bytes,
    fmt: str | None,
    thumbnail: int | None,
) -> tuple[bytes, str]:
    """The proxied picture in another format or size: kept in the cache as the picture is,
    else rendered for a token of the client's rendition bucket."""
    key = rendition_key(fmt, thumbnail)
    kept = await cache.get_rendition(url, key)
    if kept is not None:
        return kept, rendition_type(name, fmt)
    await state(request).limiter.admit(RateLimitBucket.RENDITION, client_ip(request), url[:200])
    body, content_type = await decode(render, data, name, fmt, thumbnail)
    await cache.put_rendition(url, key, body)
    return body, content_type


@get("/image_proxy")
async def image_proxy(
    request: AnyRequest, url: str, format: str | None = None, thumbnail: int | None = None
) -> Response[bytes]:
    check_rendition(format, thumbnail)
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
    name = f"proxied.{extension}"
    if thumbnail is not None and thumbnail >= LONGEST_SIDE:
        thumbnail = None  # larger than any picture: nothing to shrink
    if format is None and thumbnail is None:
        body, content_type = data, content_type_of(name)
    else:
        body, content_type = await _rendition(request, cache, url, name, data, format, thumbnail)
    return Response(
        body,
        media_type=content_type,
        headers={
            "cache-control": f"public, max-age={CACHE_SECONDS}",
            "x-content-type-options": "nosniff",
        },
    )
