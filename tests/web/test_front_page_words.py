"""The site's own words on the front page (issue 14, item 8): its sidebar (the rules) as
Markdown beside the posts, and one of its taglines, a different one from visit to visit, as
Lemmy shows them. Light and dark, wide and narrow, with no serious accessibility finding."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Api
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server
from tests.web.axe import check_schemes_and_widths

RULES = "## Rules\n\n1. Be kind\n2. No *spam*"
TAGLINES = ["Welcome to **the** town square", "Mind the [guide](/about)"]


@pytest.fixture
def worded(site: Server) -> Iterator[Server]:
    token = Api(site).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    admin = Api(site, token)
    admin.ok("PUT", "/site", {"sidebar": RULES, "taglines": TAGLINES})
    try:
        yield site
    finally:
        admin.ok("PUT", "/site", {"sidebar": "", "taglines": []})


def test_the_front_page_shows_the_rules_and_a_tagline(worded: Server, page: Page) -> None:
    page.goto(worded.url + "/")
    rules = page.locator("aside.sidebar .rules")
    expect(rules.get_by_role("heading", name="Rules")).to_be_visible()
    expect(rules.locator("li")).to_have_text(["Be kind", "No spam"])
    expect(rules.locator("em")).to_have_text("spam")

    seen = set()
    for _ in range(20):  # both taglines within 20 visits, unless chance is 1 in 500,000
        page.goto(worded.url + "/")
        seen.add(page.locator(".tagline").inner_text().strip())
    assert seen == {"Welcome to the town square", "Mind the guide"}
    expect(page.locator(".tagline strong, .tagline a")).to_have_count(1)

    check_schemes_and_widths(page, f"front-words-{worded.backend}")


def test_without_words_the_front_page_shows_none(site: Server, page: Page) -> None:
    page.goto(site.url + "/")
    expect(page.locator(".tagline")).to_have_count(0)
    expect(page.locator(".rules")).to_have_count(0)
