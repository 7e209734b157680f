"""Where uploaded pictures live: a small interface, and the local-directory backend.

Names are the pict-rs aliases moot makes itself (`<uuid>.<ext>`), never a client's file
name; `LocalStorage` still refuses anything that is not one plain file name, so no caller
can reach outside its directory. `S3Storage` (moot/media/s3.py) implements the same methods
on an S3-compatible object store, with the same layout of keys; `open_storage` picks the one
the settings name.

A picture's renditions (another format, a thumbnail: `GET /pictrs/image/{name}?format=
&thumbnail=`) are kept beside it, each rendered once, and go when the picture goes.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moot.config import Settings

__all__ = [
    "RENDITIONS",
    "LocalStorage",
    "Storage",
    "check_rendition_key",
    "open_storage",
    "valid_name",
]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,5}$")
# A rendition's key: the format and the size asked for ("png-256", "webp-full").
_KEY = re.compile(r"^[a-z0-9]{1,8}-[a-z0-9]{1,12}$")
# Renditions live in this directory of the root; no picture's name lacks a dot, so no
# picture can be called this.
RENDITIONS = "renditions"


def valid_name(name: str) -> bool:
    """A stored picture's name: letters, digits, `-` and `_`, one dot, a short extension."""
    return _NAME.fullmatch(name) is not None


def check_rendition_key(key: str) -> str:
    if _KEY.fullmatch(key) is None:
        raise ValueError(f"not a rendition's key: {key!r}")
    return key


class Storage(Protocol):
    async def put(self, name: str, data: bytes) -> None: ...

    async def get(self, name: str) -> bytes | None:
        """The stored bytes, or None when there is no such picture."""
        ...

    async def delete(self, name: str) -> None:
        """Removes the picture and its renditions; removing one that is not there is not an
        error."""
        ...

    async def get_rendition(self, name: str, key: str) -> bytes | None:
        """The picture's rendition stored under `key`, or None."""
        ...

    async def put_rendition(self, name: str, key: str, data: bytes) -> None:
        """Keeps a rendition; it is dropped again if its picture was deleted meanwhile."""
        ...

    def public_url(self, name: str) -> str | None:
        """Where readers can fetch the picture straight from the store, or None when moot
        serves it itself."""
        ...

    async def close(self) -> None: ...


def open_storage(settings: Settings) -> Storage:
    """The object store when MOOT_S3_ENDPOINT is set, else the media directory."""
    if not settings.s3_endpoint:
        return LocalStorage(settings.media_dir)
    from moot.media.s3 import S3Storage

    return S3Storage.from_settings(settings)


class LocalStorage:
    """One file per picture in a directory (by default `<data_dir>/media`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        if not valid_name(name):
            raise ValueError(f"not a stored picture's name: {name!r}")
        return self.root / name

    def _renditions(self, name: str) -> Path:
        return self.root / RENDITIONS / self._path(name).name

    def _rendition(self, name: str, key: str) -> Path:
        return self._renditions(name) / check_rendition_key(key)

    def public_url(self, name: str) -> None:
        return None

    async def close(self) -> None:
        return None

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees half a picture.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    async def put(self, name: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(name), data)

    async def get(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    def _delete(self, name: str) -> None:
        # The picture first, then its renditions: see `_keep_rendition` for why.
        self._path(name).unlink(missing_ok=True)
        shutil.rmtree(self._renditions(name), ignore_errors=True)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._delete, name)

    async def get_rendition(self, name: str, key: str) -> bytes | None:
        path = self._rendition(name, key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    def _keep_rendition(self, name: str, key: str, data: bytes) -> None:
        try:
            self._write(self._rendition(name, key), data)
        except FileNotFoundError:  # a delete removed the directory while this wrote
            return
        # Written, then the picture checked: a delete that removed the picture before this
        # check finds the rendition or is followed by this removal, so none outlives it.
        if not self._path(name).exists():
            shutil.rmtree(self._renditions(name), ignore_errors=True)

    async def put_rendition(self, name: str, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._keep_rendition, name, key, data)
