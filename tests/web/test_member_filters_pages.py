"""Keyword filters and blocks of an instance's people (Lemmy 1.0) in the web interface, in
Chromium, with and without JavaScript: Settings > Blocks adds and removes keywords and both
halves of instance blocks; a remote person's profile and post offer "Block all people of
…"; the front page and the community page leave out what the member filtered, for that
member only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.web.conftest import ContextMaker
from tests.web.people import Person, sign_up


@dataclass(frozen=True)
class Scene:
    community: str
    domain: str
    far_name: str
    cats: int  # a post whose title has the keyword
    calm: int
    far_post: int  # by the remote person


def _scene(site: Server) -> Scene:
    token = unique("wf")
    author, far = register(site), register(site)
    made = author.ok("POST", "/community", {"name": token, "title": "Filters here"})
    cid = int(made["community_view"]["community"]["id"])

    def post(api: Api, name: str) -> int:
        return int(
            api.ok("POST", "/post", {"name": name, "community_id": cid})["post_view"]["post"]["id"]
        )

    cats = post(author, f"Funny CATS {token}")
    calm = post(author, f"A calm day {token}")
    far_post = post(far, f"Far news {token}")
    me = far.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    domain = f"{token}.example"
    # The writer becomes another server's person, as federation would leave them.
    site.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE person SET local = false, actor_id = 'https://{domain}/u/{me['name']}', "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') WHERE id = {me['id']}",
        f"UPDATE post SET instance_id = (SELECT id FROM instance WHERE domain = '{domain}') "
        f"WHERE id = {far_post}",
    )
    return Scene(token, domain, str(me["name"]), cats, calm, far_post)


def _shown(person: Person, path: str, post_id: int) -> bool:
    person.open(path)
    return person.page.locator(f"#p{post_id}").count() == 1


def _everywhere(person: Person, s: Scene, post_id: int) -> list[bool]:
    return [
        _shown(person, "/?type=All&sort=New", post_id),
        # Newest first: on a server other tests share, a Hot page may rank theirs above.
        _shown(person, "/?type=Local&sort=New", post_id),
        _shown(person, f"/c/{s.community}?sort=New", post_id),
    ]


def _blocks(person: Person) -> Page:
    person.open("/settings/blocks")
    return person.page


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_keyword_filters(site: Server, new_context: ContextMaker, js: bool) -> None:
    s = _scene(site)
    me = sign_up(site, new_context(java_script_enabled=js), unique("kwweb"), js=js)
    assert _everywhere(me, s, s.cats) == [True, True, True]

    page = _blocks(me)
    filters = page.get_by_role("region", name="Keyword filters")
    expect(filters).to_contain_text("You filter no keyword.")
    filters.get_by_label("New keyword").fill("  cats ")
    me.submit(filters.get_by_role("button", name="Add keyword").click)
    assert page.url == f"{site.url}/settings/blocks#keyword-filters"
    filters = page.get_by_role("region", name="Keyword filters")
    expect(filters.get_by_role("listitem")).to_have_text(["cats Remove"])
    assert _everywhere(me, s, s.cats) == [False, False, False]
    assert _everywhere(me, s, s.calm) == [True, True, True]
    # Only the member's lists: a visitor still sees it.
    visitor = new_context(java_script_enabled=js).new_page()
    visitor.goto(f"{site.url}/?type=All&sort=New")
    expect(visitor.locator(f"#p{s.cats}")).to_have_count(1)

    # The same keyword in another case is the same keyword.
    page = _blocks(me)
    filters = page.get_by_role("region", name="Keyword filters")
    filters.get_by_label("New keyword").fill("CATS")
    me.submit(filters.get_by_role("button", name="Add keyword").click)
    expect(
        page.get_by_role("region", name="Keyword filters").get_by_role("listitem")
    ).to_have_count(1)

    page = _blocks(me)
    filters = page.get_by_role("region", name="Keyword filters")
    me.submit(filters.get_by_role("button", name="Remove keyword cats").click)
    expect(page.get_by_role("region", name="Keyword filters")).to_contain_text(
        "You filter no keyword."
    )
    assert _everywhere(me, s, s.cats) == [True, True, True]


def test_a_too_short_keyword_is_refused(site: Server, new_context: ContextMaker) -> None:
    """The browser's own check stops a short keyword; one that gets past it (an old
    browser) is refused by the server with Lemmy's reason, and nothing is kept."""
    me = sign_up(site, new_context(), unique("kwshort"), js=True)
    page = _blocks(me)
    field = page.get_by_role("region", name="Keyword filters").get_by_label("New keyword")
    field.evaluate("f => f.removeAttribute('minlength')")
    field.fill("ab")
    me.submit(page.get_by_role("button", name="Add keyword").click)
    expect(page.get_by_role("alert")).to_have_text("A keyword has at least 3 characters.")
    expect(page.get_by_role("region", name="Keyword filters")).to_contain_text(
        "You filter no keyword."
    )


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_blocking_all_people_of_an_instance(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    s = _scene(site)
    me = sign_up(site, new_context(java_script_enabled=js), unique("ipweb"), js=js)
    assert _everywhere(me, s, s.far_post) == [True, True, True]  # Local: a local community

    # From the remote person's profile.
    page = me.page
    me.open(f"/u/{s.far_name}@{s.domain}")
    me.submit(page.get_by_role("button", name=f"Block all people of {s.domain}").click)
    assert page.url == f"{site.url}/u/{s.far_name}@{s.domain}"
    expect(page.get_by_role("button", name=f"Unblock all people of {s.domain}")).to_be_visible()
    assert _everywhere(me, s, s.far_post) == [False, False, False]
    assert _everywhere(me, s, s.calm) == [True, True, True]

    page = _blocks(me)
    people = page.get_by_role("region", name="Blocked instances: people")
    expect(people.get_by_role("listitem")).to_have_text([f"{s.domain} Unblock"])
    me.submit(people.get_by_role("button", name=f"Unblock {s.domain}").click)
    assert page.url == f"{site.url}/settings/blocks#blocked-instance-persons"
    expect(page.get_by_role("region", name="Blocked instances: people")).to_contain_text(
        "You block no instance's people"
    )
    assert _everywhere(me, s, s.far_post)[0] is True

    # From the post's page, and by name on the settings page.
    me.open(f"/post/{s.far_post}")
    expect(page.get_by_role("button", name=f"Block all people of {s.domain}")).to_be_visible()
    me.submit(page.get_by_role("button", name=f"Block all people of {s.domain}").click)
    expect(page.get_by_role("button", name=f"Unblock all people of {s.domain}")).to_be_visible()
    me.open(f"/post/{s.calm}")  # a local author: no such button
    expect(page.get_by_role("button", name="Block all people")).to_have_count(0)
    page = _blocks(me)
    me.submit(page.get_by_role("button", name=f"Unblock {s.domain}").click)
    page.get_by_label("Server whose people to block").fill(s.domain.upper())
    me.submit(page.get_by_role("button", name="Block its people").click)
    expect(
        page.get_by_role("region", name="Blocked instances: people").get_by_role("listitem")
    ).to_have_text([f"{s.domain} Unblock"])
    assert _everywhere(me, s, s.far_post)[0] is False
    page = _blocks(me)
    page.get_by_label("Server whose people to block").fill("nowhere.invalid")
    me.submit(page.get_by_role("button", name="Block its people").click)
    expect(page.get_by_role("alert")).to_have_text("That server is not known here.")
