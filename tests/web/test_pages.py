"""The pages around the journey, in the browser: listings and their pages, deep threads,
settings, community editing, refusals, about, search, missing pages, keyboard, phone width."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.conftest import ContextMaker, save_screenshot
from tests.web.people import PASSWORD, community_with_posts, sign_up


def test_community_listing_pages_with_a_cursor(site: Server, new_context: ContextMaker) -> None:
    _, name, ids = community_with_posts(site, 23)
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{site.url}/c/{name}?sort=New")
    cards = page.locator("article.card")
    expect(cards).to_have_count(20)
    shown = [int((cards.nth(i).get_attribute("id") or "p0")[1:]) for i in range(20)]
    assert shown == list(reversed(ids))[:20]
    page.get_by_role("link", name="Next page").click()
    assert "page_cursor=" in page.url
    expect(cards).to_have_count(3)
    assert [int((cards.nth(i).get_attribute("id") or "p0")[1:]) for i in range(3)] == [
        ids[2],
        ids[1],
        ids[0],
    ]
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="First page").click()
    expect(cards.first).to_have_attribute("id", f"p{ids[-1]}")
    # Old reverses the order; it is one of the sorts behind "More sorts".
    sorts = page.get_by_role("navigation", name="Sort posts")
    sorts.get_by_text("More sorts").click()
    sorts.get_by_role("link", name="Old", exact=True).click()
    expect(cards.first).to_have_attribute("id", f"p{ids[0]}")


def test_home_tabs_follow_the_viewer(site: Server, new_context: ContextMaker) -> None:
    _, name, ids = community_with_posts(site, 1)
    anon = new_context().new_page()
    anon.goto(site.url + "/")
    tabs = anon.get_by_role("navigation", name="Which posts")
    assert tabs.get_by_role("link").all_inner_texts() == ["Local", "All"]
    expect(tabs.get_by_role("link", name="Local")).to_have_attribute("aria-current", "page")

    reader = sign_up(site, new_context(), unique("reader"), True)
    reader.open("/?type=Subscribed")
    tabs = reader.page.get_by_role("navigation", name="Which posts")
    assert tabs.get_by_role("link").all_inner_texts() == ["Subscribed", "Local", "All"]
    expect(reader.page.locator(f"#p{ids[0]}")).to_have_count(0)
    reader.open(f"/c/{name}")
    reader.act(reader.page.get_by_role("button", name="Subscribe").click)
    reader.open("/?type=Subscribed&sort=New")
    expect(reader.page.locator("article.card")).to_have_count(1)
    expect(reader.page.locator(f"#p{ids[0]}")).to_have_count(1)


def test_deep_threads_continue_on_their_own_page(site: Server, new_context: ContextMaker) -> None:
    member, _, (post_id,) = community_with_posts(site, 1)
    chain: list[int] = []
    for depth in range(9):
        body: dict[str, Any] = {"post_id": post_id, "content": f"Level {depth}"}
        if chain:
            body["parent_id"] = chain[-1]
        chain.append(member.ok("POST", "/comment", body)["comment_view"]["comment"]["id"])
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{site.url}/post/{post_id}")
    # Six levels show; the sixth links on to the rest of its thread.
    for depth in range(6):
        expect(page.locator(f"li#c{chain[depth]} > details > .md")).to_have_text(f"Level {depth}")
    expect(page.locator(f"li#c{chain[6]}")).to_have_count(0)
    more = page.locator(f"li#c{chain[5]} .more").get_by_role("link", name="Continue this thread")
    expect(more).to_have_count(1)
    more.click()
    assert page.url == f"{site.url}/comment/{chain[5]}"
    for depth in range(5, 9):
        expect(page.locator(f"li#c{chain[depth]} > details > .md")).to_have_text(f"Level {depth}")
    expect(page.get_by_role("link", name="Show the comment above")).to_have_attribute(
        "href", f"/comment/{chain[4]}"
    )
    page.get_by_role("link", name="Show all comments").click()
    assert page.url == f"{site.url}/post/{post_id}"


def test_settings_show_on_the_profile_and_pages(site: Server, new_context: ContextMaker) -> None:
    person = sign_up(site, new_context(java_script_enabled=False), unique("set"), False)
    person.open("/settings")
    page = person.page
    page.get_by_label("Display name").fill("Settled Person")
    page.get_by_label("Pronouns").fill("they/them")
    page.get_by_label("Bio (Markdown)").fill("I like *long* walks.\n\n- one\n- two")
    page.get_by_label("Avatar image address").fill(f"{site.url}/static/icon.svg")
    page.get_by_label("Banner image address").fill(f"{site.url}/static/icon.svg?banner")
    page.get_by_label("Front page shows").select_option("All")
    page.get_by_label("Default sort").select_option("New")
    page.get_by_label("Theme").select_option("dark")
    page.get_by_label("Show NSFW posts").check()
    page.get_by_label("Show scores").uncheck()
    person.submit(page.get_by_role("button", name="Save settings").click)
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(21, 23, 26)"

    user = person.api("/site")["my_user"]["local_user_view"]
    assert user["person"]["display_name"] == "Settled Person"
    assert user["person"]["pronouns"] == "they/them"
    settings = user["local_user"]
    assert (settings["default_listing_type"], settings["default_sort_type"]) == ("All", "New")
    assert (settings["theme"], settings["show_nsfw"], settings["show_scores"]) == (
        "dark",
        True,
        False,
    )

    person.open(f"/u/{person.name}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settled Person [they/them]")
    expect(page.locator(".bio em")).to_have_text("long")
    expect(page.locator(".bio li")).to_have_count(2)
    expect(page.locator("img.avatar")).to_have_attribute("src", f"{site.url}/static/icon.svg")
    expect(page.locator("img.banner")).to_have_attribute(
        "src", f"{site.url}/static/icon.svg?banner"
    )
    # Scores are hidden everywhere once the setting is off; NSFW posts show once it is on.
    member, name, _ = community_with_posts(site, 1)
    community_id = member.ok("GET", "/community", name=name)["community_view"]["community"]["id"]
    member.ok("POST", "/post", {"name": "Not at work", "community_id": community_id, "nsfw": True})
    person.open(f"/c/{name}")
    expect(page.locator("article.card")).to_have_count(2)
    expect(page.locator("article.card .tag")).to_have_text(["NSFW"])
    expect(page.locator(".score")).to_have_count(0)
    anonymous = new_context().new_page()
    anonymous.goto(f"{site.url}/c/{name}")
    expect(anonymous.locator("article.card")).to_have_count(1)
    expect(anonymous.locator(".score")).to_have_count(1)

    # Clearing a field clears it.
    person.open("/settings")
    page.get_by_label("Pronouns").fill("")
    person.submit(page.get_by_role("button", name="Save settings").click)
    assert "pronouns" not in person.api("/site")["my_user"]["local_user_view"]["person"]


def test_moderators_edit_their_community(site: Server, new_context: ContextMaker) -> None:
    founder = sign_up(site, new_context(java_script_enabled=False), unique("mod"), False)
    name = unique("edited")
    founder.open("/create_community")
    founder.page.get_by_label("Name", exact=True).fill(name)
    founder.page.get_by_label("Title", exact=True).fill("Before")
    founder.submit(founder.page.get_by_role("button", name="Create").click)
    founder.submit(founder.page.get_by_role("link", name="Edit community").click)
    expect(founder.page.get_by_label("Title", exact=True)).to_have_value("Before")
    founder.page.get_by_label("Title", exact=True).fill("After")
    founder.page.get_by_label("Description (Markdown)").fill("Now with a *description*.")
    founder.page.get_by_label("Only moderators can post").check()
    founder.submit(founder.page.get_by_role("button", name="Save").click)
    assert founder.page.url == f"{site.url}/c/{name}"
    expect(founder.page.get_by_role("heading", level=1)).to_have_text("After")
    expect(founder.page.locator(".sidebar .md em")).to_have_text("description")
    view = founder.api("/community", name=name)["community_view"]["community"]
    assert (view["title"], view["posting_restricted_to_mods"]) == ("After", True)

    other = sign_up(site, new_context(), unique("notmod"), True)
    other.open(f"/c/{name}")
    expect(other.page.get_by_role("link", name="Edit community")).to_have_count(0)
    response = other.page.goto(f"{site.url}/c/{name}/edit")
    assert response is not None and response.status == 400
    expect(other.page.locator("main")).to_contain_text("Only its moderators can do that.")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_a_refused_action_says_why_and_keeps_the_text(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    member, _, (post_id,) = community_with_posts(site, 1)
    person = sign_up(site, new_context(java_script_enabled=js), unique("late"), js)
    person.open(f"/post/{post_id}")
    person.page.get_by_label("Add a comment").fill("Too late for this one.")
    member.ok("POST", "/post/delete", {"post_id": post_id, "deleted": True})
    if js:
        person.page.get_by_role("button", name="Comment").click()
        expect(person.page.locator("#flash")).to_have_text("That has been deleted.")
        expect(person.page.get_by_label("Add a comment")).to_have_value("Too late for this one.")
    else:
        with person.page.expect_navigation() as sent:
            person.page.get_by_role("button", name="Comment").click()
        assert sent.value is not None and sent.value.status == 400
        expect(person.page.get_by_role("alert")).to_have_text("That has been deleted.")
        expect(person.page.get_by_label("Your reply")).to_have_value("Too late for this one.")
    assert member.ok("GET", "/post", id=post_id)["post_view"]["counts"]["comments"] == 0

    # Logged out meanwhile (in another tab): the page says so, or the form goes to the login
    # page and from there back to the post.
    _, _, (other_post,) = community_with_posts(site, 1)
    person.open(f"/post/{other_post}")
    person.context.clear_cookies(name="jwt")
    upvote = person.page.locator(f"#p{other_post} .acts").get_by_role("button", name="Upvote")
    if js:
        upvote.click()
        expect(person.page.locator("#flash")).to_have_text(
            "You are logged out: log in again to do that."
        )
    else:
        person.submit(upvote.click)
        assert person.page.url == f"{site.url}/login?next=%2Fpost%2F{other_post}"
        person.page.get_by_label("Name or email").fill(person.name)
        person.page.get_by_label("Password").fill(PASSWORD)
        person.submit(person.page.get_by_role("button", name="Log in").click)
        assert person.page.url == f"{site.url}/post/{other_post}"


def test_about_search_and_missing_pages(site: Server, new_context: ContextMaker) -> None:
    member, name, _ = community_with_posts(site, 1)
    member.ok(
        "POST",
        "/post",
        {
            "name": "Fifty% of Walruses",
            "community_id": member.ok("GET", "/community", name=name)["community_view"][
                "community"
            ]["id"],
        },
    )
    page = new_context().new_page()
    page.goto(f"{site.url}/about")
    expect(page.get_by_role("heading", level=1)).to_have_text("About moot")
    counts = member.ok("GET", "/site")["site_view"]["counts"]
    expect(page.locator(".stats")).to_contain_text(f"{counts['posts']} posts")
    expect(page.locator(".mods").first).to_contain_text("admin")

    page.get_by_role("searchbox", name="Search posts, comments").fill("walruses")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("article.card .title a")).to_have_text(["Fifty% of Walruses"])
    page.goto(f"{site.url}/search?q=%25")  # a literal percent sign, not a wildcard
    expect(page.locator("article.card .title a")).to_have_text(["Fifty% of Walruses"])
    page.goto(f"{site.url}/search?q=no+such+title+anywhere")
    expect(page.locator(".empty")).to_be_visible()

    for path in ("/nowhere", f"/c/{unique('none')}", "/post/2147483647", "/u/nobody_x"):
        response = page.goto(site.url + path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    api_missing = httpx.get(f"{site.api}/nowhere", headers={"Accept": "text/html"})
    assert api_missing.json()["error"] == "unknown"


def test_keyboard_alone(site: Server, new_context: ContextMaker) -> None:
    _, _, (post_id,) = community_with_posts(site, 1)
    person = sign_up(site, new_context(), unique("keys"), True)
    person.open(f"/post/{post_id}")
    keyboard = person.page.keyboard
    keyboard.press("Tab")
    expect(person.page.get_by_role("link", name="Skip to content")).to_be_focused()
    keyboard.press("Enter")
    assert person.page.url.endswith("#main")
    # Tab on from the content to the post's upvote button, and press it with the space bar.
    upvote = person.page.locator(f"#p{post_id} .acts").get_by_role("button", name="Upvote")
    for _ in range(30):
        keyboard.press("Tab")
        if upvote.evaluate("b => b === document.activeElement"):
            break
    expect(upvote).to_be_focused()
    person.act(lambda: keyboard.press("Space"))
    expect(upvote).to_have_attribute("aria-pressed", "true")
    expect(upvote).to_be_focused()
    # Enter on the reply box's button sends the comment; focus stays in the page.
    box = person.page.get_by_label("Add a comment")
    box.focus()
    keyboard.type("Typed with keys only.")
    # On past the picture field to the form's button.
    send = person.page.locator("form.write").get_by_role("button", name="Comment")
    for _ in range(5):
        keyboard.press("Tab")
        if send.evaluate("b => b === document.activeElement"):
            break
    expect(send).to_be_focused()
    person.act(lambda: keyboard.press("Enter"))
    expect(person.page.locator("#k0 > li .md").first).to_have_text("Typed with keys only.")


@pytest.mark.parametrize("width", [360])
def test_pages_fit_a_phone(site: Server, new_context: ContextMaker, width: int) -> None:
    member, name, (post_id,) = community_with_posts(site, 1)
    member.ok("POST", "/comment", {"post_id": post_id, "content": "A phone-sized comment."})
    person = sign_up(
        site, new_context(viewport={"width": width, "height": 800}), unique("ph"), True
    )
    for label, path in [
        ("home", "/"),
        ("community", f"/c/{name}"),
        ("post", f"/post/{post_id}"),
        ("settings", "/settings"),
        ("new-post", "/create_post"),
    ]:
        person.open(path)
        wide = person.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{path} is {wide} px wide at {width} px"
        save_screenshot(person.page, f"{label}-{site.backend}-{width}")
