"""Pictures members upload: the one path for storing and deleting them (API and web).

An upload is checked and cleaned whole before anything is kept: one bad file in a batch
stores none of them. The picture is written to storage first and recorded second, so a
recorded alias always has its file; if the record fails the files are removed again.
Deleting is for the uploader or an admin; the delete token in the URL is not checked,
as in Lemmy 0.19, whose clients do not always keep it.

A rendition (another format or a thumbnail) is rendered once and kept beside its picture:
rendering costs seconds and hundreds of megabytes for a large picture, so a flood of the
same request must not repeat it. Renders that do happen take a token of the client's
rendition bucket (docs/decisions.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Database
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.media.decoding import decode
from moot.media.images import (
    LONGEST_SIDE,
    Limits,
    Picture,
    clean_upload,
    needed_thumbnail,
    render,
    rendition_key,
    rendition_type,
)
from moot.media.storage import Storage
from moot.ratelimit import RateLimitBucket, RateLimiter

__all__ = ["MAX_FILES", "Stored", "delete", "rendition", "upload"]

# pict-rs takes several `images[]` in one request; Lemmy's clients send one.
MAX_FILES = 10


@dataclass(frozen=True)
class Stored:
    alias: str
    delete_token: str
    picture: Picture
    published: datetime


async def upload(
    db: Database, storage: Storage, viewer: Viewer, files: list[bytes], limits: Limits
) -> list[Stored]:
    """Cleans, stores and records the viewer's pictures, in the order given."""
    if not files:
        raise ApiError(ErrorCode.NOT_AN_IMAGE_TYPE, "no images[] in the upload")
    if len(files) > MAX_FILES:
        raise ApiError(ErrorCode.PICTRS_RESPONSE_ERROR, f"at most {MAX_FILES} images at once")
    pictures = [await decode(clean_upload, data, limits) for data in files]
    now = utcnow()
    stored = [Stored(f"{uuid.uuid4()}.{p.extension}", str(uuid.uuid4()), p, now) for p in pictures]
    try:
        for item in stored:
            await storage.put(item.alias, item.picture.data)
        async with db.transaction() as tx:
            for item in stored:
                await tx.execute(
                    sa.insert(m.local_image).values(
                        pictrs_alias=item.alias,
                        local_user_id=viewer.local_user_id,
                        pictrs_delete_token=item.delete_token,
                        published=now,
                    )
                )
    except BaseException:
        for item in stored:
            await storage.delete(item.alias)
        raise
    return stored


async def delete(db: Database, storage: Storage, viewer: Viewer, alias: str) -> None:
    """Removes a picture and its record: the uploader's own, or any as an admin.

    Raises `ApiError(couldnt_find_object)` for an alias never uploaded here, and
    `ApiError(not_an_admin)` for someone else's picture."""
    t = m.local_image
    async with db.transaction() as tx:
        row = await tx.fetch_one(sa.select(t).where(t.c.pictrs_alias == alias))
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "no picture with this name")
        if row["local_user_id"] != viewer.local_user_id and not viewer.is_admin:
            raise ApiError(ErrorCode.NOT_AN_ADMIN)
        # Deletes meeting on one picture: the one whose statement removed the row says so,
        # the others find it gone, as a delete after it would.
        if not await tx.execute(sa.delete(t).where(t.c.pictrs_alias == alias)):
            raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "no picture with this name")
    # After the commit: a failure here leaves an unlisted file, never a listed hole.
    await storage.delete(alias)


async def rendition(
    storage: Storage,
    name: str,
    fmt: str | None,
    thumbnail: int | None,
    limiter: RateLimiter,
    client_ip: str,
) -> tuple[bytes, str] | None:
    """Picture `name` in format `fmt` and at most `thumbnail` pixels a side, and its content
    type: from the renditions kept, else rendered and kept. None: no such picture.

    Raises `ApiError(rate_limit_error)` when a render is needed and the client's rendition
    bucket is empty, `ApiError(pictrs_response_error)` for a format not available here."""
    if thumbnail is not None and thumbnail >= LONGEST_SIDE:
        thumbnail = None  # larger than any picture: nothing to shrink
    key = rendition_key(fmt, thumbnail)
    kept = await storage.get_rendition(name, key)
    if kept is not None:
        return kept, rendition_type(name, fmt)
    original = await storage.get(name)
    if original is None:
        return None
    size = await decode(needed_thumbnail, original, thumbnail)
    if fmt is None and size is None:
        return original, rendition_type(name, None)
    if size != thumbnail:  # larger than the picture: the full-size rendition serves
        key = rendition_key(fmt, size)
        kept = await storage.get_rendition(name, key)
        if kept is not None:
            return kept, rendition_type(name, fmt)
    await limiter.admit(RateLimitBucket.RENDITION, client_ip, f"a rendition of {name}")
    body, content_type = await decode(render, original, name, fmt, size)
    await storage.put_rendition(name, key, body)
    return body, content_type
