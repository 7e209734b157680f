"""This instance's own pictures in the pages: linked site-relative (/pictrs/image/...), so
they show wherever the page was opened (a LAN address, a port forward, a first try with no
host name), whatever public address the stored URL was written with."""

from __future__ import annotations

from typing import Any

import jinja2

from moot.web.pages import state


@jinja2.pass_context
def own_picture(context: jinja2.runtime.Context, url: str | None) -> str | None:
    """`url` without this instance's origin when it is one of its uploads; any other address
    unchanged."""
    request: Any = context.get("request")
    if not url or request is None:
        return url
    origin = state(request).settings.origin
    if url.startswith(f"{origin}/pictrs/"):
        return url[len(origin) :]
    return url


def register_pictures(env: jinja2.Environment) -> None:
    env.filters["own_picture"] = own_picture
