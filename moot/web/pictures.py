"""This instance's own pictures in the pages: linked site-relative (/pictrs/image/...), so
they show wherever the page was opened (a LAN address, a port forward, a first try with no
host name), whatever public address the stored URL was written with. With the pictures on an
object store that readers reach (MOOT_S3_PUBLIC_URL), they are linked straight there."""

from __future__ import annotations

from typing import Any

import jinja2

from moot.media.storage import valid_name
from moot.web.pages import state

_IMAGE = "/pictrs/image/"


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


def register_pictures(env: jinja2.Environment) -> None:
    env.filters["own_picture"] = own_picture
