"""Multi-community feeds (Lemmy 1.0) on the web, in Chromium, with and without JavaScript:
a member makes a feed, adds two communities by name and sees their posts together in the
usual sorts, takes one out, edits the feed; another member follows it; a taken name is
refused in words; API v4 reads the same feed (one action behind both). axe-core finds
nothing serious on the feed's page (with the owner's forms) or the list of feeds."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.axe import axe_findings
from tests.web.conftest import ContextMaker
from tests.web.people import community_with_posts, sign_up


def _v4_feed(site: Server, name: str, token: str | None = None) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(f"{site.url}/api/v4/multi_community", params={"name": name}, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_feed_made_filled_and_followed(site: Server, new_context: ContextMaker, js: bool) -> None:
    _, first, _ = community_with_posts(site, 2)
    _, second, _ = community_with_posts(site, 2)
    owner = sign_up(site, new_context(java_script_enabled=js), unique("fo"), js=js)
    page = owner.page
    feed = unique("feed")[:20]
    owner.open("/multi_communities")
    page.get_by_label("Name", exact=True).fill(feed)
    page.get_by_label("Title", exact=True).fill("Morning reading")
    owner.submit(page.get_by_role("button", name="Create feed").click)
    expect(page.get_by_role("heading", name="Morning reading")).to_be_visible()
    expect(page.get_by_text("No communities in this feed yet.")).to_be_visible()

    for name in (first, second):
        page.get_by_label("Add a community").fill(name)
        owner.submit(page.get_by_role("button", name="Add community").click)
    posts = page.locator("ol.posts > li")
    expect(posts).to_have_count(4)
    if js:  # axe runs in the page: it needs JavaScript
        found = axe_findings(page, f"feed-owner-{site.backend}")
        assert found == [], json.dumps(found, indent=1)
    expect(page.get_by_role("link", name=f"Pages {first}")).to_have_count(3)  # list + 2 cards
    page.get_by_role("link", name="New", exact=True).click()
    expect(page).to_have_url(f"{site.url}/m/{feed}?sort=New")
    expect(posts).to_have_count(4)

    owner.submit(page.get_by_role("button", name=f"Remove Pages {first} from the feed").click)
    expect(posts).to_have_count(2)
    assert [c["community"]["name"] for c in _v4_feed(site, feed)["communities"]] == [second]  # type: ignore[index]

    page.get_by_text("Edit feed").click()
    page.get_by_label("Title", exact=True).fill("Evening reading")
    owner.submit(page.get_by_role("button", name="Save feed").click)
    expect(page.get_by_role("heading", name="Evening reading")).to_be_visible()

    reader = sign_up(site, new_context(java_script_enabled=js), unique("fr"), js=js)
    reader.open(f"/m/{feed}")
    expect(reader.page.get_by_label("Add a community")).to_have_count(0)
    reader.submit(reader.page.get_by_role("button", name="Follow feed").click)
    expect(reader.page.get_by_role("button", name="Unfollow feed")).to_be_visible()
    token = next(c["value"] for c in reader.context.cookies() if c["name"] == "jwt")
    view = _v4_feed(site, feed, token)["multi_community_view"]
    assert view["follow_state"] == "accepted"  # type: ignore[index]
    assert view["multi"]["subscribers"] == 1  # type: ignore[index]
    reader.submit(reader.page.get_by_role("button", name="Unfollow feed").click)
    expect(reader.page.get_by_role("button", name="Follow feed")).to_be_visible()

    reader.open("/multi_communities")
    if js:
        found = axe_findings(reader.page, f"feeds-{site.backend}")
        assert found == [], json.dumps(found, indent=1)
    expect(reader.page.locator(f'a[href="/m/{feed}"]')).to_have_text("Evening reading")
    reader.page.get_by_label("Name", exact=True).fill(feed)
    reader.submit(reader.page.get_by_role("button", name="Create feed").click)
    expect(reader.page.get_by_text("already exists")).to_be_visible()


def test_a_feed_page_without_the_feed(site: Server, new_context: ContextMaker) -> None:
    page = new_context().new_page()
    answer = page.goto(f"{site.url}/m/{unique('none')[:20]}")
    assert answer is not None and answer.status == 404
