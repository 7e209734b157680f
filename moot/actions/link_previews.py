"""A link post's preview: title, description, video, content type and thumbnail.

Made when a post is written with a link, before the write's transaction (it fetches the
page, and maybe its picture, from the network; a transaction must not wait on that). What
the thumbnail is follows the image mode (`MOOT_IMAGE_MODE`), as Lemmy 0.19's
`generate_post_link_metadata` does:

- the picture is the link itself when the link is a picture, else the page's og:image;
- None: the thumbnail is that picture's remote address;
- StoreLinkPreviews: the picture is fetched, shrunk to at most 512 pixels a side and kept
  here, and the thumbnail is its /pictrs/image address (its `local_image` record has no
  uploader, so no member can delete it); if that fails, the remote address;
- ProxyAllImages: the remote address, which the write rewrites to the image proxy.

A page that cannot be fetched gives an empty preview, never an error: the post is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from moot import validation
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.types import utcnow
from moot.errors import ApiError
from moot.media.decoding import decode
from moot.media.images import Limits, render
from moot.media.remote_pictures import fetch_picture
from moot.media.site_metadata import SiteMetadata, fetch_site_metadata
from moot.state import Moot

__all__ = ["THUMBNAIL_SIZE", "LinkPreview", "preview_link"]

# Lemmy 0.19's pictrs.max_thumbnail_size default.
THUMBNAIL_SIZE: Final = 512


@dataclass(frozen=True)
class LinkPreview:
    title: str | None = None
    description: str | None = None
    embed_video_url: str | None = None
    content_type: str | None = None
    thumbnail_url: str | None = None

    @property
    def is_image(self) -> bool:
        return (self.content_type or "").startswith("image")


async def preview_link(moot: Moot, url: str, *, nsfw: bool = False) -> LinkPreview | None:
    """The preview of `url` as a post would store it; None for a link the post itself
    will refuse (the write then answers why). An NSFW post's picture is kept here only on
    a site that shows a content warning, as in Lemmy."""
    try:
        link = validation.clean_url(url)
        async with moot.db.connection() as conn:  # a blocked site is not even asked
            blocked = await conn.fetch_all(sa.select(m.url_blocklist.c.url))
        validation.check_url_not_blocked(link, [r["url"] for r in blocked])
    except ApiError:
        return None
    if not link.startswith(("http://", "https://")):
        return None
    assert moot.http is not None
    try:
        metadata = await fetch_site_metadata(link, moot.http)
    except ApiError:
        metadata = SiteMetadata()
    is_image = (metadata.content_type or "").startswith("image")
    picture = link if is_image else metadata.image
    thumbnail = picture
    keep_here = moot.settings.image_mode == "StoreLinkPreviews"
    if picture is not None and keep_here and (not nsfw or await _site_warns(moot)):
        thumbnail = await _stored_thumbnail(moot, picture) or picture
    return LinkPreview(
        title=metadata.title,
        description=metadata.description,
        embed_video_url=metadata.embed_video_url,
        content_type=metadata.content_type,
        thumbnail_url=thumbnail,
    )


async def _site_warns(moot: Moot) -> bool:
    async with moot.db.connection() as conn:
        site, _ = await load_site(conn)
    return bool(site["content_warning"])


async def _stored_thumbnail(moot: Moot, picture_url: str) -> str | None:
    """Fetch, shrink and keep the picture; its address here, or None if that failed."""
    settings = moot.settings
    assert moot.http is not None
    try:
        picture = await fetch_picture(
            picture_url,
            moot.http,
            Limits(settings.image_max_bytes, settings.image_max_pixels),
        )
        alias = f"{uuid.uuid4()}.{picture.extension}"
        data, _ = await decode(render, picture.data, alias, None, THUMBNAIL_SIZE)
    except ApiError:
        return None
    await moot.media.put(alias, data)
    try:
        async with moot.db.transaction() as tx:
            await tx.execute(
                sa.insert(m.local_image).values(
                    pictrs_alias=alias,
                    local_user_id=None,
                    pictrs_delete_token=str(uuid.uuid4()),
                    published=utcnow(),
                )
            )
    except BaseException:
        await moot.media.delete(alias)
        raise
    return f"{settings.origin}/pictrs/image/{alias}"
