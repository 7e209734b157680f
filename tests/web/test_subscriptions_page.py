"""Notification settings (Lemmy 1.0) on the web, in Chromium, with and without JavaScript:
a member follows a post's comments from the post's "Notifications" page and a community's
posts from the community's, and finds what they told in the inbox (Subscribed, New
posts); API v4 shows the same settings (one action behind both)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.web.conftest import ContextMaker
from tests.web.people import Person, community_with_posts, sign_up


def _v4(site: Server, member: Person, path: str, **params: object) -> dict[str, object]:
    token = next(c["value"] for c in member.context.cookies() if c["name"] == "jwt")
    answer = httpx.get(
        f"{site.url}/api/v4{path}", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    answer.raise_for_status()
    data: dict[str, object] = answer.json()
    return data


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_subscriptions_from_the_post_and_community_pages(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    poster, community, (post_id,) = community_with_posts(site, 1)
    member = sign_up(site, new_context(java_script_enabled=js), unique("bell"), js=js)
    page = member.page

    member.open(f"/post/{post_id}")
    member.submit(page.get_by_role("link", name="Notifications").click)
    expect(page.get_by_label("Only replies and mentions (the default)")).to_be_checked()
    page.get_by_label("Every new comment").check()
    member.submit(page.get_by_role("button", name="Save").click)
    expect(page.locator("p.done")).to_have_text("Saved: Every new comment.")
    expect(page.get_by_label("Every new comment")).to_be_checked()
    view = _v4(site, member, "/post", id=post_id)["post_view"]
    assert isinstance(view, dict) and view["post_actions"]["notifications"] == "all_comments"

    poster.ok("POST", "/comment", {"post_id": post_id, "content": "A ringing comment"})
    member.open("/messages?view=subscribed&show=unread")
    expect(page.locator("ol.messages li")).to_have_count(1)
    expect(page.locator("ol.messages li").first).to_contain_text("A ringing comment")
    expect(page.locator("ol.messages li").first).to_contain_text("commented")

    member.open(f"/c/{community}")
    member.submit(page.get_by_role("link", name="Notifications").click)
    page.get_by_label("Every new post", exact=True).check()
    member.submit(page.get_by_role("button", name="Save").click)
    expect(page.get_by_label("Every new post", exact=True)).to_be_checked()
    community_id = poster.ok("GET", "/community", name=community)["community_view"]["community"][
        "id"
    ]
    poster.ok("POST", "/post", {"name": "A ringing post", "community_id": community_id})
    member.open("/messages?view=posts&show=unread")
    notice = page.locator("ol.messages li").first
    expect(notice).to_contain_text("A ringing post")
    member.submit(notice.get_by_role("button", name="Mark read").click)
    expect(page.locator("ol.messages li")).to_have_count(0)


def test_an_unknown_mode_is_refused(site: Server, new_context: ContextMaker) -> None:
    _, _, (post_id,) = community_with_posts(site, 1)
    member = sign_up(site, new_context(), unique("bellx"), js=False)
    answer = member.context.request.post(
        f"{site.url}/post/{post_id}/notifications",
        form={
            "mode": "loud",
            "_csrf_token": next(
                c["value"] for c in member.context.cookies() if c["name"] == "csrftoken"
            ),
        },
        max_redirects=0,
    )
    assert answer.status == 400
