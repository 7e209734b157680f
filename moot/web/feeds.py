"""RSS 2.0 feeds, at Lemmy's addresses: /feeds/all.xml, /feeds/local.xml, and
/feeds/{c,u,front,inbox}/{name}.xml (front and inbox name a login token).

A feed is the page of posts the same listing query gives the web front page (moot/db/
listings.py), rendered with xml.etree so every title and body is escaped as text; a post's
body goes in as its sanitised HTML, which a reader unescapes once and shows.
"""

from __future__ import annotations

from email.utils import format_datetime
from html import escape
from xml.etree import ElementTree as ET

from litestar import Response, get

from moot.actions.site import check_private_instance, load_site
from moot.auth import Viewer, viewer_for_token
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.db.notifications import MENTIONS, REPLIES, list_notices
from moot.db.post_listing import PostFilter, list_posts, member_filters
from moot.errors import ApiError, ErrorCode
from moot.text.markdown import render_markdown
from moot.web.choices import POST_SORTS
from moot.web.pages import AnyRequest, state

FEED_LIMIT = 20  # items when the reader asks for no `limit`, as Lemmy
DEFAULT_SORT = "Hot"  # Lemmy's feeds default to Hot, whatever the site's default sort
DC = "http://purl.org/dc/elements/1.1/"
RSS_TYPE = "application/rss+xml"
ET.register_namespace("dc", DC)


def _sort(requested: str | None) -> str:
    sort = requested or DEFAULT_SORT
    if sort not in POST_SORTS:
        raise ApiError(ErrorCode.INVALID_QUERY, f"unknown sort {sort}")
    return sort


def _channel(title: str, link: str, description: str) -> tuple[ET.Element, ET.Element]:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, value in (("title", title), ("link", link), ("description", description)):
        ET.SubElement(channel, tag).text = value
    return rss, channel


def _item(channel: ET.Element, fields: dict[str, str], creator: str) -> None:
    item = ET.SubElement(channel, "item")
    for tag, value in fields.items():
        ET.SubElement(item, tag).text = value
    item.find("guid").set("isPermaLink", "true")  # type: ignore[union-attr]
    ET.SubElement(item, f"{{{DC}}}creator").text = creator


def _xml(rss: ET.Element, *, cache: str) -> Response[bytes]:
    body = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=RSS_TYPE, headers={"Cache-Control": cache})


def _html(markdown: str | None, stored_html: str | None) -> str:
    if stored_html:
        return stored_html
    return render_markdown(markdown) if markdown else ""


async def _post_items(conn: Connection, channel: ET.Element, origin: str, posts: list[Row]) -> None:
    people = await queries.rows_by_id(conn, m.person, {int(p["creator_id"]) for p in posts})
    places = await queries.rows_by_id(conn, m.community, {int(p["community_id"]) for p in posts})
    for post in posts:
        creator, community = people[int(post["creator_id"])], places[int(post["community_id"])]
        page = f"{origin}/post/{post['id']}"
        # The description is HTML carried as text: the XML writer escapes it once, the
        # reader unescapes it once and shows the HTML.
        comments = f"{post['comments']} comments"
        description = (
            f"submitted by {_a(creator['actor_id'], creator['name'])}"
            f" to {_a(community['actor_id'], community['name'])}"
            f"<br>{post['score']} points | {_a(page, comments)}"
        )
        if post["url"]:
            description += f"<br>{_a(post['url'], post['url'])}"
        description += _html(post["body"], post["body_html"])
        fields = {
            "title": str(post["name"]),
            "link": str(post["url"] or page),
            "guid": page,
            "pubDate": format_datetime(post["published"]),
            "comments": page,
            "description": description,
        }
        _item(channel, fields, str(creator["actor_id"]))


def _a(href: object, text: object) -> str:
    return f'<a href="{escape(str(href))}">{escape(str(text))}</a>'


async def _posts(conn: Connection, f: PostFilter, page: int | None, limit: int | None) -> list[Row]:
    page_no, size = check_page(
        page, FEED_LIMIT if limit is None else limit, ErrorCode.COULDNT_GET_POSTS
    )
    return await list_posts(conn, f, page_no, size)


async def _site_feed(
    request: AnyRequest, listing_type: str, sort: str | None, page: int | None, limit: int | None
) -> Response[bytes]:
    moot = state(request)
    async with moot.db.connection() as conn:
        await check_private_instance(conn, None)  # a feed reader sends no login
        site, _ = await load_site(conn)
        f = PostFilter(listing_type=listing_type, sort=_sort(sort))
        posts = await _posts(conn, f, page, limit)
        rss, channel = _channel(
            f"{site['name']} - {listing_type}", moot.settings.origin, str(site["description"] or "")
        )
        await _post_items(conn, channel, moot.settings.origin, posts)
    return _xml(rss, cache="public, max-age=3600")


