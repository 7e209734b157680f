"""The RSS feeds (/feeds/...) and /sitemap.xml against a live server: they parse, list the
listing's posts in its order, leave out what a listing hides, and carry every user text
escaped (a post body's HTML is text inside the XML, never markup of the feed itself)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests.conftest import Api, register, unique
from tests.servers import Server

DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BODY = "**bold** and <script>alert('x')</script> & <img src=x onerror=alert(1)>"
TITLE = "Fish & <b>chips</b>"


@dataclass(frozen=True)
class World:
    server: Server
    community: str
    author_name: str
    author_actor: str
    follower: Api
    follower_jwt: str
    posts: dict[str, dict[str, Any]]  # key → the API's post row


def _post(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = api.ok("POST", "/post", body)["post_view"]["post"]
    return row


@pytest.fixture(scope="module")
def world(server: Server, admin: Api) -> World:
    token = unique("feed")
    author_name = f"{token}a"
    author = register(server, author_name)
    follower_name = f"{token}f"
    follower = register(server, follower_name)
    follower_jwt = str(follower.http.headers["Authorization"]).removeprefix("Bearer ")
    made = author.ok("POST", "/community", {"name": f"{token}_c", "title": "Feeds"})
    cid = int(made["community_view"]["community"]["id"])
    follower.ok("POST", "/community/follow", {"community_id": cid, "follow": True})
    posts = {
        "old": _post(author, {"name": TITLE, "community_id": cid, "body": BODY}),
        "removed": _post(author, {"name": "Removed", "community_id": cid}),
        "remote": _post(author, {"name": "From elsewhere", "community_id": cid}),
        "new": _post(
            author, {"name": "Newest", "community_id": cid, "url": "https://example.com/a?b=1&c=2"}
        ),
    }
    admin.ok(
        "POST", "/post/remove", {"post_id": posts["removed"]["id"], "removed": True, "reason": "x"}
    )
    # A post as federation would leave one (cheaper than a peer): not ours to put in a
    # sitemap.
    server.make_remote(f"UPDATE post SET local = false WHERE id = {posts['remote']['id']}")
    comment = follower.ok(
        "POST", "/comment", {"post_id": posts["new"]["id"], "content": "a *question*"}
    )
    author.ok(
        "POST",
        "/comment",
        {
            "post_id": posts["new"]["id"],
            "parent_id": comment["comment_view"]["comment"]["id"],
            "content": "an <i>answer</i> & more",
        },
    )
    actor = author.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["actor_id"]
    return World(server, f"{token}_c", author_name, actor, follower, follower_jwt, posts)


def _fetch(server: Server, path: str, **params: Any) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=30)


def _feed(server: Server, path: str, **params: Any) -> ET.Element:
    response = _fetch(server, path, **params)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/rss+xml")
    rss = ET.fromstring(response.content)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    return channel


def _guids(channel: ET.Element) -> list[str]:
    return [str(item.findtext("guid")) for item in channel.findall("item")]


def test_community_feed_lists_its_posts_newest_first(world: World) -> None:
    w = world
    channel = _feed(w.server, f"/feeds/c/{w.community}.xml", sort="New")
    assert str(channel.findtext("title")).endswith(f" - {w.community}")
    # The removed post is left out; the "remote" one is still in this community.
    assert _guids(channel) == [w.posts[k]["ap_id"] for k in ("new", "remote", "old")]
    newest, _, oldest = channel.findall("item")
    assert newest.findtext("title") == "Newest"
    assert newest.findtext("link") == "https://example.com/a?b=1&c=2"
    assert newest.findtext("comments") == w.posts["new"]["ap_id"]
    assert newest.find("guid").get("isPermaLink") == "true"  # type: ignore[union-attr]
    assert newest.findtext(DC_CREATOR) == w.author_actor
    published = parsedate_to_datetime(str(newest.findtext("pubDate")))
    assert published.isoformat().startswith(w.posts["new"]["published"][:19])
    # A post without a URL links to its own page.
    assert oldest.findtext("link") == w.posts["old"]["ap_id"]
    assert "2 comments" in str(newest.findtext("description"))
    # Oldest first is Old; and a page of one.
    old_first = _feed(w.server, f"/feeds/c/{w.community}.xml", sort="Old")
    assert _guids(old_first) == [w.posts[k]["ap_id"] for k in ("old", "remote", "new")]
    one = _feed(w.server, f"/feeds/c/{w.community}.xml", sort="New", limit=1, page=2)
    assert _guids(one) == [w.posts["remote"]["ap_id"]]


def test_user_text_is_escaped_not_markup(world: World) -> None:
    w = world
    response = _fetch(w.server, f"/feeds/c/{w.community}.xml", sort="New")
    raw = response.text
    # In the XML itself nothing the author wrote is an element.
    assert "<script" not in raw and "<b>" not in raw and "<strong>" not in raw
    assert "&lt;b&gt;chips&lt;/b&gt;" in raw
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    old = channel.findall("item")[-1]
    assert old.findtext("title") == TITLE  # plain text, exactly as typed
    description = str(old.findtext("description"))
    # The body is its rendered HTML: Markdown applied, the raw HTML the author typed shown
    # as text (escaped in the HTML, and that HTML escaped again in the XML).
    assert "<strong>bold</strong>" in description
    assert "<script" not in description and "<img" not in description
    assert "&lt;script&gt;" in description and "&amp; &lt;img" in description
    assert "&amp;lt;script&amp;gt;" in raw
    assert f'<a href="{w.author_actor}">{w.author_name}</a>' in description


def test_site_feeds(world: World) -> None:
    w = world
    ours = {w.posts[k]["ap_id"] for k in ("new", "remote", "old")}
    for path in ("/feeds/all.xml", "/feeds/local.xml"):
        channel = _feed(w.server, path, sort="New")
        guids = _guids(channel)
        assert guids[:3] == [w.posts[k]["ap_id"] for k in ("new", "remote", "old")], path
        assert w.posts["removed"]["ap_id"] not in guids
        assert ours <= set(guids)
    assert _fetch(w.server, "/feeds/all.xml").headers["cache-control"] == "public, max-age=3600"
    assert _fetch(w.server, "/feeds/all.xml", sort="Sideways").status_code == 400
    assert _fetch(w.server, "/feeds/all.xml", limit=51).status_code == 400


def test_user_feed(world: World) -> None:
    w = world
    channel = _feed(w.server, f"/feeds/u/{w.author_name}.xml", sort="New")
    assert _guids(channel) == [w.posts[k]["ap_id"] for k in ("new", "remote", "old")]
    assert channel.findtext("link") == w.author_actor


def test_front_and_inbox_feeds_need_a_valid_token(world: World) -> None:
    w = world
    front = _feed(w.server, f"/feeds/front/{w.follower_jwt}.xml", sort="New")
    assert str(front.findtext("title")).endswith(" - Subscribed")
    assert _guids(front)[:3] == [w.posts[k]["ap_id"] for k in ("new", "remote", "old")]
    response = _fetch(w.server, f"/feeds/front/{w.follower_jwt}.xml")
    assert response.headers["cache-control"] == "private"
    inbox = _feed(w.server, f"/feeds/inbox/{w.follower_jwt}.xml")
    items = inbox.findall("item")
    assert [i.findtext("title") for i in items] == [f"Reply from {w.author_name}"]
    description = str(items[0].findtext("description"))
    assert "<i>" not in description and "&lt;i&gt;answer" in description
    assert "&amp; more" in description
    assert _fetch(w.server, "/feeds/front/not-a-token.xml").status_code == 401
    assert _fetch(w.server, "/feeds/inbox/not-a-token.xml").status_code == 401


def test_unknown_names(world: World) -> None:
    w = world
    missing = _fetch(w.server, f"/feeds/c/{unique('nothing')}.xml")
    assert (missing.status_code, missing.json()["error"]) == (404, "couldnt_find_community")
    assert _fetch(w.server, f"/feeds/u/{unique('nobody')}.xml").status_code == 404
    assert _fetch(w.server, f"/feeds/x/{w.community}.xml").status_code == 400


def test_sitemap_lists_local_posts_only(world: World) -> None:
    w = world
    response = _fetch(w.server, "/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    urlset = ET.fromstring(response.content)
    assert urlset.tag == f"{SITEMAP}urlset"
    entries = {
        str(url.findtext(f"{SITEMAP}loc")): str(url.findtext(f"{SITEMAP}lastmod"))
        for url in urlset.findall(f"{SITEMAP}url")
    }
    assert w.posts["new"]["ap_id"] in entries and w.posts["old"]["ap_id"] in entries
    assert w.posts["removed"]["ap_id"] not in entries
    assert w.posts["remote"]["ap_id"] not in entries
    lastmod = entries[w.posts["new"]["ap_id"]]
    assert lastmod.startswith(w.posts["new"]["published"][:19])
    assert lastmod.endswith("+00:00")
    locs = list(entries)
    assert locs.index(w.posts["new"]["ap_id"]) < locs.index(w.posts["old"]["ap_id"])
