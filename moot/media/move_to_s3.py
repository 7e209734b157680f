"""Moving an instance's pictures from its media directory to the object store.

Each file is copied to the same key (`<name>`, `renditions/<name>/<key>`), checked there by
its MD5, and only then removed from disk; one the store already holds with the same bytes
is not sent again. So the move can be stopped at any point and run again: it carries on
with what is left, and a run with nothing left changes nothing. Pictures come before their
renditions, since a rendition whose picture is not in the store is dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from moot.media.s3 import S3Storage
from moot.media.storage import RENDITIONS, check_rendition_key, valid_name

__all__ = ["Moved", "local_files", "move_to_s3"]

# Uploads in flight at once: enough to hide the store's latency, few enough for one disk.
_IN_FLIGHT = 8


@dataclass
class Moved:
    sent: int = 0  # copied to the store
    already: int = 0  # the store held them already (an earlier, interrupted run)
    dropped: int = 0  # renditions of pictures that are gone


def _is_rendition(path: Path, root: Path) -> bool:
    try:
        check_rendition_key(path.name)
    except ValueError:
        return False
    return path.parent.parent == root / RENDITIONS and valid_name(path.parent.name)


def local_files(root: Path) -> tuple[list[Path], list[Path]]:
    """The pictures and the renditions in the media directory `root`; anything else there
    (half-written uploads, stray files) is left alone."""
    if not root.is_dir():
        return [], []
    pictures = sorted(p for p in root.iterdir() if p.is_file() and valid_name(p.name))
    renditions_dir = root / RENDITIONS
    renditions = sorted(
        p
        for p in (renditions_dir.glob("*/*") if renditions_dir.is_dir() else [])
        if p.is_file() and _is_rendition(p, root)
    )
    return pictures, renditions


async def _move_one(store: S3Storage, root: Path, path: Path, keep: bool, moved: Moved) -> None:
    data = await asyncio.to_thread(path.read_bytes)
    if path.parent == root:
        key = store.key_of(path.name)
        if await store.holds(key, data):
            moved.already += 1
        else:
            await store.put(path.name, data)
            moved.sent += 1
    else:
        name, rendition = path.parent.name, path.name
        key = store.rendition_key_of(name, rendition)
        if await store.holds(key, data):
            moved.already += 1
        else:
            await store.put_rendition(name, rendition, data)
            if await store.holds(key, data):
                moved.sent += 1
            else:  # its picture is in neither place: nothing would ever show it
                moved.dropped += 1
    if not keep:
        await asyncio.to_thread(path.unlink, missing_ok=True)


async def move_to_s3(
    store: S3Storage, root: Path, keep: bool = False, advance: Callable[[], None] = lambda: None
) -> Moved:
    """Copies every picture and rendition under `root` to `store`, removing each local file
    once the store holds it (unless `keep`). `advance` is called after each file."""
    pictures, renditions = local_files(root)
    moved = Moved()
    gate = asyncio.Semaphore(_IN_FLIGHT)

    async def one(path: Path) -> None:
        async with gate:
            await _move_one(store, root, path, keep, moved)
        advance()

    for batch in (pictures, renditions):
        async with asyncio.TaskGroup() as group:
            for path in batch:
                group.create_task(one(path))
    if not keep:
        for folder in (root / RENDITIONS).glob("*"):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return moved
