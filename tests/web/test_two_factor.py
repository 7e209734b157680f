"""Two-factor login in the browser: the login form's code field, and switching it on and
off on the account settings page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import unique
from tests.servers import Server
from tests.two_factor import PASSWORD, now_code, secret_of, with_two_factor, wrong_code
from tests.web.conftest import ContextMaker
from tests.web.people import sign_up


def test_the_login_form_asks_for_the_code(site: Server, new_context: ContextMaker) -> None:
    name, secret = with_two_factor(site)
    page = new_context().new_page()
    page.goto(f"{site.url}/login")

    def attempt(code: str) -> int:
        page.get_by_label("Name or email").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Two-factor code").fill(code)
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Log in").click()
        assert nav.value is not None
        return nav.value.status

    assert attempt("") == 400
    expect(page.get_by_role("alert")).to_have_text(
        "This account asks for a two-factor code as well."
    )
    assert attempt(wrong_code(secret)) == 400
    expect(page.get_by_role("alert")).to_have_text(
        "That two-factor code is not right (or has expired)."
    )
    assert attempt(now_code(secret)) == 200
    assert page.url == f"{site.url}/"
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name=name)
    ).to_be_visible()


def test_settings_turn_two_factor_login_on_and_off(site: Server, new_context: ContextMaker) -> None:
    name = unique("tfaweb")
    person = sign_up(site, new_context(), name, False)
    page = person.page
    person.open("/settings/account")
    section = page.get_by_role("region", name="Two-factor login")
    expect(section).to_contain_text("Off: your password alone logs you in.")
    person.submit(section.get_by_role("button", name="Set up two-factor login").click)

    secret = section.locator("code").inner_text()
    link = section.get_by_role("link", name="this setup link").get_attribute("href")
    assert link is not None and secret_of(link) == secret
    section.get_by_label("Code from your app").fill(wrong_code(secret))
    person.submit(section.get_by_role("button", name="Turn on two-factor login").click)
    expect(page.get_by_role("alert")).to_have_text(
        "That two-factor code is not right (or has expired)."
    )
    section.get_by_label("Code from your app").fill(now_code(secret))
    person.submit(section.get_by_role("button", name="Turn on two-factor login").click)
    expect(section).to_contain_text("On: logging in asks for the code")
    assert secret not in page.content()
    assert person.api("/site")["my_user"]["local_user_view"]["local_user"]["totp_2fa_enabled"]

    stranger = new_context().new_page()
    stranger.goto(f"{site.url}/login")
    stranger.get_by_label("Name or email").fill(name)
    stranger.get_by_label("Password").fill(PASSWORD)
    with stranger.expect_navigation() as nav:
        stranger.get_by_role("button", name="Log in").click()
    assert nav.value is not None and nav.value.status == 400

    section.get_by_label("Code from your app").fill(now_code(secret))
    person.submit(section.get_by_role("button", name="Turn off two-factor login").click)
    expect(section).to_contain_text("Off: your password alone logs you in.")
    assert not person.api("/site")["my_user"]["local_user_view"]["local_user"]["totp_2fa_enabled"]
