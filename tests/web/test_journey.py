"""Two people use moot through a real browser from sign-up to log-out, once with
JavaScript (votes, saves, subscriptions and replies happen in place) and once without (every
form posts and comes back), on both backends. Each step is checked on the page and, through
the same browser session, against the API: one login, one set of actions."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Locator, expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.conftest import ContextMaker, save_screenshot
from tests.web.people import Person, sign_up


def _comment(person: Person, comment_id: int) -> Locator:
    return person.page.locator(f"li#c{comment_id}")


def _newest_comment_id(person: Person, post_id: int, creator: str) -> int:
    comments = person.api("/comment/list", post_id=post_id, sort="New", limit=50)["comments"]
    return next(int(c["comment"]["id"]) for c in comments if c["creator"]["name"] == creator)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_journey(
    site: Server, new_context: ContextMaker, outside: list[tuple[str, str]], js: bool
) -> None:
    # Sign up two people; each browser is logged in, and the API sees the same session.
    alice = sign_up(site, new_context(java_script_enabled=js), unique("alice"), js)
    bob = sign_up(site, new_context(java_script_enabled=js), unique("bob"), js)
    for person in (alice, bob):
        cookie = {c["name"]: c for c in person.context.cookies()}["jwt"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        me = person.api("/site")["my_user"]["local_user_view"]["person"]
        assert me["name"] == person.name

    # Alice makes a community; she moderates it and is its first subscriber.
    name = unique("journey")
    alice.open("/create_community")
    alice.page.get_by_label("Name", exact=True).fill(name)
    alice.page.get_by_label("Title", exact=True).fill("Journey club")
    alice.page.get_by_label("Description (Markdown)").fill("We **walk** together.")
    alice.submit(alice.page.get_by_role("button", name="Create").click)
    assert alice.page.url == f"{site.url}/c/{name}"
    side = alice.page.get_by_role("complementary")
    expect(side.locator(".md strong")).to_have_text("walk")
    expect(side.locator(".subs")).to_have_text("1 subscriber")
    expect(side.locator(".mods")).to_contain_text(alice.name)

    # She posts a link with a thumbnail and a Markdown body.
    alice.submit(alice.page.get_by_role("link", name="New post here").click)
    expect(alice.page.get_by_label("Community")).to_have_value(name)
    alice.page.get_by_label("Title", exact=True).fill("A walk in the park")
    alice.page.get_by_label("Link (optional)").fill(f"{site.url}/about")
    alice.page.get_by_label("Thumbnail image address (optional)").fill(
        f"{site.url}/static/icon.svg"
    )
    alice.page.get_by_label("Text (optional, Markdown)").fill("Meet at *noon*.")
    alice.submit(alice.page.get_by_role("button", name="Post").click)
    post_id = int(re.fullmatch(rf"{site.url}/post/(\d+)", alice.page.url).group(1))  # type: ignore[union-attr]
    expect(alice.page.get_by_role("heading", level=1)).to_have_text("A walk in the park")
    preview = alice.page.locator("a.preview")
    expect(preview).to_have_attribute("href", f"{site.url}/about")
    expect(preview.locator("img")).to_have_attribute("src", f"{site.url}/static/icon.svg")
    expect(alice.page.locator(".body em")).to_have_text("noon")

    # Bob subscribes from the community page.
    bob.open(f"/c/{name}")
    bob.act(bob.page.get_by_role("button", name="Subscribe").click)
    expect(bob.page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    expect(bob.page.locator(".sidebar .subs")).to_have_text("2 subscribers")
    assert bob.api("/community", name=name)["community_view"]["subscribed"] == "Subscribed"

    # Bob comments on the post.
    bob.open(f"/post/{post_id}")
    bob.page.get_by_label("Add a comment").fill("Count me in!")
    bob.act(bob.page.get_by_role("button", name="Comment").click)
    bob_comment = _newest_comment_id(bob, post_id, bob.name)
    expect(_comment(bob, bob_comment).locator(".md")).to_have_text("Count me in!")

    # Alice replies to Bob's comment; the reply sits under it.
    alice.open(f"/post/{post_id}")
    reply_link = _comment(alice, bob_comment).get_by_role("link", name="Reply").first
    if js:
        alice.act(reply_link.click)
        box = alice.page.get_by_label(f"Reply to {bob.name}")
        expect(box).to_be_focused()
    else:
        alice.submit(reply_link.click)
        box = alice.page.get_by_label("Your reply")
    box.fill("See you there.")
    alice.act(alice.page.get_by_role("button", name="Reply", exact=True).click)
    reply_id = _newest_comment_id(alice, post_id, alice.name)
    nested = alice.page.locator(f"#k{bob_comment} > li#c{reply_id}")
    expect(nested.locator(".md")).to_have_text("See you there.")

    # Bob votes: up on the post, down on Alice's reply; he saves the post.
    bob.open(f"/post/{post_id}")
    post_bar = bob.page.locator(f"#p{post_id} .acts")
    bob.act(post_bar.get_by_role("button", name="Upvote").click)
    expect(post_bar.get_by_role("button", name="Upvote")).to_have_attribute("aria-pressed", "true")
    expect(post_bar.locator(".score")).to_have_text("2 points")
    reply_bar = _comment(bob, reply_id).locator(".acts").first
    bob.act(reply_bar.get_by_role("button", name="Downvote").click)
    expect(reply_bar.get_by_role("button", name="Downvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(reply_bar.locator(".score")).to_have_text("0 points")
    bob.act(post_bar.get_by_role("button", name="Save").click)
    expect(post_bar.get_by_role("button", name="Save")).to_have_attribute("aria-pressed", "true")
    seen = bob.api("/post", id=post_id)["post_view"]
    assert (seen["my_vote"], seen["saved"], seen["counts"]["score"]) == (1, True, 2)
    reply_view = bob.api("/comment", id=reply_id)["comment_view"]
    assert (reply_view["my_vote"], reply_view["counts"]["score"]) == (-1, 0)
    if js:
        # The keyboard stays on the control that was pressed.
        expect(post_bar.get_by_role("button", name="Save")).to_be_focused()
    bob.open(f"/u/{bob.name}?view=Saved")
    expect(bob.page.locator("article.item")).to_have_count(1)
    expect(bob.page.locator("article.item .item-title")).to_have_text("A walk in the park")

    # A thread collapses without any script: <details>.
    bob.open(f"/post/{post_id}")
    summary = _comment(bob, bob_comment).locator("summary").first
    summary.click()
    expect(_comment(bob, reply_id).locator(".md")).to_be_hidden()
    summary.click()
    expect(_comment(bob, reply_id).locator(".md")).to_be_visible()

    # Alice edits her post; Bob edits his comment.
    alice.open(f"/post/{post_id}")
    alice.submit(alice.page.locator(f"#p{post_id} .bar").get_by_role("link", name="Edit").click)
    alice.page.get_by_label("Title", exact=True).fill("A walk in the big park")
    alice.submit(alice.page.get_by_role("button", name="Save").click)
    expect(alice.page.get_by_role("heading", level=1)).to_have_text("A walk in the big park")
    expect(alice.page.locator(f"#p{post_id} .meta")).to_contain_text("edited")
    bob.open(f"/post/{post_id}")
    bob.submit(_comment(bob, bob_comment).get_by_role("link", name="Edit").first.click)
    bob.page.get_by_label("Comment", exact=True).fill("Count me in, twice!")
    bob.submit(bob.page.get_by_role("button", name="Save").click)
    expect(_comment(bob, bob_comment).locator(".md").first).to_have_text("Count me in, twice!")
    expect(_comment(bob, bob_comment).locator(".head").first).to_contain_text("edited")

    # Alice deletes her reply, then her post.
    alice.open(f"/post/{post_id}")
    alice.submit(_comment(alice, reply_id).get_by_role("link", name="Delete").click)
    alice.submit(alice.page.get_by_role("button", name="Delete comment").click)
    expect(_comment(alice, reply_id).locator(".gone")).to_have_text("Deleted by its author")
    assert alice.api("/comment", id=reply_id)["comment_view"]["comment"]["deleted"] is True
    save_screenshot(alice.page, f"journey-post-{site.backend}-{'js' if js else 'nojs'}")
    alice.submit(alice.page.locator(f"#p{post_id} .bar").get_by_role("link", name="Delete").click)
    alice.submit(alice.page.get_by_role("button", name="Delete post").click)
    assert alice.page.url == f"{site.url}/c/{name}"
    expect(alice.page.locator(f"#p{post_id}")).to_have_count(0)
    assert alice.api("/post", id=post_id)["post_view"]["post"]["deleted"] is True
    # As in Lemmy 0.19, a deleted post is gone for everyone but its author.
    gone = bob.context.request.get(site.api + "/post", params={"id": post_id})
    assert (gone.status, gone.json()) == (404, {"error": "couldnt_find_post"})

    # Both log out: the page shows it, and the token is revoked for the API too.
    for person in (alice, bob):
        token = {c["name"]: c for c in person.context.cookies()}["jwt"]["value"]
        person.open("/")
        person.submit(person.page.get_by_role("button", name="Log out").click)
        expect(person.page.get_by_role("link", name="Log in")).to_be_visible()
        assert "my_user" not in person.api("/site")
        revoked = httpx.get(
            f"{site.api}/user/validate_auth", headers={"Authorization": f"Bearer {token}"}
        )
        assert revoked.status_code >= 400
    assert [(kind, url) for kind, url in outside] == []
