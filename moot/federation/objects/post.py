"""Page: a post as Lemmy sends it, and the post fields a received Page gives the action."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from moot.db.engine import Row
from moot.federation.objects.common import (
    language_id,
    language_tag,
    markdown_of,
    plain_first_line,
    source,
    stamp,
    web_url,
)
from moot.federation.objects.tags import page_tag_urls, tag_json
from moot.federation.protocol.common import PUBLIC, ImageRef, Tag
from moot.federation.protocol.objects import Attachment, Note, Page
from moot.federation.protocol.parse import ParseError, convert

TITLE_MAX = 200


def _link(post: Row) -> list[dict[str, Any]]:
    if not post["url"]:
        return []
    if (post["url_content_type"] or "").startswith("image/"):
        out: dict[str, Any] = {"type": "Image", "url": post["url"]}
        if post["alt_text"]:
            out["name"] = post["alt_text"]
        return [out]
    return [{"type": "Link", "href": post["url"]}]


def page_json(post: Row, creator_actor: str, community: Row, tags: Sequence[Row] = ()) -> Page:
    """`tags`: the post's live community tags, listed in `tag` as Lemmy 1.0 does."""
    community_actor = str(community["actor_id"])
    return Page(
        type="Page",
        id=post["ap_id"],
        attributed_to=creator_actor,
        to=[community_actor, PUBLIC],
        cc=[],
        audience=community_actor,
        name=post["name"],
        content=post["body_html"] or None,
        media_type="text/html",
        source=source(post["body"]),
        attachment=_link(post),
        image=ImageRef(type="Image", url=post["thumbnail_url"]) if post["thumbnail_url"] else None,
        sensitive=bool(post["nsfw"]),
        language=language_tag(post["language_id"]),
        # Lemmy tags each post with its community as a hashtag.
        tag=[
            *(tag_json(t) for t in tags),
            Tag(type="Hashtag", href=post["ap_id"], name=f"#{community['name']}"),
        ],
        published=stamp(post["published"]),
        updated=stamp(post["updated"]),
    )


def attachments(page_attachment: list[dict[str, Any]] | None) -> list[Attachment]:
    """A Page's attachments; Lemmy refuses the whole post if one is not Link/Image/Document."""
    out = []
    for item in page_attachment or []:
        parsed = convert(item, Attachment)
        if parsed.type not in ("Link", "Image", "Document"):
            raise ParseError(f"attachment of type {parsed.type!r} is not a Link, Image or Document")
        out.append(parsed)
    return out


def _title(page: Page | Note, community_name: str) -> str:
    if page.name and page.name.strip():
        return page.name.strip().splitlines()[0][:TITLE_MAX]
    first = plain_first_line(page.content, 1000)
    first = re.sub(rf"@{re.escape(community_name)}\b(@[\w.:-]+)?", "", first).strip()
    return first[:TITLE_MAX] or "(untitled)"


def post_fields(page: Page | Note, community_name: str) -> dict[str, Any]:
    """The `changes` the create and edit actions take, from a received Page (or a Note
    that stands for one, as Mastodon's toots to a community do)."""
    thumbnail = page.image if isinstance(page, Page) else None
    found = attachments(page.attachment)
    url, alt = None, None
    if found:
        first = found[0]
        url = first.href if first.type == "Link" else first.url
        alt = first.name if first.type == "Image" else None
    elif page.type == "Video":
        url = page.id
    return {
        "name": _title(page, community_name),
        "url": web_url(url) or "",
        "body": markdown_of(page.content, page.media_type, page.source),
        "nsfw": bool(page.sensitive),
        "language_id": language_id(page.language),
        "alt_text": (alt or "")[:1500],
        "custom_thumbnail": web_url(thumbnail.url) if thumbnail else "",
        # Ids of the community's tags; the ingest turns them into this instance's ids.
        "tag_urls": page_tag_urls(page.tag),
    }
