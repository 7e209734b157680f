"""Invitations (Lemmy 1.0) on the web, without JavaScript: while signing up is by
invitation, a member makes an invitation for one person on their settings page; its link
opens the sign-up form with the code filled in and a newcomer joins with it; a second
newcomer is refused with the used-up code; the member revokes another. The actions are
the ones API v4's /account/invite and registration call."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import Api, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, Person, sign_up


def _admin(site: Server) -> Api:
    jwt = Api(site).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    return Api(site, jwt)


def _mode(site: Server, value: str) -> None:
    answer = _admin(site).http.put(f"{site.url}/api/v4/site", json={"registration_mode": value})
    assert answer.status_code == 200, answer.text


def _join(site: Server, new_context: ContextMaker, link: str, name: str) -> Person:
    page = new_context(java_script_enabled=False).new_page()
    person = Person(name, page.context, page, site, False)
    page.goto(link)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    person.submit(page.get_by_role("button", name="Sign up").click)
    return person


def test_signing_up_by_invitation(site: Server, new_context: ContextMaker) -> None:
    member = sign_up(site, new_context(java_script_enabled=False), unique("host"), js=False)
    _mode(site, "require_invitation")
    try:
        page = member.page
        member.open("/settings/invites")
        page.get_by_label("Uses (optional)").fill("1")
        member.submit(page.get_by_role("button", name="Make an invitation").click)
        member.submit(page.get_by_role("button", name="Make an invitation").click)
        rows = page.locator("table.invites tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text("0 of 1")
        link = rows.nth(1).get_by_role("link").get_attribute("href")
        spare = rows.nth(0).locator("code").inner_text()
        assert link is not None and "/signup?invite=" in link

        newcomer = _join(site, new_context, link, unique("guest"))
        expect(
            newcomer.page.get_by_role("navigation", name="Site").get_by_role(
                "link", name=newcomer.name
            )
        ).to_be_visible()
        member.open("/settings/invites")
        expect(rows.nth(1)).to_contain_text("1 of 1")

        late = _join(site, new_context, link, unique("late"))
        expect(late.page.locator(".error")).to_contain_text("That invite code is unknown")
        late.page.goto(f"{site.url}/signup")
        expect(late.page.get_by_label("Invite code")).to_have_value("")

        member.submit(page.get_by_role("button", name=f"Revoke {spare}").click)
        expect(rows).to_have_count(1)
    finally:
        _mode(site, "open")
