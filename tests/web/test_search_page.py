"""The search page (issue 14, item 2): a community's name, a person's name, a word of a
post's body and a word of a comment are each found; the type, Local / All, the community
and the sort change what is listed, as the API's /search lists it for the same question;
pages go on and back; anonymous readers and members, with and without JavaScript; light
and dark, 1280 and 390 px wide, with axe-core finding nothing serious or critical."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from moot.web.search import PAGE_SIZE
from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.web.axe import check_schemes_and_widths
from tests.web.conftest import ContextMaker, save_screenshot
from tests.web.people import PASSWORD, Person, sign_up


@dataclass(frozen=True)
class World:
    author: str  # a member who wrote everything below
    community: str  # a local community ("Tidepools …")
    other: str  # another local community
    remote: str  # the handle of a community on another server, with a post
    body_word: str  # in the body (not the title) of a post in each of the three
    comment_word: str  # in PAGE_SIZE + 1 comments under a post of `community`
    posts: dict[str, int]  # the body word's posts, by their community's name
    link: str  # the link of a post in `other`
    link_post: int


def _post(api: Api, community_id: int, title: str, body: str) -> int:
    made = api.ok("POST", "/post", {"name": title, "body": body, "community_id": community_id})
    return int(made["post_view"]["post"]["id"])


@pytest.fixture(scope="module")
def world(site: Server) -> World:
    author = unique("tidewriter")
    api = register(site, author, PASSWORD)
    body_word, comment_word = unique("barnacle"), unique("limpet")
    names = [unique("tidepools"), unique("rockshore"), unique("farshore")]
    ids = [
        int(
            api.ok("POST", "/community", {"name": n, "title": f"Tidepools {n}"})["community_view"][
                "community"
            ]["id"]
        )
        for n in names
    ]
    posts = {
        n: _post(api, cid, f"Low tide in {n}", f"Found a *{body_word}* on the rocks.")
        for n, cid in zip(names, ids, strict=True)
    }
    for i in range(PAGE_SIZE + 1):
        api.ok(
            "POST",
            "/comment",
            {"post_id": posts[names[0]], "content": f"Comment {i} about a {comment_word}."},
        )
    link = f"{site.url}/static/icon.svg?k={unique('kelp')}"
    made = api.ok(
        "POST", "/post", {"name": "A picture of kelp", "url": link, "community_id": ids[1]}
    )
    domain = f"{unique('sea')}.example"
    far = posts[names[2]]
    site.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE community SET local = false, actor_id = 'https://{domain}/c/{names[2]}', "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') WHERE id = {ids[2]}",
        f"UPDATE post SET local = false, ap_id = 'https://{domain}/post/{far}' WHERE id = {far}",
    )
    return World(
        author=author,
        community=names[0],
        other=names[1],
        remote=f"{names[2]}@{domain}",
        body_word=body_word,
        comment_word=comment_word,
        posts=posts,
        link=link,
        link_post=int(made["post_view"]["post"]["id"]),
    )


def _reader(site: Server, new_context: ContextMaker, js: bool) -> Person:
    """An anonymous reader in a browser of their own."""
    context = new_context(java_script_enabled=js)
    return Person("anonymous", context, context.new_page(), site, js)


def _go(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)


def _search(person: Person, **fields: str) -> None:
    """Fill in the page's search form and send it, as a reader would (a GET form)."""
    form = person.page.get_by_role("search", name="Search this site")
    labels = {
        "q": "Words",
        "type": "Look in",
        "listing_type": "Where",
        "community_name": "In the community",
        "sort": "Sort",
    }
    for key, value in fields.items():
        field = form.get_by_label(labels[key])
        if key in ("q", "community_name"):
            field.fill(value)
        else:
            field.select_option(value)
    person.submit(form.get_by_role("button", name="Search").click)


def _post_ids(page: Page) -> list[int]:
    return [
        int(i[1:])
        for i in page.locator("ol.posts article.card").evaluate_all("cards => cards.map(c => c.id)")
    ]


def _api_post_ids(api: Api, **params: Any) -> list[int]:
    found = api.ok("GET", "/search", limit=PAGE_SIZE, **params)
    return [int(v["post"]["id"]) for v in found["posts"]]


def _comment_ids(page: Page) -> list[int]:
    ids = page.locator("ol.found-comments > li > ol > li").evaluate_all(
        "items => items.map(i => i.id)"
    )
    return [int(i[1:]) for i in ids]


