"""Private communities (Lemmy 1.0) on the web, in Chromium, with and without JavaScript: a
moderator makes a community private in its settings; a member's subscribe button then
reads "Pending" and the posts stay hidden from them (and from anonymous readers); the
moderator's page lists the waiting follow with Approve and Deny buttons (plain forms);
approved, the member reads the post and the button says Unsubscribe; denied, another
member's follow is gone. The sitemap leaves the private post out; axe finds nothing
serious on the moderation page's list."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.axe import check_schemes_and_widths
from tests.web.conftest import ContextMaker
from tests.web.people import Person, sign_up


def _make_private(mod: Person, name: str) -> int:
    mod.open("/create_community")
    mod.page.get_by_label("Name", exact=True).fill(name)
    mod.page.get_by_label("Title", exact=True).fill("Behind the door")
    mod.submit(mod.page.get_by_role("button", name="Create").click)
    mod.open(f"/c/{name}/edit")
    expect(mod.page.get_by_label("Who sees it")).to_have_value("Public")
    mod.page.get_by_label("Who sees it").select_option("Private")
    mod.submit(mod.page.get_by_role("button", name="Save").click)
    mod.open(f"/c/{name}/edit")
    expect(mod.page.get_by_label("Who sees it")).to_have_value("Private")
    mod.submit(mod.page.get_by_role("link", name="Cancel").click)
    mod.submit(mod.page.get_by_role("link", name="New post here").click)
    mod.page.get_by_label("Title", exact=True).fill("Only for the approved")
    mod.submit(mod.page.get_by_role("button", name="Post").click)
    match = re.fullmatch(rf"{mod.server.url}/post/(\d+)", mod.page.url)
    assert match is not None, mod.page.url
    return int(match.group(1))


def _sees_post(who: Person, name: str, post_id: int) -> bool:
    who.open(f"/c/{name}")
    listed = who.page.get_by_role("link", name="Only for the approved").count() > 0
    answer = who.page.goto(f"{who.server.url}/post/{post_id}")
    assert answer is not None
    assert listed == (answer.status == 200), (listed, answer.status)
    return listed


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_a_follow_waits_for_the_moderators_approval(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    mod = sign_up(site, new_context(java_script_enabled=js), unique("pm"), js=js)
    member = sign_up(site, new_context(java_script_enabled=js), unique("pf"), js=js)
    other = sign_up(site, new_context(java_script_enabled=js), unique("po"), js=js)
    name = unique("priv")
    post_id = _make_private(mod, name)

    anonymous = new_context(java_script_enabled=js).new_page()
    anonymous.goto(f"{site.url}/c/{name}")
    expect(anonymous.get_by_role("link", name="Only for the approved")).to_have_count(0)
    gone = anonymous.goto(f"{site.url}/post/{post_id}")
    assert gone is not None and gone.status == 404
    assert f"/post/{post_id}</loc>" not in httpx.get(f"{site.url}/sitemap.xml").text

    for who in (member, other):
        who.open(f"/c/{name}")
        who.act(who.page.get_by_role("button", name="Subscribe").click)
        expect(who.page.get_by_role("button", name="Pending")).to_be_visible()
        assert who.api("/community", name=name)["community_view"]["subscribed"] == "Pending"
        assert not _sees_post(who, name, post_id)

    mod.open(f"/c/{name}/moderation")
    waiting = mod.page.get_by_role("region", name="Follows waiting for approval")
    expect(waiting.get_by_role("listitem")).to_have_count(2)
    if js:  # axe runs as a script
        check_schemes_and_widths(mod.page, f"pending-follows-{site.backend}")
        mod.page.set_viewport_size({"width": 1280, "height": 900})
    mod.submit(waiting.get_by_role("button", name=f"Approve {member.name}").click)
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    mod.submit(waiting.get_by_role("button", name=f"Deny {other.name}").click)
    expect(waiting.get_by_text("No follow is waiting.")).to_be_visible()

    assert _sees_post(member, name, post_id)
    member.open(f"/c/{name}")
    expect(member.page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    expect(member.page.locator(".sidebar .subs")).to_have_text("2 subscribers")
    other.open(f"/c/{name}")
    expect(other.page.get_by_role("button", name="Subscribe")).to_be_visible()
    assert not _sees_post(other, name, post_id)
