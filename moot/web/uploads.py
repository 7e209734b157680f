"""Pictures sent with a web form (a post's image): stored through the same action as the
API's /pictrs/image, so the same checks, cleaning and limits apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.datastructures import UploadFile

from moot.actions import images
from moot.auth import Viewer
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
