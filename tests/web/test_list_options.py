"""Lists of posts as a reader uses them every day, in chromium: the common sorts one click
away and the rest one more, Previous as well as Next, a compact density, hiding the posts
one has read, cross-posts on one card, and the language a post is written in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.web.axe import check_schemes_and_widths
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, community_with_posts
from tests.web.staff import browser_for


def _english(server: Server) -> int:
    languages = Api(server).ok("GET", "/site")["all_languages"]
    return next(int(lang["id"]) for lang in languages if lang["code"] == "en")


def _ids(page: Page) -> list[int]:
    return [int(str(card.get_attribute("id"))[1:]) for card in page.locator("article.card").all()]


@pytest.mark.parametrize("js", [False, True], ids=["nojs", "js"])
def test_sorts_are_links_and_pages_go_back(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    _, name, ids = community_with_posts(site, 45)
    newest = list(reversed(ids))
    page = new_context(java_script_enabled=js).new_page()
    page.goto(f"{site.url}/c/{name}")
    sorts = page.get_by_role("navigation", name="Sort posts")
    # The common sorts are links; the current one says so.
    sorts.get_by_role("link", name="New", exact=True).click()
    expect(sorts.get_by_role("link", name="New", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert _ids(page) == newest[:20]
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)

    page.get_by_role("link", name="Next page").click()
    assert _ids(page) == newest[20:40]
    page.get_by_role("link", name="Next page").click()
    assert _ids(page) == newest[40:]
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="Previous page").click()
    assert _ids(page) == newest[20:40]
    page.get_by_role("link", name="Previous page").click()
    assert _ids(page) == newest[:20]
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
    expect(page.get_by_role("link", name="First page")).to_have_count(0)

    # The other sorts are one more click away, and the list opens on the chosen one.
    more = sorts.locator("details")
    expect(more).not_to_have_attribute("open", "")
    sorts.get_by_text("More sorts").click()
    sorts.get_by_role("link", name="Old", exact=True).click()
    assert _ids(page) == ids[:20]
    expect(page.get_by_role("navigation", name="Sort posts").locator("details")).to_have_attribute(
        "open", ""
    )


def test_a_forged_trail_is_no_trail(site: Server, new_context: ContextMaker) -> None:
    _, name, ids = community_with_posts(site, 3)
    page = new_context().new_page()
    for trail in ("x" * 5000, "P1.<script>", "~", "P" + "f" * 40):
        response = page.goto(f"{site.url}/c/{name}?sort=New&back={trail}")
        assert response is not None and response.status == 200
        assert _ids(page) == list(reversed(ids))


def test_compact_density_is_kept_by_the_browser(site: Server, new_context: ContextMaker) -> None:
    community_with_posts(site, 2)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{site.url}/?type=All")
    card = page.locator("article.card").first
    roomy = card.bounding_box()
    assert roomy is not None
    page.get_by_role("button", name="Compact view").click()
    expect(page.locator("body")).to_have_class("compact")
    tight = page.locator("article.card").first.bounding_box()
    assert tight is not None and tight["height"] < roomy["height"]
    # Kept for the next pages, until switched back.
    page.goto(f"{site.url}/?type=Local")
    expect(page.locator("body")).to_have_class("compact")
    page.get_by_role("button", name="Comfortable view").click()
    expect(page.locator("body")).not_to_have_class("compact")


def test_a_member_hides_the_posts_they_read(
    site: Server, browser: Browser, new_context: ContextMaker
) -> None:
    _, name, ids = community_with_posts(site, 3)
    reader_name = unique("reader")
    reader_api = register(site, reader_name, PASSWORD)
    reader = browser_for(browser, site, reader_api, reader_name, False)
    try:
        reader.open(f"/post/{ids[1]}")  # opening a post marks it read
        reader.open(f"/c/{name}?sort=New")
        assert _ids(reader.page) == list(reversed(ids))
        reader.submit(reader.page.get_by_role("button", name="Hide read posts").click)
        assert _ids(reader.page) == [ids[2], ids[0]]
        me = reader_api.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]
        assert me["show_read_posts"] is False  # the API's setting, saved by the same action
        reader.submit(reader.page.get_by_role("button", name="Show read posts").click)
        assert _ids(reader.page) == list(reversed(ids))
        # A visitor has nothing read to hide.
        anon = new_context().new_page()
        anon.goto(f"{site.url}/c/{name}")
        expect(anon.get_by_role("button", name="Hide read posts")).to_have_count(0)
    finally:
        reader.context.close()


def test_cross_posts_share_a_card_and_the_language_shows(site: Server, browser: Browser) -> None:
    poster = register(site, unique("poster"), PASSWORD)
    link = f"https://example.org/{unique('news')}"
    english = _english(site)
    posts = []
    for community in (unique("rivers"), unique("lakes")):
        cid = poster.ok("POST", "/community", {"name": community, "title": community.title()})[
            "community_view"
        ]["community"]["id"]
        body = {"name": "Water levels", "community_id": cid, "url": link, "language_id": english}
        posts.append(poster.ok("POST", "/post", body)["post_view"]["post"]["id"])
    reader = browser_for(browser, site, None, "reader", True)
    try:
        reader.open("/?type=All&sort=New")
        cards = reader.page.locator(f"article.card:has(a[href='{link}'])")
        expect(cards).to_have_count(1)
        card = cards.first
        expect(card).to_have_attribute("id", f"p{posts[1]}")
        also = card.locator(".crossposts")
        expect(also).to_contain_text("Also posted to")
        expect(also.get_by_role("link")).to_have_attribute("href", f"/post/{posts[0]}")
        expect(card.locator(".lang")).to_have_text("English")
        expect(card.locator(".lang")).to_have_attribute("lang", "en")
        check_schemes_and_widths(reader.page, "list-options-home")

        # The post's own page names the other post of its link.
        reader.open(f"/post/{posts[0]}")
        crossed = reader.page.locator("p.crossposts")
        expect(crossed).to_contain_text("Cross-posted to")
        expect(crossed.get_by_role("link")).to_have_attribute("href", f"/post/{posts[1]}")
        expect(reader.page.locator("article.post .meta .lang")).to_have_text("English")
    finally:
        reader.context.close()


def test_the_controls_pass_axe_for_a_member_in_compact(site: Server, browser: Browser) -> None:
    _, name, _ = community_with_posts(site, 2)
    member_name = unique("compact")
    member = browser_for(browser, site, register(site, member_name, PASSWORD), member_name, True)
    try:
        member.open(f"/c/{name}")
        member.submit(member.page.get_by_role("button", name="Compact view").click)
        expect(member.page.locator("body")).to_have_class("compact")
        member.page.get_by_text("More sorts").click()
        check_schemes_and_widths(member.page, "list-options-community-compact")
    finally:
        member.context.close()
