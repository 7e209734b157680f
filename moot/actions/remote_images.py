"""Remote pictures and the image proxy: the one place content is rewritten to it.

With image mode ProxyAllImages (`MOOT_IMAGE_MODE`), what is written (here or on another
instance) has its remote pictures rewritten to this instance's `/api/v3/image_proxy`, and
each rewritten link is recorded in `remote_image`: the proxy fetches only recorded links,
so it cannot be used to fetch anything else. In the other modes nothing is rewritten or
recorded, as in Lemmy 0.19.
"""

from __future__ import annotations

import sqlalchemy as sa

from moot.config import Settings
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.media.image_links import LINK_MAX_CHARS, is_remote, proxied, rewrite_markdown_images

__all__ = ["is_recorded", "proxy_link", "proxy_markdown"]


async def proxy_markdown(conn: Connection, settings: Settings, text: str) -> str:
    """`text` with its remote pictures proxied (ProxyAllImages), else as it is."""
    if not settings.proxy_all_images:
        return text
    rewritten, links = rewrite_markdown_images(text, settings.origin, settings.hostname)
    await _record(conn, links)
    return rewritten


async def proxy_link(conn: Connection, settings: Settings, link: str) -> str:
    """A picture's link (a post's image link or thumbnail), proxied if it is remote
    (ProxyAllImages), else as it is."""
    if not settings.proxy_all_images or not is_remote(link, settings.hostname):
        return link
    if len(link) > LINK_MAX_CHARS:
        return link  # never: post links are checked to be at most 2000 characters
    await _record(conn, [link])
    return proxied(link, settings.origin)


async def is_recorded(conn: Connection, link: str) -> bool:
    t = m.remote_image
    found = await conn.scalar(sa.select(sa.func.count()).where(t.c.link == link))
    return bool(found)


async def _record(conn: Connection, links: list[str]) -> None:
    # An upsert on the link: two writers naming the same picture both succeed.
    for link in links:
        await insert_if_absent(conn, m.remote_image, ("link",), link=link, published=utcnow())