def test_names_and_words_are_found(site: Server, world: World, new_context: ContextMaker) -> None:
    """A community by its name, a person by theirs, a post by a word of its body, a comment
    by a word of its text: each listed where the API's search lists it."""
    anon = _reader(site, new_context, js=True)
    anon.open("/search")
    expect(anon.page.locator(".empty")).to_have_count(0)  # nothing asked, nothing listed

    _search(anon, q=world.other)
    communities = anon.page.get_by_role("region", name="Communities")
    expect(communities.locator(".handle")).to_have_count(1)
    expect(communities.locator(".handle")).to_contain_text(f"!{world.other}@")
    expect(communities.get_by_role("link", name=f"Tidepools {world.other}")).to_be_visible()

    _search(anon, q=world.author)
    people = anon.page.get_by_role("region", name="People")
    expect(people.locator(".handle")).to_have_text([f"@{world.author}"])
    counts = Api(site).ok("GET", "/search", q=world.author, type_="Users")["users"][0]["counts"]
    expect(people.locator(".counts")).to_have_text(
        f"{counts['post_count']} posts · {counts['comment_count']} comments"
    )

    _search(anon, q=world.body_word, sort="Old")
    assert _post_ids(anon.page) == list(world.posts.values())
    expect(anon.page.get_by_role("region", name="Comments")).to_have_count(0)

    _search(anon, q=world.comment_word, type="Comments", sort="New")
    comments = anon.page.get_by_role("region", name="Comments")
    expect(comments.locator(".md").first).to_have_text(
        f"Comment {PAGE_SIZE} about a {world.comment_word}."
    )
    expect(comments.locator(".meta").first).to_contain_text(f"Low tide in {world.community}")
    api = Api(site)
    found = api.ok(
        "GET", "/search", q=world.comment_word, type_="Comments", sort="New", limit=PAGE_SIZE
    )
    assert _comment_ids(anon.page) == [int(v["comment"]["id"]) for v in found["comments"]]
    save_screenshot(anon.page, "search-comments")

    # Everything at once: the sections of a search that finds every kind.
    _go(anon.page, f"{site.url}/search?{urlencode({'q': 'tide'})}")
    for kind in ("Communities", "People", "Posts"):
        expect(anon.page.get_by_role("heading", name=kind, exact=True)).to_be_visible()
    check_schemes_and_widths(anon.page, "search-all")


def test_pages_go_on_and_back(site: Server, world: World, new_context: ContextMaker) -> None:
    person = _reader(site, new_context, js=False)
    person.open(f"/search?{urlencode({'q': world.comment_word, 'type': 'Comments'})}")
    first = _comment_ids(person.page)
    assert len(first) == PAGE_SIZE
    person.submit(person.page.get_by_role("link", name="Next page").click)
    second = _comment_ids(person.page)
    assert len(second) == 1 and second[0] not in first
    expect(person.page.get_by_role("link", name="Next page")).to_have_count(0)
    # The search and its filters are kept from page to page.
    expect(person.page.get_by_label("Look in")).to_have_value("Comments")
    person.submit(person.page.get_by_role("link", name="Previous page").click)
    assert _comment_ids(person.page) == first
    expect(person.page.get_by_role("link", name="Previous page")).to_have_count(0)


@pytest.mark.parametrize("js", [False, True], ids=["plain", "script"])
def test_filters_change_what_is_found(
    site: Server, world: World, new_context: ContextMaker, js: bool
) -> None:
    """As a member: the type, Local / All, the community and the sort, each listing what
    the API's search lists for the same question."""
    member = sign_up(site, new_context(java_script_enabled=js), unique("seeker"), js)
    page = member.page
    member.open("/search")
    expect(page.get_by_label("Where").locator("option")).to_have_text(
        ["Subscribed", "Local", "All"]
    )
    api = Api(site)
    local_posts = [world.posts[world.community], world.posts[world.other]]
    remote_post = world.posts[world.remote.split("@")[0]]

    # All: the other server's post too; Local: ours only.
    _search(member, q=world.body_word, listing_type="All", sort="New")
    every = _post_ids(page)
    assert sorted(every) == sorted([*local_posts, remote_post])
    assert every == _api_post_ids(api, q=world.body_word, listing_type="All", sort="New")
    _search(member, listing_type="Local")
    assert sorted(_post_ids(page)) == sorted(local_posts)

    # The sort: newest first, then oldest first.
    _search(member, listing_type="All", sort="Old")
    assert _post_ids(page) == list(reversed(every))

    # The community: its post only, named as a reader writes it (with or without the !).
    _search(member, community_name=f"!{world.other}")
    assert _post_ids(page) == [world.posts[world.other]]
    _search(member, community_name=world.remote)
    assert _post_ids(page) == [remote_post]
    _search(member, community_name=unique("nowhere"))
    expect(page.get_by_role("alert")).to_contain_text("There is no community called")
    _search(member, community_name="")

    # The type: a word in community titles and post titles finds both, or one kind only.
    _search(member, q="tidepools", type="All", sort="New")
    expect(page.get_by_role("region", name="Communities")).to_be_visible()
    expect(page.get_by_role("region", name="Posts")).to_be_visible()
    _search(member, type="Communities")
    expect(page.get_by_role("region", name="Posts")).to_have_count(0)
    rows = page.get_by_role("region", name="Communities").locator(".handle")
    expect(rows.filter(has_text=world.community)).to_have_count(1)
    # A member subscribes from the row, as on the communities page.
    expect(page.locator("form.subscribe").first.get_by_role("button")).to_have_text("Subscribe")
    if js:
        check_schemes_and_widths(page, "search-communities-member")
    _search(member, type="Posts")
    expect(page.get_by_role("region", name="Communities")).to_have_count(0)
    expect(page.get_by_role("region", name="Posts")).to_be_visible()

    # A link: the posts linking to it.
    _search(member, q=world.link, type="Url")
    assert _post_ids(page) == [world.link_post]
    _search(member, q=world.link + "-not", type="Url")
    expect(page.locator(".empty")).to_contain_text("Nothing found")
