"""Pictures in the pages.

This instance's own pictures are linked site-relative (/pictrs/image/...), so they show
wherever the page was opened (a LAN address, a port forward, a first try with no host name),
whatever public address the stored URL was written with. With the pictures on an object
store that readers reach (MOOT_S3_PUBLIC_URL), they are linked straight there.

Also here: which posts are pictures, what a card shows beside a post, and whose eyes an NSFW
picture is blurred for, so that a list's card and a post's page decide these alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import jinja2

from moot.media.storage import valid_name
from moot.web.pages import state

_IMAGE = "/pictrs/image/"
# The names a picture's address ends with, for a link whose content type was never fetched
# (a picture uploaded from the form, a fetch that failed), as Lemmy's UI guesses them.
_PICTURE_ENDINGS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg")


@jinja2.pass_context
def own_picture(context: jinja2.runtime.Context, url: str | None) -> str | None:
    """`url` without this instance's origin when it is one of its uploads (or at the object
    store, when readers fetch pictures there); any other address unchanged."""
    request: Any = context.get("request")
    if not url or request is None:
        return url
    moot = state(request)
    origin = moot.settings.origin
    if not url.startswith(f"{origin}/pictrs/"):
        return url
    path = url[len(origin) :]
    if path.startswith(_IMAGE) and valid_name(path[len(_IMAGE) :]):
        return moot.media.public_url(path[len(_IMAGE) :]) or path
    return path


@jinja2.pass_context
def small_picture(context: jinja2.runtime.Context, url: str | None, size: int) -> str | None:
    """`own_picture(url)`, shrunk by this server to `size` pixels a side when it serves the
    picture itself: a list would otherwise load every upload at its full size to show it
    at 72 pixels. Other servers' pictures are shown as they are."""
    shown = own_picture(context, url)
    if shown and shown.startswith(_IMAGE):
        return f"{shown}?thumbnail={size}"
    return shown


def is_picture(post: Mapping[str, Any]) -> bool:
    """Whether a post's link is a picture: as its fetched content type says, else as its
    address ends."""
    url = post["url"]
    if not url:
        return False
    fetched = post.get("url_content_type")
    if fetched:
        return str(fetched).startswith("image/")
    return urlsplit(str(url)).path.lower().endswith(_PICTURE_ENDINGS)


def thumbnail_of(post: Mapping[str, Any]) -> str | None:
    """What a card shows beside a post: its thumbnail, else its link when that is a picture
    (the browser sizes it down, as Lemmy's UI does)."""
    return post["thumbnail_url"] or (post["url"] if is_picture(post) else None)


def blurs_nsfw(context: jinja2.runtime.Context) -> bool:
    """Whether the viewer's NSFW pictures are blurred: always for a visitor, for a member
    unless they turned blurring off (`blur_nsfw`, on by default), as in Lemmy."""
    page: Any = context.get("page")
    return page is None or bool(page.blur_nsfw)


@jinja2.pass_context
def shows_avatars(context: jinja2.runtime.Context) -> bool:
    """Whether the viewer sees people's avatars and communities' icons in lists (a member may
    turn them off: `show_avatars`)."""
    page: Any = context.get("page")
    return page is None or bool(page.show_avatars)


def is_nsfw(post: Mapping[str, Any], community: Mapping[str, Any]) -> bool:
    """A post's pictures are NSFW when it is, or when its community is."""
    return bool(post["nsfw"] or community.get("nsfw"))


@jinja2.pass_context
def blurred(
    context: jinja2.runtime.Context, post: Mapping[str, Any], community: Mapping[str, Any]
) -> bool:
    """Whether this post's pictures are blurred for the viewer."""
    return is_nsfw(post, community) and blurs_nsfw(context)


def register_pictures(env: jinja2.Environment) -> None:
    env.filters["own_picture"] = own_picture
    env.filters["small_picture"] = small_picture
    env.globals.update(
        is_picture=is_picture,
        thumbnail_of=thumbnail_of,
        blurred=blurred,
        shows_avatars=shows_avatars,
    )
