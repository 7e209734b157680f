"""Pictures sent with a web form (a post's image, an avatar, a community's or the site's
icon, a custom emoji): stored through the same action as the API's /pictrs/image, so the
same checks, cleaning and limits apply; a replaced picture of one's own is deleted again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from litestar.datastructures import UploadFile

from moot.actions import images
from moot.auth import Viewer
from moot.db import models as m
from moot.errors import ApiError, ErrorCode
from moot.media.images import Limits
from moot.state import Moot

# The web's own request limit is 1 MiB; a form carrying a picture may be as big as a
# picture may be (the image check then applies the configured limit exactly).
FORM_WITH_PICTURE_MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Uploaded:
    alias: str
    url: str


async def picture_from(moot: Moot, viewer: Viewer, form: Any, field: str) -> Uploaded | None:
    """The picture in `field`, stored and recorded as the viewer's; None if none was chosen
    (browsers send an empty part for an untouched file input)."""
    part = form.get(field)
    if not isinstance(part, UploadFile) or not part.filename:
        return None
    data = await part.read()
    if not data:
        return None
    limits = Limits(
        max_bytes=moot.settings.image_max_bytes, max_pixels=moot.settings.image_max_pixels
    )
    stored = (await images.upload(moot.db, moot.media, viewer, [data], limits))[0]
    return Uploaded(stored.alias, f"{moot.settings.origin}/pictrs/image/{stored.alias}")


async def discard(moot: Moot, viewer: Viewer, uploaded: Uploaded | None) -> None:
    """Take back a picture whose form was refused, so a failed post leaves nothing behind."""
    if uploaded is not None:
        await images.delete(moot.db, moot.media, viewer, uploaded.alias)


async def pictures_from(
    moot: Moot, viewer: Viewer, form: Any, keys: Iterable[str], changes: dict[str, Any]
) -> list[Uploaded]:
    """Stores the file chosen for each of `keys` (the field `{key}_file`) and puts its
    address in `changes[key]`: a file wins over the address field. If one is refused, those
    stored before it are taken back; otherwise the caller discards them if the form fails."""
    chosen: list[Uploaded] = []
    try:
        for key in keys:
            picture = await picture_from(moot, viewer, form, f"{key}_file")
            if picture is not None:
                chosen.append(picture)
                changes[key] = picture.url
    except ApiError:
        for picture in chosen:
            await discard(moot, viewer, picture)
        raise
    return chosen


def _alias_of(moot: Moot, url: str | None) -> str | None:
    prefix = f"{moot.settings.origin}/pictrs/image/"
    if not url or not url.startswith(prefix) or "/" in url[len(prefix) :]:
        return None
    return url[len(prefix) :]


async def _still_shown(moot: Moot, url: str) -> bool:
    """Whether any avatar, banner, icon or custom emoji still points at `url`. These
    columns carry no index; the scan runs only when a local upload was just replaced, which
    is rare."""
    person, community, site = m.person.c, m.community.c, m.site.c
    async with moot.db.connection() as conn:
        found = await conn.scalar(
            sa.select(
                sa.or_(
                    sa.exists().where(sa.or_(person.avatar == url, person.banner == url)),
                    sa.exists().where(sa.or_(community.icon == url, community.banner == url)),
                    sa.exists().where(sa.or_(site.icon == url, site.banner == url)),
                    sa.exists().where(m.custom_emoji.c.image_url == url),
                )
            )
        )
    return bool(found)


async def release_replaced(moot: Moot, viewer: Viewer, old: str | None, new: str | None) -> None:
    """After a saved change from `old` to `new`: delete `old` from storage when it was this
    member's own upload here and nothing shows it any more. Someone else's picture, a
    remote address or one still used elsewhere is left alone."""
    alias = _alias_of(moot, old)
    if alias is None or old == new:
        return
    t = m.local_image
    async with moot.db.connection() as conn:
        owner = await conn.scalar(sa.select(t.c.local_user_id).where(t.c.pictrs_alias == alias))
    if owner != viewer.local_user_id or await _still_shown(moot, str(old)):
        return
    try:
        await images.delete(moot.db, moot.media, viewer, alias)
    except ApiError as exc:
        # Two saves that replaced the same picture both let it go: one deletes it.
        if exc.code is not ErrorCode.COULDNT_FIND_OBJECT:
            raise
