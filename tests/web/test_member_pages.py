"""What members do around moderation, in the browser: reporting posts and comments (and the
count the moderators' menu shows), private messages (send from a profile, unread count,
read in place, reply, delete, report), signing up where the site requires an application
(told when it waits and why it was turned down), and the moderators' own front-page tab."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from moot.errors import ErrorCode
from tests.conftest import unique
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, Person
from tests.web.staff import Crew, forge, refusal_words


def _menu(page: Page, name: str) -> str:
    link = page.get_by_role("navigation", name="Site").get_by_role("link", name=re.compile(name))
    return link.inner_text()


def _count(page: Page, name: str) -> int:
    """The number beside a menu entry (0 when there is none)."""
    found = re.search(r"\d+", _menu(page, name))
    return int(found.group()) if found else 0


def test_reports_from_members(crew: Crew) -> None:
    post_id = crew.post(crew.helper_api)
    comment_id = crew.comment(post_id, crew.helper_api)
    crew.mod.open("/")
    open_before = _count(crew.mod.page, "Reports")

    # Anonymous readers have no Report links; members have one on what others wrote.
    crew.anon.open(f"/post/{post_id}")
    expect(crew.anon.page.get_by_role("link", name="Report")).to_have_count(0)
    member = crew.member
    member.open(f"/post/{post_id}")
    member.submit(member.page.locator(f"#p{post_id} .bar").get_by_role("link", name="Report").click)
    expect(member.page.get_by_role("heading", level=1)).to_have_text("Report post")
    member.page.get_by_label("What is wrong with it?").fill("Advertising a shop")
    member.submit(member.page.get_by_role("button", name="Send report").click)
    expect(member.page.locator("p.done")).to_contain_text("the moderators will look at it")

    member.open(f"/post/{post_id}")
    member.submit(member.page.locator(f"li#c{comment_id}").get_by_role("link", name="Report").click)
    member.page.get_by_label("What is wrong with it?").fill("Insults")
    member.submit(member.page.get_by_role("button", name="Send report").click)
    # Twice is refused, and the text stays in the box.
    member.open(f"/comment/{comment_id}/report")
    member.page.get_by_label("What is wrong with it?").fill("Still insulting")
    member.submit(member.page.get_by_role("button", name="Send report").click)
    expect(member.page.get_by_role("alert")).to_have_text("You have already reported that.")
    expect(member.page.get_by_label("What is wrong with it?")).to_have_value("Still insulting")

    # The moderator's menu counts both; the reports page shows them with their reasons.
    crew.mod.open("/")
    assert _count(crew.mod.page, "Reports") == open_before + 2
    crew.mod.submit(crew.mod.page.get_by_role("link", name=re.compile("^Reports")).click)
    expect(crew.mod.page.locator("main")).to_contain_text("Advertising a shop")
    crew.mod.open("/reports?kind=comments")
    expect(crew.mod.page.locator("main")).to_contain_text("Insults")
    counts = crew.mod_api.ok("GET", "/user/report_count")
    assert counts["post_reports"] + counts["comment_reports"] == open_before + 2


def test_private_messages(crew: Crew) -> None:
    member, mod = crew.member, crew.mod
    text = f"Hello from {member.name}, about {unique('topic')}"
    crew.anon.open(f"/u/{mod.name}")
    expect(crew.anon.page.get_by_role("link", name="Send message")).to_have_count(0)
    mod.open("/")
    unread_before = _count(mod.page, "Inbox")

    member.open(f"/u/{mod.name}")
    member.submit(member.page.get_by_role("link", name="Send message").click)
    member.page.get_by_label("Your message (Markdown)").fill(text)
    member.submit(member.page.get_by_role("button", name="Send message").click)
    expect(member.page.locator("p.done")).to_have_text("Your message is sent.")
    sent = member.page.locator("li.message").first
    expect(sent).to_contain_text(f"To {mod.name}")
    expect(sent).to_contain_text(text)

    # The recipient's menu counts it; reading it (in place with the script) clears the mark.
    mod.open("/messages?show=unread")
    assert _count(mod.page, "Inbox") == unread_before + 1
    received = mod.page.locator("li.message", has_text=text)
    expect(received.locator(".tag")).to_have_text("Unread")
    mod.open("/messages")
    received = mod.page.locator("li.message", has_text=text)
    mod.act(received.get_by_role("button", name="Mark read").click)
    received = mod.page.locator("li.message", has_text=text)
    expect(received.get_by_role("button", name="Mark unread")).to_be_visible()
    mod.open("/")
    assert _count(mod.page, "Inbox") == unread_before
    assert mod.api("/user/unread_count")["private_messages"] == unread_before

    # A reply quotes what it answers and reaches the sender.
    mod.open("/messages")
    mod.submit(
        mod.page.locator("li.message", has_text=text).get_by_role("link", name="Reply").click
    )
    expect(mod.page.locator("blockquote")).to_contain_text(text)
    mod.page.get_by_label("Your message (Markdown)").fill("Thanks, noted.")
    mod.submit(mod.page.get_by_role("button", name="Send message").click)
    member.open("/messages")
    expect(member.page.locator("li.message").first).to_contain_text("Thanks, noted.")

    # The recipient can report it; only its sender can delete it, and others are refused.
    mod.open("/messages")
    mod.submit(
        mod.page.locator("li.message", has_text=text).get_by_role("link", name="Report").click
    )
    mod.page.get_by_label("What is wrong with it?").fill("Unwanted")
    mod.submit(mod.page.get_by_role("button", name="Send report").click)
    expect(mod.page.locator("p.done")).to_contain_text("the admins will look at it")
    message_id = next(
        m["private_message"]["id"]
        for m in member.api("/private_message/list", limit=20)["private_messages"]
        if m["private_message"]["content"] == text
    )
    status, body = forge(mod, f"/messages/{message_id}/delete", {})
    assert status == 400 and refusal_words(ErrorCode.EDIT_PRIVATE_MESSAGE_NOT_ALLOWED) in body
    member.open("/messages")
    member.submit(
        member.page.locator("li.message", has_text=text).get_by_role("button", name="Delete").click
    )
    expect(member.page.locator("li.message", has_text=text)).to_have_count(0)
    mod.open("/messages")
    expect(mod.page.locator("li.message", has_text=text)).to_have_count(0)


def _sign_up(person: Person, name: str, answer: str | None) -> None:
    person.open("/signup")
    page = person.page
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    if answer is not None:
        page.get_by_label("Your answer").fill(answer)
    person.submit(page.get_by_role("button", name="Sign up").click)


def _log_in(person: Person, name: str) -> None:
    person.open("/login")
    person.page.get_by_label("Name or email").fill(name)
    person.page.get_by_label("Password").fill(PASSWORD)
    person.submit(person.page.get_by_role("button", name="Log in").click)


def test_signing_up_by_application(crew: Crew, new_context: ContextMaker) -> None:
    question = "Which trains do you like, and why?"
    crew.admin_api.ok(
        "PUT",
        "/site",
        {"registration_mode": "RequireApplication", "application_question": question},
    )
    try:
        context = new_context(java_script_enabled=crew.js)
        applicant = Person("applicant", context, context.new_page(), crew.server, crew.js)
        denied, accepted = unique("hopeful"), unique("welcome")
        applicant.open("/signup")
        expect(applicant.page.locator(".question")).to_have_text(question)
        _sign_up(applicant, denied, "")
        expect(applicant.page.get_by_role("alert")).to_have_text("Please answer the question.")
        _sign_up(applicant, denied, "Steam ones.")
        expect(applicant.page.get_by_role("heading", level=1)).to_have_text("Application sent")
        _log_in(applicant, denied)
        expect(applicant.page.get_by_role("alert")).to_have_text(
            "Your application is waiting for an admin."
        )

        # The admin's menu counts it; denied with a reason, the applicant is told why.
        crew.admin.open("/")
        assert _count(crew.admin.page, "Admin") >= 1
        crew.admin.open("/admin/applications")
        entry = crew.admin.page.locator("li.application", has_text=denied)
        expect(entry).to_contain_text("Steam ones.")
        entry.get_by_label("Reason for denying").fill("Too vague")
        crew.admin.act(entry.get_by_role("button", name=f"Deny {denied}").click)
        _log_in(applicant, denied)
        expect(applicant.page.get_by_role("alert")).to_have_text(
            "Your application was turned down. The reason given: Too vague"
        )

        # Approved, the next one logs in.
        _sign_up(applicant, accepted, "Electric ones, they are quiet.")
        crew.admin.open("/admin/applications")
        entry = crew.admin.page.locator("li.application", has_text=accepted)
        crew.admin.act(entry.get_by_role("button", name=f"Approve {accepted}").click)
        _log_in(applicant, accepted)
        expect(
            applicant.page.get_by_role("navigation", name="Site").get_by_role("link", name=accepted)
        ).to_be_visible()
    finally:
        crew.admin_api.ok("PUT", "/site", {"registration_mode": "Open"})


def test_closed_registration_says_so(crew: Crew) -> None:
    crew.admin_api.ok("PUT", "/site", {"registration_mode": "Closed"})
    try:
        crew.anon.open("/signup")
        expect(crew.anon.page.locator("main")).to_contain_text(
            "This instance is not taking new members."
        )
        expect(crew.anon.page.get_by_role("button", name="Sign up")).to_have_count(0)
    finally:
        crew.admin_api.ok("PUT", "/site", {"registration_mode": "Open"})


def test_moderators_have_their_own_front_page_tab(crew: Crew) -> None:
    post_id = crew.post()  # the member's, in the moderator's community
    crew.mod.open("/")
    tabs = crew.mod.page.get_by_role("navigation", name="Which posts")
    crew.mod.submit(tabs.get_by_role("link", name="Moderated").click)
    expect(tabs.get_by_role("link", name="Moderated")).to_have_attribute("aria-current", "page")
    expect(crew.mod.page.locator(f"#p{post_id}")).to_have_count(1)
    listed = crew.mod_api.ok("GET", "/post/list", type_="ModeratorView", sort="New", limit=20)
    assert post_id in [p["post"]["id"] for p in listed["posts"]]
    # Nobody else is offered it, and asking for it anyway shows the Local posts.
    crew.member.open("/?type=ModeratorView")
    tabs = crew.member.page.get_by_role("navigation", name="Which posts")
    expect(tabs.get_by_role("link", name="Moderated")).to_have_count(0)
    expect(tabs.get_by_role("link", name="Local")).to_have_attribute("aria-current", "page")
