"""Signing in through an OAuth provider in a real browser, with JavaScript off: the admin
adds a real OpenID provider (oidc-provider on loopback, tests/oidc_provider.py) on the admin
page and opens registration through it; a visitor presses "Sign in with …" on the login
page, signs in on the provider's own login page, chooses a name back on moot, and is signed
in (a name already taken is refused on that form); signing in again lands on the same
account without the name form. The admin edits and deletes a provider on the page too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser import ContextMaker
from tests.conftest import unique
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, callback_url
from tests.servers import ADMIN_PASSWORD, Server
from tests.web.axe import axe_findings
from tests.web.people import Person


@pytest.fixture(scope="module")
def oidc(site: Server) -> Iterator[OidcProvider]:
    provider = OidcProvider([callback_url(site)])
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


def _admin_session(site: Server, new_context: ContextMaker, js: bool = False) -> Person:
    context = new_context(java_script_enabled=js)
    page = context.new_page()
    person = Person("admin", context, page, site, js=False)
    person.open("/login")
    page.get_by_label("Name or email").fill("admin")
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    person.submit(page.get_by_role("button", name="Log in").click)
    return person


def _no_findings(page: Page, name: str) -> None:
    """axe-core finds nothing serious on the page (the report kept in test-artifacts/)."""
    found = axe_findings(page, name)
    assert found == [], json.dumps(found, indent=1)


def _add_provider(admin: Person, oidc: OidcProvider, name: str, client_id: str) -> None:
    page = admin.page
    admin.open("/admin/oauth")
    fields = {
        "Name on the login page": name,
        "Issuer": oidc.issuer,
        "Authorization endpoint": f"{oidc.issuer}/auth",
        "Token endpoint": f"{oidc.issuer}/token",
        "Userinfo endpoint": f"{oidc.issuer}/me",
        "Claim of the person's id": "sub",
        "Client id": client_id,
        "Scopes": "openid email",
        "Client secret": CLIENT_SECRET,
    }
    form = page.locator("form[action='/admin/oauth']")
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("Use PKCE").check()
    form.get_by_label("Trust the provider's email address (no confirmation mail)").check()
    admin.submit(form.get_by_role("button", name="Add provider").click)
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def _through_provider(page: Page, login: str) -> None:
    """On the provider's own pages: its login form, then its consent form."""
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign-in").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def test_sign_in_with_a_provider(
    site: Server, oidc: OidcProvider, new_context: ContextMaker
) -> None:
    admin = _admin_session(site, new_context)
    display = unique("Web OIDC ")
    _add_provider(admin, oidc, display, CLIENT_ID)
    admin.page.get_by_label("New members may sign up through a provider").check()
    admin.submit(admin.page.get_by_role("button", name="Save", exact=True).click)
    expect(admin.page.locator("p.done")).to_have_text("Saved.")
    expect(admin.page.get_by_label("New members may sign up through a provider")).to_be_checked()

    visitor = new_context(java_script_enabled=False)
    page = visitor.new_page()
    page.goto(f"{site.url}/signup")
    expect(page.get_by_role("link", name=f"Sign up with {display}")).to_be_visible()
    page.goto(f"{site.url}/login")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Sign in with {display}").click()
    assert page.url.startswith(oidc.issuer), page.url
    login = unique("browser-person")
    _through_provider(page, login)
    expect(page.get_by_role("heading", name="Choose your name")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("admin")  # taken: asked again
    with page.expect_navigation():
        page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("alert")).to_be_visible()
    name = unique("oweb")
    page.get_by_label("Name", exact=True).fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name="Join").click()
    nav = page.get_by_role("navigation", name="Site")
    expect(nav.get_by_role("link", name=name)).to_be_visible()
    me = visitor.request.get(f"{site.url}/api/v4/account").json()
    assert me["local_user_view"]["local_user"]["email"] == f"{login}@oidc.test"
    assert me["local_user_view"]["local_user"]["email_verified"] is True

    # Out and in again: the provider remembers the person, moot their account.
    with page.expect_navigation():
        nav.get_by_role("button", name="Log out").click()
    page.goto(f"{site.url}/login")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Sign in with {display}").click()
    if page.url.startswith(oidc.issuer):  # the provider may ask to consent again
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name=name)
    ).to_be_visible()


def test_admin_edits_and_deletes_a_provider(
    site: Server, oidc: OidcProvider, new_context: ContextMaker
) -> None:
    admin = _admin_session(site, new_context)
    display = unique("Spare OIDC ")
    _add_provider(admin, oidc, display, unique("spare-client"))
    card = admin.page.locator("li.card", has=admin.page.get_by_role("heading", name=display))
    renamed = unique("Renamed ")
    card.get_by_label("Name on the login page").fill(renamed)
    card.get_by_label("Offered on the login page").uncheck()
    admin.submit(card.get_by_role("button", name=f"Save {display}").click)
    expect(admin.page.get_by_role("heading", name=renamed)).to_contain_text("Off")
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{site.url}/login")
    expect(page.get_by_role("link", name=f"Sign in with {renamed}")).to_have_count(0)
    card = admin.page.locator("li.card", has=admin.page.get_by_role("heading", name=renamed))
    admin.submit(card.get_by_role("button", name=f"Delete {renamed}").click)
    expect(admin.page.get_by_role("heading", name=renamed)).to_have_count(0)


def test_the_oauth_pages_are_accessible(
    site: Server, oidc: OidcProvider, new_context: ContextMaker
) -> None:
    """axe-core (which needs the page's JavaScript) on the admin page, the login page with
    a provider, and the new member's name form."""
    admin = _admin_session(site, new_context, js=True)
    display = unique("Axe OIDC ")
    _add_provider(admin, oidc, display, unique("axe-client"))
    _no_findings(admin.page, f"admin-oauth-{site.backend}")
    page = new_context().new_page()
    page.goto(f"{site.url}/login")
    _no_findings(page, f"login-oauth-{site.backend}")
