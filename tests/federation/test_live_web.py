"""Federation from the web interface, in Debian's chromium: a member of alpha finds a
community of beta with the search box, subscribes (Pending, then Subscribed once beta's
Accept arrives), reads its posts, opens a remote author's profile, and unsubscribes;
with and without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser import ContextMaker
from tests.conftest import Api, register, unique
from tests.federation.conftest import Cluster, wait_for
from tests.web.people import Person, sign_up


def _community_on(api: Api, name: str) -> int:
    made = api.ok("POST", "/community", {"name": name, "title": f"Remote {name}"})
    return int(made["community_view"]["community"]["id"])


def _subscribers(api: Api, community_id: int) -> int:
    return int(
        api.ok("GET", "/community", id=community_id)["community_view"]["counts"]["subscribers"]
    )


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_follow_a_remote_community_from_the_web(
    cluster: Cluster, new_context: ContextMaker, js: bool
) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    name = unique("webfed")
    author_name = unique("rosa")
    author = register(beta.server, author_name)
    author.ok("PUT", "/user/save_user_settings", {"display_name": "Rosa", "pronouns": "she/her"})
    community_id = _community_on(beta.admin, name)
    before = _subscribers(beta.admin, community_id)  # its creator follows it
    author.ok("POST", "/post", {"name": "Written on beta", "community_id": community_id})

    context: BrowserContext = new_context(java_script_enabled=js)
    me: Person = sign_up(alpha.server, context, unique("reader"), js)
    page = me.page
    beta_host = beta.host  # remote actors are named with host and port, as in lemmy-ui

    me.open("/")
    box = page.get_by_role("search")
    box.get_by_role("searchbox").fill(f"!{name}@{beta.host}")
    me.submit(box.get_by_role("button", name="Search").click)
    assert page.url.endswith(f"/c/{name}@{beta_host}"), page.url
    expect(page.get_by_role("heading", name=f"Remote {name}").first).to_be_visible()
    expect(page.locator(".sidebar .handle")).to_have_text(f"!{name}@{beta_host}")

    me.act(page.get_by_role("button", name="Subscribe", exact=True).click)
    # The Follow leaves after the page is answered, so beta's Accept is almost never in yet.
    expect(page.get_by_role("button", name=re.compile("Pending|Unsubscribe"))).to_be_visible()

    def subscribed() -> bool:
        me.open(f"/c/{name}@{beta_host}")
        return page.get_by_role("button", name="Unsubscribe", exact=True).count() == 1

    wait_for(subscribed, "beta's Accept, shown on alpha's community page")
    assert wait_for(
        lambda: _subscribers(beta.admin, community_id) == before + 1, "beta counting alpha"
    )

    # The community's earlier post came with it (its outbox), and its author's profile is
    # alpha's view of a beta person: name, pronouns and handle with beta's host.
    def listed() -> bool:
        me.open(f"/c/{name}@{beta_host}")
        return page.get_by_role("link", name="Written on beta").count() == 1

    wait_for(listed, "beta's post on alpha's community page")
    page.locator("article.card .who", has_text="Rosa").first.click()
    page.wait_for_url(f"**/u/{author_name}@{beta_host}")
    expect(page.locator("h1 .person-name")).to_have_text("Rosa [she/her]")
    expect(page.locator(".profile .handle")).to_have_text(f"@{author_name}@{beta_host}")
    expect(page.get_by_role("link", name="Written on beta")).to_be_visible()

    me.open(f"/c/{name}@{beta_host}")
    me.act(page.get_by_role("button", name="Unsubscribe", exact=True).click)
    expect(page.get_by_role("button", name="Subscribe", exact=True)).to_be_visible()
    assert wait_for(lambda: _subscribers(beta.admin, community_id) == before, "beta dropping alpha")


def test_search_box_lookups_for_visitors_and_unknown_names(
    cluster: Cluster, new_context: ContextMaker
) -> None:
    alpha, beta = cluster.alpha, cluster.beta
    page = new_context().new_page()
    unknown = unique("nobody")

    # Anonymous visitors do not make alpha fetch from beta.
    name = unique("webanon")
    _community_on(beta.admin, name)
    response = page.goto(f"{alpha.server.url}/search?q={quote(f'!{name}@{beta.host}')}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("Log in to look it up")

    # Once a member has looked it up, alpha knows it and shows it to everyone.
    member = alpha.member()
    member.ok("GET", "/resolve_object", q=f"!{name}@{beta.host}")
    response = page.goto(f"{alpha.server.url}/search?q={quote(f'!{name}@{beta.host}')}")
    assert response is not None and response.status == 200
    assert page.url.endswith(f"/c/{name}@{beta.host}"), page.url

    # A name beta does not have is a clear "not found", not an error page.
    me = sign_up(alpha.server, new_context(), unique("seeker"), js=False)
    response = me.page.goto(f"{alpha.server.url}/search?q={quote(f'!{unknown}@{beta.host}')}")
    assert response is not None and response.status == 404
    expect(me.page.get_by_role("alert")).to_contain_text(f"Nothing found for “!{unknown}@")

    # Words that merely contain an @ are still a search.
    response = me.page.goto(f"{alpha.server.url}/search?q={quote('mail me @ home')}")
    assert response is not None and response.status == 200
    expect(me.page.get_by_text("Nothing found for “mail me @ home”.")).to_be_visible()
