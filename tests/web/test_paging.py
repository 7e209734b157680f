"""Numbered pages lose no row between them: page 2 starts right after page 1's last item
(profile views, title search), and the last page has no Next link."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.conftest import register, unique
from tests.servers import Server
from tests.web.conftest import ContextMaker

COUNT = 21  # one more than a page


def _titles(page: Page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def _has_next(page: Page) -> bool:
    return page.locator('a[rel="next"]').count() == 1


def test_numbered_pages_join_up(site: Server, new_context: ContextMaker) -> None:
    name = unique("pager")
    member = register(site, name)
    word = unique("zebra")
    community = member.ok("POST", "/community", {"name": unique("paging"), "title": "Paging"})
    community_id = community["community_view"]["community"]["id"]
    for i in range(COUNT):
        member.ok("POST", "/post", {"name": f"{word} {i}", "community_id": community_id})
    newest_first = [f"{word} {i}" for i in reversed(range(COUNT))]
    page = new_context().new_page()

    for base, selector in (
        (f"{site.url}/u/{name}?view=Posts&sort=New", "ol.items h3.item-title"),
        (f"{site.url}/search?q={word}", "ol.posts h2.title a"),
    ):
        page.goto(base)
        first = _titles(page, selector)
        assert len(first) == COUNT - 1 and _has_next(page), (base, first)
        page.goto(f"{base}&page=2")
        second = _titles(page, selector)
        assert not _has_next(page)
        assert first + second == newest_first, (base, first, second)