@get("/feeds/all.xml", include_in_schema=False)
async def all_feed(
    request: AnyRequest, sort: str | None = None, page: int | None = None, limit: int | None = None
) -> Response[bytes]:
    return await _site_feed(request, "All", sort, page, limit)


@get("/feeds/local.xml", include_in_schema=False)
async def local_feed(
    request: AnyRequest, sort: str | None = None, page: int | None = None, limit: int | None = None
) -> Response[bytes]:
    return await _site_feed(request, "Local", sort, page, limit)


async def _viewer(conn: Connection, jwt: str) -> Viewer:
    viewer = await viewer_for_token(conn, jwt)
    if viewer is None:
        raise ApiError(ErrorCode.INCORRECT_LOGIN)
    return viewer


@get("/feeds/{kind:str}/{name:str}", include_in_schema=False)
async def named_feed(
    request: AnyRequest,
    kind: str,
    name: str,
    sort: str | None = None,
    page: int | None = None,
    limit: int | None = None,
) -> Response[bytes]:
    if not name.endswith(".xml"):
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    name = name.removesuffix(".xml")
    moot = state(request)
    origin = moot.settings.origin
    async with moot.db.connection() as conn:
        site, _ = await load_site(conn)
        prefix = f"{site['name']} - "
        if kind in ("c", "u"):
            await check_private_instance(conn, None)  # only front and inbox name a login
        if kind == "c":
            community = await queries.community_by_name(conn, name)
            if (
                community is None
                or not community["local"]
                or community["deleted"]
                or community["removed"]
            ):
                raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
            f = PostFilter(sort=_sort(sort), community_id=int(community["id"]))
            description = _html(community["description"], community["description_html"])
            rss, channel = _channel(
                prefix + str(community["name"]), str(community["actor_id"]), description
            )
        elif kind == "u":
            person = await queries.person_by_name(conn, name)
            if person is None or not person["local"] or person["deleted"]:
                raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
            f = PostFilter(sort=_sort(sort), creator_id=int(person["id"]))
            rss, channel = _channel(prefix + str(person["name"]), str(person["actor_id"]), "")
        elif kind == "front":
            viewer = await _viewer(conn, name)
            user = viewer.local_user
            f = PostFilter(
                listing_type="Subscribed",
                sort=_sort(sort),
                viewer_id=viewer.person_id,
                viewer_local_user_id=viewer.local_user_id,
                show_read=bool(user["show_read_posts"]),
                show_nsfw=bool(user["show_nsfw"]),
                show_bots=bool(user["show_bot_accounts"]),
                **member_filters(user),
            )
            rss, channel = _channel(prefix + "Subscribed", origin, str(site["description"] or ""))
        elif kind == "inbox":
            viewer = await _viewer(conn, name)
            rss, channel = _channel(
                prefix + "Inbox", f"{origin}/inbox", str(site["description"] or "")
            )
            await _inbox_items(conn, channel, origin, viewer)
            return _xml(rss, cache="private")
        else:
            raise ApiError(ErrorCode.INVALID_QUERY, f"unknown feed type {kind}")
        await _post_items(conn, channel, origin, await _posts(conn, f, page, limit))
    return _xml(rss, cache="private" if kind == "front" else "public, max-age=3600")


async def _inbox_items(conn: Connection, channel: ET.Element, origin: str, viewer: Viewer) -> None:
    """The newest replies, then the newest mentions (each up to FEED_LIMIT), as Lemmy."""
    comments: list[Row] = []
    for table in (REPLIES, MENTIONS):
        notices = await list_notices(
            conn, table, viewer.person_id, sort="New", unread_only=False, page=1, limit=FEED_LIMIT
        )
        comments += [comment for _, comment in notices]
    people = await queries.rows_by_id(conn, m.person, {int(c["creator_id"]) for c in comments})
    for comment in comments:
        author = people[int(comment["creator_id"])]
        page = f"{origin}/comment/{comment['id']}"
        fields = {
            "title": f"Reply from {author['name']}",
            "link": page,
            "guid": page,
            "pubDate": format_datetime(comment["published"]),
            "comments": page,
            "description": _html(comment["content"], comment["content_html"]),
        }
        _item(channel, fields, str(author["actor_id"]))


handlers = [all_feed, local_feed, named_feed]
