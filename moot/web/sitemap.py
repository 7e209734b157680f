"""GET /sitemap.xml: the local posts of the last month for search engines, as Lemmy lists
them (not deleted or removed, newest first, at most one sitemap file's 50,000 URLs)."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import sqlalchemy as sa
from litestar import Response, get

from moot.actions.site import check_private_instance
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.private import PRIVATE
from moot.db.types import UtcDateTime, utcnow
from moot.web.pages import AnyRequest, state

SITEMAP_LIMIT = 50_000  # the sitemaps.org maximum for one file, and Lemmy's
SITEMAP_DAYS = 31
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


async def sitemap_posts(conn: Connection) -> list[Row]:
    """(ap_id, lastmod) of the posts a sitemap lists; the published range and order read
    the post table's published index backwards and stop at the limit."""
    p = m.post.c
    lastmod = sa.func.coalesce(p.updated, p.published, type_=UtcDateTime()).label("lastmod")
    return await conn.fetch_all(
        sa.select(p.ap_id, lastmod)
        .where(
            p.local,
            ~p.deleted,
            ~p.removed,
            p.published >= utcnow() - timedelta(days=SITEMAP_DAYS),
            # A private community's posts are for its approved followers only.
            ~p.community_id.in_(
                sa.select(m.community.c.id).where(m.community.c.visibility == PRIVATE)
            ),
        )
        .order_by(p.published.desc(), p.id.desc())
        .limit(SITEMAP_LIMIT)
    )


@get("/sitemap.xml", include_in_schema=False)
async def sitemap(request: AnyRequest) -> Response[bytes]:
    async with state(request).db.connection() as conn:
        await check_private_instance(conn, None)  # search engines do not log in
        rows = await sitemap_posts(conn)
    urlset = ET.Element("urlset", {"xmlns": NS})
    for row in rows:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = str(row["ap_id"])
        ET.SubElement(url, "lastmod").text = row["lastmod"].isoformat()
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/xml", headers={"Cache-Control": "max-age=3600"})


handlers = [sitemap]
