"""The profile page `/u/{name}` in a real browser (Debian's chromium through Playwright), on
a fresh instance per backend loaded with the seed fixture: it must read as the Lemmy profile
the fixture was reconstructed from."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.conftest import SEED, ContextMaker, save_screenshot
from tests.web.people import sign_up

EXPECTED = SEED["expected"]
RECORDS = {r["key"]: r for r in SEED["records"] if "key" in r}

# The first line a reader sees of an item's text; an ordered list shows its number.
FIRST_LINE_JS = """(el) => {
  const first = el.firstElementChild;
  let text = el.innerText.trim().split("\\n")[0].trim();
  if (first && first.tagName === "OL") text = `${first.start || 1}. ${text}`;
  return text;
}"""


def _years_since(when: date, today: date) -> int:
    return today.year - when.year - ((today.month, today.day) < (when.month, when.day))


def _open(page: Page, server: Server, query: str = "") -> None:
    response = page.goto(f"{server.url}/u/{EXPECTED['person']}{query}")
    assert response is not None and response.status == 200


def test_header(page: Page, seeded: Server, outside: list[tuple[str, str]]) -> None:
    _open(page, seeded)
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().strip() == f"{EXPECTED['person']} [{EXPECTED['pronouns']}]"
    stats = page.locator(".stats")
    assert stats.get_by_text(f"{EXPECTED['post_count']} Posts", exact=True).is_visible()
    assert stats.get_by_text(f"{EXPECTED['comment_count']} Comments", exact=True).is_visible()

    joined = datetime.fromisoformat(EXPECTED["joined"].replace("Z", "+00:00"))
    years = _years_since(joined.date(), datetime.now(UTC).date())
    assert page.locator(".joined").inner_text().strip() == f"Joined {years} years ago"
    time = page.locator(".joined time")
    assert time.get_attribute("datetime") == EXPECTED["joined"]
    assert str(joined.year) in (time.get_attribute("title") or "")

    cake = page.locator(".cake-day")
    assert cake.inner_text().strip() == f"Cake day: {EXPECTED['cake_day']}"
    assert cake.get_by_role("img", name="Cake day").count() == 1
    today = datetime.now(UTC).date()
    is_cake_day = (today.month, today.day) == (joined.month, joined.day)
    assert heading.get_by_role("img", name="Cake day today").count() == int(is_cake_day)
    # Nothing of the page's own comes from elsewhere (no fonts, scripts, styles).
    own = [(kind, url) for kind, url in outside if kind != "image"]
    assert own == []


def test_overview_items_in_order(page: Page, seeded: Server) -> None:
    _open(page, seeded, "?view=Overview&sort=New")
    items = page.locator("article.item")
    expected = EXPECTED["overview_newest_first"]
    assert items.count() == len(expected)
    for i, want in enumerate(expected):
        item = items.nth(i)
        record = RECORDS[want["key"]]
        assert item.get_attribute("data-kind") == want["kind"], want["key"]
        body = item.locator(".item-body")
        first_line = body.evaluate(FIRST_LINE_JS) if body.count() else ""
        assert first_line == (want["text"] or ""), want["key"]
        if want["kind"] == "post":
            link = item.locator(".item-title a")
            assert link.inner_text().strip() == record["name"]
            assert link.get_attribute("href") == record["url"]
            assert set((link.get_attribute("rel") or "").split()) == {"nofollow", "ugc", "noopener"}
        else:
            post = RECORDS[record["post"]]
            assert item.locator(".post-title").inner_text().strip() == post["name"]
            assert item.locator(".community").inner_text().strip() == "News"
        meta = item.locator(".item-meta").inner_text()
        assert re.search(r"-?\d+ points? · .+ ago", meta), meta
        published = item.locator(".item-meta time").get_attribute("datetime")
        assert published == record["published"], want["key"]


def test_item_markdown_links_and_images(page: Page, seeded: Server) -> None:
    _open(page, seeded, "?view=Overview&sort=New")
    bodies = page.locator("article.item .item-body")
    links = bodies.locator("a[href^='http']")
    assert links.count() > 0
    for rel in links.evaluate_all("els => els.map(a => a.rel)"):
        assert set(rel.split()) >= {"nofollow", "ugc", "noopener"}, rel
    # Pictures in comments load lazily into a box kept for them before they arrive.
    pictures = bodies.locator("img:not([width])")
    assert pictures.count() > 0
    for picture in pictures.all():
        assert picture.get_attribute("loading") == "lazy"
        box = picture.bounding_box()
        assert box is not None and box["height"] >= 0.7 * box["width"] > 100, box


def test_saved_view_is_only_on_ones_own_profile(
    page: Page, seeded: Server, new_context: ContextMaker
) -> None:
    _open(page, seeded)
    nav = page.get_by_role("navigation", name="Profile views")
    assert nav.get_by_role("link").all_inner_texts() == ["Overview", "Comments", "Posts"]
    _open(page, seeded, "?view=Saved")  # asked for anyway: the overview
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    member = sign_up(seeded, new_context(), unique("own"), False)
    member.open(f"/u/{member.name}")
    views = member.page.get_by_role("navigation", name="Profile views")
    assert views.get_by_role("link").all_inner_texts() == ["Overview", "Comments", "Posts", "Saved"]


def test_views_sort_and_pages(page: Page, seeded: Server) -> None:
    _open(page, seeded)
    nav = page.get_by_role("navigation", name="Profile views")
    assert nav.get_by_role("link", name="Overview").get_attribute("aria-current") == "page"

    # A click returns once the next page starts to arrive: the checks wait for all of it.
    nav.get_by_role("link", name="Comments").click()
    page.wait_for_load_state()
    assert "view=Comments" in page.url
    expect(page.locator("article.item[data-kind=comment]")).to_have_count(EXPECTED["comment_count"])
    expect(page.locator("article.item[data-kind=post]")).to_have_count(0)

    page.get_by_role("navigation", name="Profile views").get_by_role("link", name="Posts").click()
    page.wait_for_load_state()
    expect(page.locator("article.item")).to_have_count(EXPECTED["post_count"])
    kinds = page.locator("article.item").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["post"] * EXPECTED["post_count"]

    # The sort is a labelled select in a plain GET form.
    page.get_by_role("navigation", name="Profile views").get_by_role(
        "link", name="Overview"
    ).click()
    page.get_by_label("Sort").select_option("Old")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "sort=Old" in page.url
    newest_first = [want["key"] for want in EXPECTED["overview_newest_first"]]
    times = page.locator("article.item .item-meta time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"
    )
    assert times == [RECORDS[key]["published"] for key in reversed(newest_first)]
    assert page.get_by_role("link", name="How sorting works").count() == 1

    # Everything fits on page 1; page 2 is empty and links back.
    assert page.locator("a[rel=next]").count() == 0
    _open(page, seeded, "?view=Overview&sort=New&page=2")
    assert page.locator("article.item").count() == 0
    assert page.locator("a[rel=prev]").get_attribute("href") == "?view=Overview&sort=New&page=1"


def test_unknown_person_is_404(page: Page, seeded: Server) -> None:
    response = page.goto(f"{seeded.url}/u/nobody_here")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_and_narrow_layout(page: Page, seeded: Server, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _open(page, seeded)
    overflow: Any = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"page is {overflow} px wide at {width} px"
    save_screenshot(page, f"profile-{seeded.backend}-{width}")
