"""Logging in through the web form to an account with two-factor login on."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.servers import Server
from tests.two_factor import PASSWORD, now_code, with_two_factor, wrong_code
from tests.web.conftest import ContextMaker


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
