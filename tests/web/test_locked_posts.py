"""A locked post (issue 14, item 7): its page and the lists say so, and a member is offered
no way to comment — no comment box, no Reply under its comments — while its moderator keeps
both. In light and dark, wide and narrow, with no serious accessibility finding."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.web.axe import check_schemes_and_widths
from tests.web.staff import Crew, browser_for


def test_a_locked_post_offers_no_reply(crew: Crew, browser: Browser) -> None:
    post_id = crew.post(crew.helper_api)
    comment_id = crew.comment(post_id, crew.helper_api)
    crew.mod_api.ok("POST", "/post/lock", {"post_id": post_id, "locked": True})

    member = crew.member
    member.open(f"/post/{post_id}")
    expect(member.page.locator(f"#p{post_id} .meta")).to_contain_text("Locked")
    expect(member.page.locator("p.locked")).to_contain_text("This post is locked")
    expect(member.page.get_by_label("Add a comment")).to_have_count(0)
    comment = member.page.locator(f"li#c{comment_id}")
    expect(comment).to_be_visible()
    expect(comment.get_by_role("link", name="Reply")).to_have_count(0)
    member.open(f"/c/{crew.community}?sort=New")
    expect(member.page.locator(f"#p{post_id} .meta")).to_contain_text("Locked")

    # Its moderator may still answer there, as the action allows.
    crew.mod.open(f"/post/{post_id}")
    expect(crew.mod.page.get_by_label("Add a comment")).to_be_visible()
    expect(
        crew.mod.page.locator(f"li#c{comment_id}").get_by_role("link", name="Reply")
    ).to_be_visible()

    # Unlocked, the member may comment again.
    crew.mod_api.ok("POST", "/post/lock", {"post_id": post_id, "locked": False})
    member.open(f"/post/{post_id}")
    expect(member.page.get_by_label("Add a comment")).to_be_visible()
    expect(
        member.page.locator(f"li#c{comment_id}").get_by_role("link", name="Reply")
    ).to_be_visible()

    # The locked page for a member, in each scheme and width (axe needs the page's script).
    crew.mod_api.ok("POST", "/post/lock", {"post_id": post_id, "locked": True})
    reader = browser_for(browser, crew.server, crew.member_api, crew.member.name, True)
    try:
        reader.open(f"/post/{post_id}")
        check_schemes_and_widths(reader.page, f"locked-post-{crew.server.backend}")
    finally:
        reader.context.close()
