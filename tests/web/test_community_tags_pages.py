"""Community post tags on the web, in Chromium, with and without JavaScript: a moderator
adds, renames and deletes tags on the community's moderation page; a member ticks one when
posting; the post shows it as a coloured chip; the community's page filters by tag through
plain links; the moderator changes the post's tags and NSFW flag from its page (Lemmy 1.0's
ModEditPost); API v4 shows the same tags (one action behind both)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.conftest import ContextMaker
from tests.web.people import Person, sign_up


def _community(mod: Person) -> str:
    name = unique("wtag")
    answer = mod.context.request.post(
        f"{mod.server.api}/community", data={"name": name, "title": "Tagged on the web"}
    )
    assert answer.ok, answer.text()
    return name


def _post_titles(person: Person) -> list[str]:
    return person.page.locator("article.card h2.title a").all_inner_texts()


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_tags_from_moderation_page_to_filter(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    mod = sign_up(site, new_context(java_script_enabled=js), unique("wtm"), js=js)
    community = _community(mod)
    page = mod.page
    mod.open(f"/c/{community}/moderation")
    tags = page.get_by_role("region", name="Post tags")
    for name, shown in (("news", "News"), ("meta", "")):
        page.get_by_label("New tag's name").fill(name)
        page.get_by_label("New tag's display name (optional)").fill(shown)
        page.get_by_label("New tag's colour").select_option(label="Colour 4")
        mod.submit(page.get_by_role("button", name="Add tag").click)
    expect(tags.locator(".chip")).to_have_text(["News", "meta"])
    expect(tags.locator(".chip").first).to_have_class("chip color04")
    page.get_by_label("Display name of news").fill("Headlines")
    mod.submit(page.get_by_role("button", name="Save news").click)
    expect(tags.locator(".chip").first).to_have_text("Headlines")
    mod.submit(page.get_by_role("button", name="Delete meta").click)
    expect(tags.get_by_text("· deleted")).to_be_visible()
    mod.submit(page.get_by_role("button", name="Restore meta").click)
    expect(tags.get_by_text("· deleted")).to_have_count(0)

    member = sign_up(site, new_context(java_script_enabled=js), unique("wtp"), js=js)
    member.open(f"/create_post?community={community}")
    choices = member.page.get_by_role("group", name="Tags")
    expect(choices.get_by_role("checkbox")).to_have_count(2)
    choices.get_by_role("checkbox").first.check()
    member.page.get_by_label("Title").fill("Tagged from a browser")
    member.submit(member.page.get_by_role("button", name="Post", exact=True).click)
    chips = member.page.get_by_role("list", name="Tags")
    expect(chips.get_by_role("link")).to_have_text(["Headlines"])
    tagged_url = member.page.url
    member.open(f"/create_post?community={community}")
    member.page.get_by_label("Title").fill("Not tagged")
    member.submit(member.page.get_by_role("button", name="Post", exact=True).click)

    member.open(f"/c/{community}")
    expect(member.page.locator("article.card h2.title a")).to_have_count(2)
    member.submit(
        member.page.get_by_role("navigation", name="Filter by tag")
        .get_by_role("link", name="Headlines")
        .click
    )
    expect(member.page.locator("article.card h2.title a")).to_have_text(["Tagged from a browser"])
    expect(member.page.locator("article.card .chip")).to_have_text(["Headlines"])
    member.submit(member.page.get_by_role("link", name="All posts").click)
    expect(member.page.locator("article.card h2.title a")).to_have_count(2)

    # The moderator retags the post and marks it NSFW from its page.
    page.goto(tagged_url)
    page.get_by_text("Tags and NSFW", exact=True).click()
    editing = page.locator("#mod-edit")
    editing.get_by_role("checkbox", name="Headlines").uncheck()
    editing.get_by_role("checkbox", name="meta").check()
    editing.get_by_label("NSFW").check()
    mod.submit(page.get_by_role("button", name="Save tags and NSFW").click)
    expect(page.get_by_role("list", name="Tags").get_by_role("link")).to_have_text(["meta"])
    post_id = int(tagged_url.rstrip("/").rsplit("/", 1)[1])
    view = mod.context.request.get(f"{site.url}/api/v4/post", params={"id": post_id}).json()
    assert [t["name"] for t in view["post_view"]["tags"]] == ["meta"]
    assert view["post_view"]["post"]["nsfw"] is True

    # The author's edit form shows the post's tags ticked.
    member.open(f"/post/{post_id}/edit")
    ticked = member.page.get_by_role("group", name="Tags").get_by_role("checkbox", checked=True)
    expect(ticked).to_have_count(1)


def test_a_member_cannot_manage_tags(site: Server, new_context: ContextMaker) -> None:
    mod = sign_up(site, new_context(), unique("wtn"), js=False)
    community = _community(mod)
    member = sign_up(site, new_context(), unique("wto"), js=False)
    token = next(c["value"] for c in member.context.cookies() if c["name"] == "csrftoken")
    answer = member.context.request.post(
        f"{site.url}/c/{community}/tags",
        form={"name": "mine", "_csrf_token": token},
        max_redirects=0,
    )
    assert answer.status == 400
