"""A member's account in the browser (issue 14, item 3): blocking and unblocking a person
(from the profile) and a community (from its page) and what that hides on the front page;
the blocks list; exporting the settings and importing them into another account; changing
the email address and the password (then logging in with the new one); two-factor set-up;
deleting the account (then the login fails).

Each test runs in the light and the dark colour scheme, 1280 and 390 px wide, with
JavaScript (light) and without it (dark). On every page it changes, axe-core finds no
serious or critical issue and a phone-wide page does not scroll sideways.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.two_factor import now_code
from tests.web.axe import axe_findings
from tests.web.conftest import ContextMaker, save_screenshot
from tests.web.people import PASSWORD, Person, sign_up

NEW_PASSWORD = "another-password-456"
BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(21, 23, 26)"}
# Each browser its own address: the settings file's rate limit (once a day, as Lemmy's) is
# counted per address, and the server believes X-Forwarded-For from 127.0.0.1.
_ADDRESSES = (f"192.0.2.{n}" for n in itertools.count(20))


@dataclass(frozen=True)
class Look:
    scheme: str
    width: int

    @property
    def js(self) -> bool:
        return self.scheme == "light"

    def __str__(self) -> str:
        return f"{self.scheme}-{self.width}"


LOOKS = [Look(s, w) for s in ("light", "dark") for w in (1280, 390)]


def _member(site: Server, new_context: ContextMaker, look: Look, prefix: str) -> Person:
    context = new_context(
        color_scheme=look.scheme,
        viewport={"width": look.width, "height": 900},
        java_script_enabled=look.js,
        extra_http_headers={"X-Forwarded-For": next(_ADDRESSES)},
    )
    return sign_up(site, context, unique(prefix), look.js)


def _check(person: Person, look: Look, label: str, new_context: ContextMaker) -> None:
    """The page as it is now: the colour scheme asked for, no sideways scroll on a phone,
    and no serious or critical axe finding. axe and the measures run as scripts: a page
    shown without JavaScript is measured as a copy of its HTML, served at its address to a
    browser of the same look that has it on."""
    page = person.page
    if not look.js:
        html, url = page.content(), page.url.split("#")[0]
        page = new_context(
            color_scheme=look.scheme, viewport={"width": look.width, "height": 900}
        ).new_page()
        page.route(
            url, lambda route: route.fulfill(status=200, body=html, content_type="text/html")
        )
        page.goto(url)
    assert (
        page.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUND[look.scheme]
    )
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= look.width, f"{label} is {wide} px wide at {look.width} px"
    name = f"account-{label}-{look}-{person.server.backend}"
    save_screenshot(page, name)
    found = axe_findings(page, name)
    assert found == [], f"{label}: {json.dumps(found, indent=1)}"


def _status(page: Page) -> Locator:
    """The page's own report of what was done (the frame's live region is another)."""
    return page.locator("main").get_by_role("status")


def _front(person: Person) -> Page:
    person.open("/?type=All&sort=New")
    return person.page


def _my_user(person: Person) -> dict[str, Any]:
    my: dict[str, Any] = person.api("/site")["my_user"]
    return my


@pytest.mark.parametrize("look", LOOKS, ids=str)
def test_block_and_unblock_then_export_and_import(
    site: Server, new_context: ContextMaker, look: Look, tmp_path: Any
) -> None:
    author_name, other_name = unique("author"), unique("other")
    author, other = register(site, author_name, PASSWORD), register(site, other_name, PASSWORD)
    community = unique("blockme")
    made = author.ok("POST", "/community", {"name": community, "title": f"Block {community}"})
    community_id = made["community_view"]["community"]["id"]
    in_community = author.ok(
        "POST", "/post", {"name": "In the community", "community_id": community_id}
    )["post_view"]["post"]["id"]
    elsewhere = author.ok("POST", "/community", {"name": unique("else"), "title": "Elsewhere"})
    by_other = other.ok(
        "POST",
        "/post",
        {"name": "By the other", "community_id": elsewhere["community_view"]["community"]["id"]},
    )["post_view"]["post"]["id"]

    me = _member(site, new_context, look, "blocker")
    page = _front(me)
    expect(page.locator(f"#p{in_community}")).to_have_count(1)
    expect(page.locator(f"#p{by_other}")).to_have_count(1)

    # A person, from their profile.
    me.open(f"/u/{other_name}")
    me.submit(page.get_by_role("button", name=f"Block {other_name}").click)
    assert page.url == f"{site.url}/u/{other_name}"
    expect(page.get_by_role("button", name=f"Unblock {other_name}")).to_be_visible()
    _check(me, look, "profile-blocked", new_context)
    # A community, from its page.
    me.open(f"/c/{community}")
    me.submit(page.get_by_role("button", name="Block community").click)
    assert page.url == f"{site.url}/c/{community}"
    expect(page.get_by_role("button", name="Unblock community")).to_be_visible()
    _check(me, look, "community-blocked", new_context)
    page = _front(me)
    expect(page.locator(f"#p{in_community}")).to_have_count(0)
    expect(page.locator(f"#p{by_other}")).to_have_count(0)
    mine = _my_user(me)
    assert [b["target"]["name"] for b in mine["person_blocks"]] == [other_name]
    assert [b["community"]["name"] for b in mine["community_blocks"]] == [community]

    # The blocks page lists both; the settings file carries them.
    me.open("/settings/blocks")
    expect(page.get_by_role("region", name="Blocked people").get_by_role("listitem")).to_have_text(
        [f"{other_name} Unblock"]
    )
    expect(
        page.get_by_role("region", name="Blocked communities").get_by_role("listitem")
    ).to_have_text([f"{community} Unblock"])
    _check(me, look, "blocks", new_context)
    me.open("/settings/account")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your settings").click()
    saved = tmp_path / "settings.json"
    download.value.save_as(saved)
    backup = json.loads(saved.read_text(encoding="utf-8"))
    assert backup["blocked_users"] == [mine["person_blocks"][0]["target"]["actor_id"]]
    assert backup["blocked_communities"] == [mine["community_blocks"][0]["community"]["actor_id"]]
    assert backup["settings"]["theme"] == "browser"

    # Unblocked from the blocks page, both show again.
    me.open("/settings/blocks")
    me.submit(page.get_by_role("button", name=f"Unblock {other_name}").click)
    assert page.url == f"{site.url}/settings/blocks#blocked-people"
    me.submit(page.get_by_role("button", name=f"Unblock {community}").click)
    assert page.url == f"{site.url}/settings/blocks#blocked-communities"
    expect(page.get_by_role("region", name="Blocked people")).to_contain_text("You block nobody")
    _check(me, look, "blocks-empty", new_context)
    page = _front(me)
    expect(page.locator(f"#p{in_community}")).to_have_count(1)
    expect(page.locator(f"#p{by_other}")).to_have_count(1)
    mine = _my_user(me)
    assert mine["person_blocks"] == [] and mine["community_blocks"] == []

    # The file into a second account: its blocks apply there.
    newcomer = _member(site, new_context, look, "importer")
    newcomer.open("/settings/account")
    form = newcomer.page.get_by_role("region", name="Export and import settings")
    form.get_by_label("Settings file to import").set_input_files(saved)
    newcomer.submit(form.get_by_role("button", name="Import settings").click)
    expect(_status(newcomer.page)).to_contain_text("The settings file is imported.")
    expect(_status(newcomer.page)).to_contain_text("Blocked people: 1 added")
    _check(newcomer, look, "imported", new_context)
    front = _front(newcomer)
    expect(front.locator(f"#p{in_community}")).to_have_count(0)
    expect(front.locator(f"#p{by_other}")).to_have_count(0)
    # Not a settings file: said beside the file field (sent from another address, as the
    # first import used up this one's for the day).
    newcomer.context.set_extra_http_headers({"X-Forwarded-For": next(_ADDRESSES)})
    newcomer.open("/settings/account")
    not_json = tmp_path / "notes.json"
    not_json.write_text("not json", encoding="utf-8")
    form = newcomer.page.get_by_role("region", name="Export and import settings")
    form.get_by_label("Settings file to import").set_input_files(not_json)
    newcomer.submit(form.get_by_role("button", name="Import settings").click)
    field = newcomer.page.get_by_label("Settings file to import")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(newcomer.page.locator("#e-backup")).to_have_text(
        "That is not a settings file: choose one exported from Lemmy or moot."
    )


def _fill_password(page: Page, old: str, new: str, again: str) -> None:
    region = page.get_by_role("region", name="Password")
    region.get_by_label("Current password").fill(old)
    region.get_by_label("New password", exact=True).fill(new)
    region.get_by_label("New password again").fill(again)


def _log_in(site: Server, new_context: ContextMaker, name: str, password: str) -> Page:
    page = new_context().new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("Name or email").fill(name)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    return page


@pytest.mark.parametrize("look", LOOKS, ids=str)
def test_email_password_and_two_factor(site: Server, new_context: ContextMaker, look: Look) -> None:
    me = _member(site, new_context, look, "acct")
    page = me.page
    me.open("/settings/account")
    _check(me, look, "account", new_context)

    # Email: an address another member has is refused beside the field; a free one is kept.
    address, taken = f"{me.name}@example.com", f"{unique('taken')}@example.com"
    register(site, None, PASSWORD).ok("PUT", "/user/save_user_settings", {"email": taken})
    page.get_by_role("textbox", name="Email").fill(taken)
    me.submit(page.get_by_role("button", name="Save email address").click)
    expect(page.get_by_role("textbox", name="Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("textbox", name="Email")).to_be_focused()
    expect(page.locator("#e-email")).to_have_text("That email address is already in use.")
    _check(me, look, "account-email-refused", new_context)
    page.get_by_role("textbox", name="Email").fill(address)
    me.submit(page.get_by_role("button", name="Save email address").click)
    expect(_status(page)).to_have_text("Your email address is saved.")
    expect(page.get_by_role("textbox", name="Email")).to_have_value(address)
    assert _my_user(me)["local_user_view"]["local_user"]["email"] == address

    # Password: the current one must be right, said beside it; then the new one works.
    _fill_password(page, "wrong-password-1", NEW_PASSWORD, NEW_PASSWORD)
    me.submit(page.get_by_role("button", name="Change password").click)
    current = page.get_by_label("Current password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_be_focused()
    expect(page.locator("#e-old_password")).to_have_text("That is not your password.")
    _check(me, look, "account-password-refused", new_context)
    _fill_password(page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    me.submit(page.get_by_role("button", name="Change password").click)
    expect(page.locator("#e-new_password_verify")).to_have_text(
        "The two passwords are not the same."
    )
    _fill_password(page, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    me.submit(page.get_by_role("button", name="Change password").click)
    expect(_status(page)).to_contain_text("Your password is changed.")
    # This session goes on (with its new token); the old password no longer logs in.
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name=me.name)
    ).to_be_visible()
    refused = _log_in(site, new_context, me.name, PASSWORD)
    expect(refused.get_by_role("alert")).to_have_text("That name or password is not right.")
    welcome = _log_in(site, new_context, me.name, NEW_PASSWORD)
    assert welcome.url == f"{site.url}/"
    expect(
        welcome.get_by_role("navigation", name="Site").get_by_role("link", name=me.name)
    ).to_be_visible()

    # Two-factor login: set up with the app's code, then off again.
    me.open("/settings/account")
    section = page.get_by_role("region", name="Two-factor login")
    me.submit(section.get_by_role("button", name="Set up two-factor login").click)
    secret = section.locator("code").inner_text()
    _check(me, look, "account-two-factor-setup", new_context)
    section.get_by_label("Code from your app").fill(now_code(secret))
    me.submit(section.get_by_role("button", name="Turn on two-factor login").click)
    expect(_status(page)).to_have_text("Two-factor login is changed.")
    expect(section).to_contain_text("On: logging in asks for the code")
    assert _my_user(me)["local_user_view"]["local_user"]["totp_2fa_enabled"]
    section.get_by_label("Code from your app").fill(now_code(secret))
    me.submit(section.get_by_role("button", name="Turn off two-factor login").click)
    expect(section).to_contain_text("Off: your password alone logs you in.")


@pytest.mark.parametrize("look", LOOKS, ids=str)
def test_delete_account(site: Server, new_context: ContextMaker, look: Look) -> None:
    me = _member(site, new_context, look, "leaver")
    # A post of theirs, written with their session's token: it goes with the account.
    token = next(c["value"] for c in me.context.cookies(site.url) if c["name"] == "jwt")
    mine = Api(site, token)
    community = mine.ok("POST", "/community", {"name": unique("gone"), "title": "Soon gone"})
    post_id = mine.ok(
        "POST",
        "/post",
        {"name": "Mine", "community_id": community["community_view"]["community"]["id"]},
    )["post_view"]["post"]["id"]
    page = me.page
    me.open("/settings/account")
    region = page.get_by_role("region", name="Delete your account")
    region.get_by_label("Your password, to confirm").fill("not-my-password")
    me.submit(region.get_by_role("button", name="Delete my account").click)
    expect(page.get_by_label("Your password, to confirm")).to_be_focused()
    expect(page.locator("#e-delete_password")).to_have_text("That is not your password.")
    _check(me, look, "account-delete-refused", new_context)
    assert not _my_user(me)["local_user_view"]["person"]["deleted"]
    assert Api(site).ok("GET", "/post", id=post_id)["post_view"]["post"]["name"] == "Mine"

    region = page.get_by_role("region", name="Delete your account")
    region.get_by_label("Your password, to confirm").fill(PASSWORD)
    region.get_by_label("Delete my posts and comments too").check()
    me.submit(region.get_by_role("button", name="Delete my account").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Account deleted")
    expect(page.locator("main").get_by_role("link", name="Log in")).to_be_visible()
    _check(me, look, "account-deleted", new_context)
    assert not [c for c in me.context.cookies(site.url) if c["name"] == "jwt"]
    # Their post went with the account ("delete content"): nobody finds it any more.
    assert Api(site).error("GET", "/post", id=post_id) == (404, "couldnt_find_post")
    refused = _log_in(site, new_context, me.name, PASSWORD)
    expect(refused.get_by_role("alert")).to_have_text("That has been deleted.")
    assert refused.url == f"{site.url}/login"
