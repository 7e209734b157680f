"""Pictures fetched from elsewhere: the guards, the limits and the proxy's cache."""

from __future__ import annotations

import io
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from moot.errors import ApiError, ErrorCode
from moot.media.images import Limits, PictureTooLarge
from moot.media.remote_pictures import CACHE_SECONDS, ProxyCache, fetch_picture
from moot.outbound import checked_transport
from tests.media.test_site_metadata import RawHttpServer, raw

LIMITS = Limits(max_bytes=100_000, max_pixels=1_000_000)


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (30, 20), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
async def server() -> AsyncIterator[RawHttpServer]:
    srv = RawHttpServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """A client that may reach 127.0.0.1, as in federation test mode."""
    transport = checked_transport(allow_private=True)
    async with httpx.AsyncClient(transport=transport, trust_env=False) as c:
        yield c


async def test_a_private_address_is_never_fetched(server: RawHttpServer) -> None:
    server.routes["/p.jpg"] = raw(_jpeg_with_exif(), "image/jpeg")
    port = server.base.rsplit(":", 1)[1]
    async with httpx.AsyncClient(transport=checked_transport(allow_private=False)) as client:
        for url in (server.url("/p.jpg"), f"http://localhost:{port}/p.jpg"):
            with pytest.raises(ApiError) as info:
                await fetch_picture(url, client, LIMITS)
            assert info.value.code is ErrorCode.INVALID_URL
    assert server.requests == []


async def test_a_picture_is_cleaned_as_an_upload(
    server: RawHttpServer, client: httpx.AsyncClient
) -> None:
    server.routes["/p.jpg"] = raw(_jpeg_with_exif(), "application/octet-stream")
    picture = await fetch_picture(server.url("/p.jpg"), client, LIMITS)
    # The type comes from the bytes, not from what the site said; the EXIF is gone.
    assert (picture.content_type, picture.width, picture.height) == ("image/jpeg", 30, 20)
    assert b"Secret Camera Maker" not in picture.data
    assert server.requests[0][1]["accept"] == "image/*"


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "image/svg+xml",
            ErrorCode.NOT_AN_IMAGE_TYPE,
        ),
        (b"just text", "text/plain", ErrorCode.NOT_AN_IMAGE_TYPE),
        (b"\0" * (LIMITS.max_bytes + 1), "image/png", ErrorCode.PICTRS_RESPONSE_ERROR),
    ],
)
async def test_only_pictures_within_the_limits(
    server: RawHttpServer,
    client: httpx.AsyncClient,
    body: bytes,
    content_type: str,
    error: ErrorCode,
) -> None:
    server.routes["/x"] = raw(body, content_type)
    with pytest.raises(ApiError) as info:
        await fetch_picture(server.url("/x"), client, LIMITS)
    assert info.value.code is error
    if error is ErrorCode.PICTRS_RESPONSE_ERROR:
        assert isinstance(info.value, PictureTooLarge)


async def test_the_cache_keeps_a_picture_per_link(
    server: RawHttpServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    server.routes["/p.jpg"] = raw(_jpeg_with_exif(), "image/jpeg")
    cache = ProxyCache(tmp_path / "cache")
    link = server.url("/p.jpg")
    assert await cache.get(link) is None
    picture = await fetch_picture(link, client, LIMITS)
    await cache.put(link, picture)
    assert await cache.get(link) == (picture.data, "jpg")
    assert await cache.get(link + "?other") is None
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".jpg"]

    # A file older than the cache keeps pictures is neither served nor kept.
    (stored,) = (tmp_path / "cache").iterdir()
    assert await cache.prune() == 0
    old = time.time() - CACHE_SECONDS - 60
    os.utime(stored, (old, old))
    assert await cache.get(link) is None
    assert await cache.prune() == 1
    assert list((tmp_path / "cache").iterdir()) == []
