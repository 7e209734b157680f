"""Pictures fetched from other sites: for the image proxy and for stored link previews.

The fetch is `guarded_get`'s (public addresses only, a deadline, few redirects); the
answer is read to at most the upload byte limit, and must then pass exactly what an
upload passes (`clean_upload`: a picture of an accepted format, within the pixel limits,
re-encoded without its metadata). So whatever another site sends, this instance serves
only a clean PNG, JPEG, GIF, WebP or AVIF under its own content type.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid
from pathlib import Path
from typing import Final

import httpx

from moot import __version__
from moot.media.decoding import decode
from moot.media.guarded_fetch import guarded_get
from moot.media.images import Limits, Picture, PictureTooLarge, clean_upload

__all__ = ["CACHE_SECONDS", "ProxyCache", "fetch_picture"]

USER_AGENT: Final = f"Mozilla/5.0 (compatible; moot/{__version__}; image proxy)"
# How long a proxied picture is served from the cache before it is fetched again.
CACHE_SECONDS: Final = 24 * 3600
_EXTENSIONS: Final = ("png", "jpg", "gif", "webp", "avif")


async def fetch_picture(
    url: str,
    client: httpx.AsyncClient,
    limits: Limits,
    *,
    total_timeout: float = 10.0,
) -> Picture:
    """The picture at `url`, cleaned as an upload is.

    Raises `ApiError`: invalid_url or unknown for the fetch (see `guarded_get`),
    not_an_image_type, or pictrs_response_error for one over the limits."""

    async def read(response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise PictureTooLarge(f"picture too large: {declared} bytes")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limits.max_bytes:
                raise PictureTooLarge(f"picture too large: over {limits.max_bytes} bytes")
        return bytes(body)

    data = await guarded_get(
        url,
        client,
        read,
        headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
        total_timeout=total_timeout,
        what="picture",
    )
    return await decode(clean_upload, data, limits)


class ProxyCache:
    """Proxied pictures on disk, one file per link (named by its SHA-256, with the
    picture's extension), served while younger than `CACHE_SECONDS`. A stale file is
    replaced by the next fetch of its link, or removed by the scheduler's `prune`. It is a
    cache: losing it loses nothing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _stem(self, link: str) -> Path:
        return self.root / hashlib.sha256(link.encode("utf-8")).hexdigest()

    def _read(self, link: str) -> tuple[bytes, str] | None:
        stem = self._stem(link)
        for extension in _EXTENSIONS:
            path = stem.with_suffix(f".{extension}")
            try:
                if time.time() - path.stat().st_mtime > CACHE_SECONDS:
                    return None
                return path.read_bytes(), extension
            except FileNotFoundError:
                continue
        return None

    def _write(self, link: str, picture: Picture) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        stem = self._stem(link)
        tmp = stem.with_suffix(f".tmp-{uuid.uuid4().hex}")
        tmp.write_bytes(picture.data)
        for extension in _EXTENSIONS:  # a link whose picture changed format
            if extension != picture.extension:
                stem.with_suffix(f".{extension}").unlink(missing_ok=True)
        # Renamed into place: a reader never sees half a picture.
        os.replace(tmp, stem.with_suffix(f".{picture.extension}"))

    async def get(self, link: str) -> tuple[bytes, str] | None:
        """The cached picture and its extension, if fresh."""
        return await asyncio.to_thread(self._read, link)

    async def put(self, link: str, picture: Picture) -> None:
        await asyncio.to_thread(self._write, link, picture)

    def _rendition(self, link: str, key: str) -> Path:
        # Beside the picture: "<sha256>.png-64" never collides with "<sha256>.png".
        return self._stem(link).with_suffix(f".{key}")

    def _read_rendition(self, link: str, key: str) -> bytes | None:
        path = self._rendition(link, key)
        try:
            if time.time() - path.stat().st_mtime > CACHE_SECONDS:
                return None
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def _write_rendition(self, link: str, key: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._stem(link).with_suffix(f".tmp-{uuid.uuid4().hex}")
        tmp.write_bytes(data)
        os.replace(tmp, self._rendition(link, key))

    async def get_rendition(self, link: str, key: str) -> bytes | None:
        """A rendition of the picture (`images.rendition_key`), if fresh. It expires on its
        own clock, so it may show a picture replaced within the day, as any cache may."""
        return await asyncio.to_thread(self._read_rendition, link, key)

    async def put_rendition(self, link: str, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write_rendition, link, key, data)

    def _prune(self) -> int:
        removed = 0
        cutoff = time.time() - CACHE_SECONDS
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:  # another process pruned it first
                continue
        return removed

    async def prune(self) -> int:
        """Removes the stale files (and leftovers of interrupted writes); how many."""
        return await asyncio.to_thread(self._prune)
