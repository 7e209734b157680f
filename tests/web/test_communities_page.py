"""The communities page (issue 14, item 5): a search by a word of the title, the API's
community sorts in the API's order, Local / All / Subscribed, numbered pages, and subscribing
from the list with and without JavaScript; light and dark, 1280 and 390 px wide, with
axe-core finding nothing serious or critical."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from moot.federation.urls import authority
from moot.web.choices import COMMUNITY_SORTS
from moot.web.community_list import PAGE_SIZE, excerpt
from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.web.axe import axe_findings
from tests.web.conftest import ContextMaker, save_screenshot
from tests.web.people import PASSWORD, Person, sign_up

# The sorts the page offers as links, and one it takes only from the address.
SORTS = [*COMMUNITY_SORTS, "Hot"]


@dataclass(frozen=True)
class World:
    word: str  # in every title of `names`, in none of their names
    names: list[str]
    remote: str  # the handle of the one that is another server's
    icon: str  # the name of the one with an icon and a description


@pytest.fixture(scope="module")
def world(site: Server) -> World:
    """A page and a bit of communities sharing a word of their titles: one with an icon and
    a Markdown description, one another server's, some with subscribers, posts and
    comments, so that the sorts differ."""
    owner = register(site, unique("cowner"), PASSWORD)
    fans = [register(site, unique("cfan"), PASSWORD) for _ in range(3)]
    word = unique("Walrus")
    names: list[str] = []
    ids: list[int] = []
    for i in range(PAGE_SIZE + 2):
        name = unique("cl")
        body: dict[str, Any] = {
            "name": name,
            "title": f"{'Fjord' if i % 2 else 'Harbour'} {word} {i}",
        }
        if i == 0:
            body["icon"] = f"{site.url}/static/icon.svg"
            body["description"] = "**Walruses** of the [north](https://example.org).\n\n" + (
                "Tusks and whiskers. " * 20
            )
        made = owner.ok("POST", "/community", body)["community_view"]["community"]
        names.append(name)
        ids.append(int(made["id"]))
    for n, fan in enumerate(fans):
        for community_id in ids[3 : 6 + n * 2]:
            fan.ok("POST", "/community/follow", {"community_id": community_id, "follow": True})
    for community_id in ids[5:9]:
        post = owner.ok("POST", "/post", {"name": f"About {word}", "community_id": community_id})
        post_id = post["post_view"]["post"]["id"]
        for _ in range(community_id % 3 + 1):
            owner.ok("POST", "/comment", {"post_id": post_id, "content": "A comment."})
    domain = f"{unique('far')}.example"
    site.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE community SET local = false, actor_id = 'https://{domain}/c/{names[1]}', "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') "
        f"WHERE id = {ids[1]}",
    )
    return World(word, names, f"!{names[1]}@{domain}", names[0])


def _go(page: Page, control: Locator) -> None:
    """Follow a link or send a form, and wait for the page it leads to."""
    with page.expect_navigation():
        control.click()


def _handles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".communities .handle").all_inner_texts()]


def _api_handles(data: dict[str, Any]) -> list[str]:
    return [
        f"!{v['community']['name']}@{authority(v['community']['actor_id'])}"
        for v in data["communities"]
    ]


def _current(page: Page, name: str) -> str:
    return page.get_by_role("navigation", name=name).locator("[aria-current=page]").inner_text()


def _check_sorts(page: Page, url: str, api: Any, word: str) -> None:
    """Each sort lists as the API's /community/list does, and within a search as its
    /search of communities does, page by page."""
    for sort in SORTS:
        page.goto(f"{url}/communities?type=All&sort={sort}")
        listed = api("/community/list", type_="All", sort=sort, limit=PAGE_SIZE)
        assert _handles(page) == _api_handles(listed), sort
        if sort in COMMUNITY_SORTS:
            assert _current(page, "Sort communities") == COMMUNITY_SORTS[sort]
        page.goto(f"{url}/communities?type=All&sort={sort}&q={word}")
        found = [
            api("/search", q=word, type_="Communities", sort=sort, limit=PAGE_SIZE, page=n)
            for n in (1, 2)
        ]
        assert _handles(page) == _api_handles(found[0]), sort
        assert len(found[0]["communities"]) == PAGE_SIZE
        # Next, then Previous, with the search and the sort kept.
        _go(page, page.get_by_role("link", name="Next"))
        assert _handles(page) == _api_handles(found[1]) and len(found[1]["communities"]) == 2
        expect(page.get_by_role("link", name="Next")).to_have_count(0)
        _go(page, page.get_by_role("link", name="Previous"))
        assert _handles(page) == _api_handles(found[0]), sort


def test_search_sorts_and_pages_follow_the_api(
    site: Server, world: World, new_context: ContextMaker
) -> None:
    anon = new_context().new_page()
    anon.goto(f"{site.url}/communities")
    assert _current(anon, "Which communities") == "All"
    assert _current(anon, "Sort communities") == "Most subscribers"
    form = anon.get_by_role("search", name="Communities")
    form.get_by_label("Name or title").fill(world.word)
    _go(anon, form.get_by_role("button", name="Find"))
    titles = anon.locator(".communities .title a").all_inner_texts()
    assert len(titles) == PAGE_SIZE and all(world.word in t for t in titles), titles
    # The words are in the titles only: the names do not have them.
    assert all(world.word.lower() not in h for h in _handles(anon))
    anon.goto(f"{site.url}/communities?q=no+such+community+anywhere")
    expect(anon.locator(".empty")).to_contain_text("no such community anywhere")

    public = Api(site)
    _check_sorts(
        anon, site.url, lambda path, **params: public.ok("GET", path, **params), world.word
    )
    member = sign_up(site, new_context(), unique("clm"), True)
    _check_sorts(member.page, site.url, member.api, world.word)


def test_the_row_shows_icon_description_and_counts(
    site: Server, world: World, new_context: ContextMaker
) -> None:
    page = new_context().new_page()
    page.goto(f"{site.url}/communities?q={world.word}+0&sort=New")
    row = page.locator(".communities > li").filter(has_text=f"!{world.icon}@")
    icon = row.locator("img.avatar")
    expect(icon).to_have_attribute("alt", "")
    expect(icon).to_have_attribute("loading", "lazy")
    assert icon.evaluate("i => i.complete && i.naturalWidth > 0")
    # Plain text: the Markdown's words without its marks or its link, cut short.
    desc = row.locator(".desc").inner_text()
    assert desc.startswith("Walruses of the north. Tusks and whiskers.") and desc.endswith("…")
    assert len(desc) <= 161 and "*" not in desc
    view = Api(site).ok("GET", "/community", name=world.icon)["community_view"]
    counts = view["counts"]
    expect(row.locator(".counts")).to_have_text(
        f"{counts['posts']} posts · {counts['comments']} comments · "
        f"{counts['users_active_month']} active this month"
    )
    subscribers = counts["subscribers"]
    expect(row.locator(".subs")).to_have_text(
        f"{subscribers} subscriber{'' if subscribers == 1 else 's'}"
    )


def test_local_and_all(site: Server, world: World, new_context: ContextMaker) -> None:
    page = new_context().new_page()
    # A space matches any run of characters: titles "… {word} 1", "… {word} 10" to
    # "… {word} 19", "… {word} 21" and "… {word} 31", one page of them.
    page.goto(f"{site.url}/communities?q={world.word}+1&sort=Old")
    everything = _handles(page)
    assert world.remote in everything
    _go(
        page,
        page.get_by_role("navigation", name="Which communities").get_by_role("link", name="Local"),
    )
    assert _current(page, "Which communities") == "Local"
    assert page.get_by_role("searchbox", name="Name or title").input_value() == f"{world.word} 1"
    assert _handles(page) == [h for h in everything if h != world.remote]
    listed = Api(site).ok(
        "GET",
        "/search",
        q=f"{world.word} 1",
        type_="Communities",
        sort="Old",
        listing_type="Local",
        limit=PAGE_SIZE,
    )
    assert _handles(page) == _api_handles(listed)


def _row(person: Person, name: str) -> Any:
    return person.page.locator(".communities > li").filter(has_text=f"!{name}@")


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_member_subscribes_from_the_list(
    site: Server, world: World, new_context: ContextMaker, js: bool
) -> None:
    member = sign_up(site, new_context(java_script_enabled=js), unique("csub"), js)
    name = world.names[2]
    member.open(f"/communities?q={world.word}&sort=Old&type=Local")
    row = _row(member, name)
    before = member.api("/community", name=name)["community_view"]["counts"]["subscribers"]
    expect(row.locator(".subs")).to_contain_text(f"{before} subscriber")
    member.act(row.get_by_role("button", name="Subscribe").click)
    row = _row(member, name)
    expect(row.get_by_role("button", name="Unsubscribe")).to_be_visible()
    expect(row.locator(".subs")).to_have_text(f"{before + 1} subscribers")
    view = member.api("/community", name=name)["community_view"]
    assert view["subscribed"] == "Subscribed" and view["counts"]["subscribers"] == before + 1
    # Still on the same list, then on the Subscribed tab.
    assert "type=Local" in member.page.url
    tabs = member.page.get_by_role("navigation", name="Which communities")
    _go(member.page, tabs.get_by_role("link", name="Subscribed"))
    assert _handles(member.page) == _api_handles({"communities": [view]})

    member.open(f"/communities?q={world.word}&sort=Old&type=Local")
    member.act(_row(member, name).get_by_role("button", name="Unsubscribe").click)
    expect(_row(member, name).get_by_role("button", name="Subscribe")).to_be_visible()
    expect(_row(member, name).locator(".subs")).to_contain_text(f"{before} subscriber")
    view = member.api("/community", name=name)["community_view"]
    assert view["subscribed"] == "NotSubscribed" and view["counts"]["subscribers"] == before
    member.open("/communities?type=Subscribed")
    expect(member.page.locator(".empty")).to_have_text(
        "You have not subscribed to any community yet."
    )


def test_looks_in_light_and_dark_at_two_widths(
    site: Server, world: World, new_context: ContextMaker
) -> None:
    anon = new_context().new_page()
    member = sign_up(site, new_context(), unique("clook"), True)
    for who, page in (("anonymous", anon), ("member", member.page)):
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{site.url}/communities?q={world.word}&sort=Old")
                name = f"communities-{who}-{scheme}-{width}-{site.backend}"
                found = axe_findings(page, name)
                assert found == [], f"{name}: {json.dumps(found, indent=1)}"
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, f"{name} is {wide} px wide"
                save_screenshot(page, name)


def test_the_excerpt_is_plain_text_cut_at_a_word() -> None:
    assert excerpt(None) == excerpt("") == ""
    assert excerpt("<p>One <em>two</em>.</p>\n<ul><li>three</li><li>four</li></ul>") == (
        "One two. three four"
    )
    assert excerpt("<p>Fish &amp; chips &lt;b&gt;</p>") == "Fish & chips <b>"
    cut = excerpt("<p>" + "word " * 100 + "</p>", limit=22)
    assert cut == "word word word word…"
    # Markup cut off at the end of what is read is left out, not shown as text.
    assert excerpt('<p>Short</p><a href="https://exa', limit=100) == "Short"
