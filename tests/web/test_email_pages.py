"""The pages behind mailed links, in the browser, with the mail going through a real SMTP
server on loopback: a forgotten password, and the confirmation of a new member's address."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import BACKENDS, Api, unique
from tests.mailbox import Mailbox, link_in, mailbox, mailing_server, open_up
from tests.servers import Server
from tests.web.conftest import ContextMaker

PASSWORD = "password-123"
NEW_PASSWORD = "a-new-password-456"


@pytest.fixture(scope="module")
def box() -> Iterator[Mailbox]:
    with mailbox() as b:
        yield b


@pytest.fixture(scope="module", params=BACKENDS)
def mailer(request: pytest.FixtureRequest, box: Mailbox) -> Iterator[Server]:
    with mailing_server(request.param, box) as srv:
        open_up(srv)
        yield srv


def _here(srv: Server, link: str) -> str:
    """A mailed link (on the public host name) opened on the test server."""
    return srv.url + urlsplit(link).path


def _submit(page: Page, button: str) -> int:
    with page.expect_navigation() as nav:
        page.get_by_role("button", name=button).click()
    assert nav.value is not None
    return nav.value.status


def _log_in(page: Page, srv: Server, name: str, password: str) -> int:
    page.goto(f"{srv.url}/login")
    page.get_by_label("Name or email").fill(name)
    page.get_by_label("Password").fill(password)
    return _submit(page, "Log in")


def test_a_forgotten_password_is_reset_by_mail(
    mailer: Server, box: Mailbox, new_context: ContextMaker
) -> None:
    name = unique("forgot")
    address = f"{name}@example.test"
    old = Api(mailer).ok(
        "POST",
        "/user/register",
        {"username": name, "password": PASSWORD, "password_verify": PASSWORD, "email": address},
    )["jwt"]
    page = new_context().new_page()
    page.goto(f"{mailer.url}/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Forgot password")).to_be_visible()

    page.get_by_label("Email").fill(f"{unique('nobody')}@example.test")
    assert _submit(page, "Send the link") == 401
    expect(page.get_by_role("alert")).to_have_text("No account here has that email address.")
    page.get_by_label("Email").fill(address)
    assert _submit(page, "Send the link") == 200
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = link_in(box.wait_for(address), "password_change")
    page.goto(_here(mailer, link))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("not-the-same-one")
    assert _submit(page, "Set the password") == 400
    expect(page.get_by_role("alert")).to_have_text("The two passwords are not the same.")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    assert _submit(page, "Set the password") == 200
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    assert Api(mailer, old).error("GET", "/user/validate_auth") == (400, "not_logged_in")

    page.goto(_here(mailer, link))
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    assert _submit(page, "Set the password") == 400
    expect(page.get_by_role("alert")).to_have_text(
        "That link has been used already or has expired."
    )

    assert _log_in(page, mailer, name, PASSWORD) == 401
    assert _log_in(page, mailer, name, NEW_PASSWORD) == 200
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name=name)
    ).to_be_visible()


def test_a_new_member_confirms_the_address_before_logging_in(
    mailer: Server, box: Mailbox, new_context: ContextMaker
) -> None:
    admin = open_up(mailer)
    admin.ok("PUT", "/site", {"require_email_verification": True})
    try:
        name = unique("confirm")
        address = f"{name}@example.test"
        page = new_context().new_page()
        page.goto(f"{mailer.url}/signup")
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Email").fill(address)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        assert _submit(page, "Sign up") == 200
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(address)

        assert _log_in(page, mailer, name, PASSWORD) == 400
        expect(page.get_by_role("alert")).to_contain_text("Please confirm your email address")

        page.goto(_here(mailer, link_in(box.wait_for(address), "verify_email")))
        assert _submit(page, "Confirm my email address") == 200
        expect(page.get_by_role("heading", name="Email confirmed")).to_be_visible()
        assert _log_in(page, mailer, name, PASSWORD) == 200
        expect(
            page.get_by_role("navigation", name="Site").get_by_role("link", name=name)
        ).to_be_visible()
    finally:
        admin.ok("PUT", "/site", {"require_email_verification": False})
