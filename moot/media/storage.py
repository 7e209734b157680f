"""Where uploaded pictures live: a small interface, and the local-directory backend.

Names are the pict-rs aliases moot makes itself (`<uuid>.<ext>`), never a client's file
name; `LocalStorage` still refuses anything that is not one plain file name, so no caller
can reach outside its directory. An S3-compatible backend implements the same three
methods (docs/decisions.md).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

__all__ = ["LocalStorage", "Storage", "valid_name"]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,5}$")


def valid_name(name: str) -> bool:
    """A stored picture's name: letters, digits, `-` and `_`, one dot, a short extension."""
    return _NAME.fullmatch(name) is not None


class Storage(Protocol):
    async def put(self, name: str, data: bytes) -> None: ...

    async def get(self, name: str) -> bytes | None:
        """The stored bytes, or None when there is no such picture."""
        ...

    async def delete(self, name: str) -> None:
        """Removes the picture; removing one that is not there is not an error."""
        ...


class LocalStorage:
    """One file per picture in a directory (by default `<data_dir>/media`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        if not valid_name(name):
            raise ValueError(f"not a stored picture's name: {name!r}")
        return self.root / name

    def _write(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees half a picture.
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
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

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._path(name).unlink, missing_ok=True)
