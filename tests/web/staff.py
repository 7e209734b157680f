"""The people of the moderation and admin page tests, each with their own logged-in browser
(the API's token as the login cookie), and the forged form a non-moderator sends."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from moot.errors import ApiError, ErrorCode
from moot.web.errors import words
from tests.conftest import Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server
from tests.web.people import PASSWORD, Person


def token_of(api: Api) -> str:
    return api.http.headers["Authorization"].split()[1]


def browser_for(browser: Browser, server: Server, api: Api | None, name: str, js: bool) -> Person:
    context: BrowserContext = browser.new_context(
        java_script_enabled=js, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    if api is not None:
        context.add_cookies([{"name": "jwt", "value": token_of(api), "url": server.url}])
    return Person(name, context, context.new_page(), server, js)


@dataclass
class Crew:
    """An admin, a moderator of `community`, a plain member, and an anonymous reader; the
    API clients of the three and their browsers. With JavaScript on SQLite, without it on
    PostgreSQL: the in-place and the plain-form paths each run every action once."""

    server: Server
    js: bool
    admin_api: Api
    mod_api: Api
    member_api: Api
    admin: Person
    mod: Person
    member: Person
    anon: Person
    community: str
    community_id: int
    # Another member, for what happens to someone in a community of its own (bans, being
    # appointed) and for filing reports: one sign-up shared by many cases.
    helper: str
    helper_api: Api
    helper_id: int

    def person(self, prefix: str) -> tuple[str, Api]:
        """A new member over the API (as an author, a target, a reporter)."""
        name = unique(prefix)
        return name, register(self.server, name, PASSWORD)

    def community_of_mod(self) -> tuple[str, int]:
        """A new community the moderator leads (for tests that change its team)."""
        name = unique("team")
        made = self.mod_api.ok("POST", "/community", {"name": name, "title": f"Team {name}"})
        return name, int(made["community_view"]["community"]["id"])

    def post(self, author: Api | None = None, community_id: int | None = None) -> int:
        made = (author or self.member_api).ok(
            "POST",
            "/post",
            {"name": f"Post {unique('p')}", "community_id": community_id or self.community_id},
        )
        return int(made["post_view"]["post"]["id"])

    def comment(self, post_id: int, author: Api | None = None) -> int:
        made = (author or self.member_api).ok(
            "POST", "/comment", {"post_id": post_id, "content": f"Comment {unique('c')}"}
        )
        return int(made["comment_view"]["comment"]["id"])

    def close(self) -> None:
        for person in (self.admin, self.mod, self.member, self.anon):
            person.context.close()


def make_crew(server: Server, browser: Browser) -> Crew:
    js = server.backend == "sqlite"
    admin_api = Api(
        server,
        Api(server).ok(
            "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        )["jwt"],
    )
    mod_name, member_name, helper = unique("mod"), unique("member"), unique("helper")
    mod_api = register(server, mod_name, PASSWORD)
    member_api = register(server, member_name, PASSWORD)
    helper_api = register(server, helper, PASSWORD)
    me = helper_api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    community = unique("modded")
    made = mod_api.ok("POST", "/community", {"name": community, "title": f"Modded {community}"})
    return Crew(
        server=server,
        js=js,
        admin_api=admin_api,
        mod_api=mod_api,
        member_api=member_api,
        admin=browser_for(browser, server, admin_api, ADMIN_NAME, js),
        mod=browser_for(browser, server, mod_api, mod_name, js),
        member=browser_for(browser, server, member_api, member_name, js),
        anon=browser_for(browser, server, None, "anonymous", js),
        community=community,
        community_id=int(made["community_view"]["community"]["id"]),
        helper=helper,
        helper_api=helper_api,
        helper_id=int(me["id"]),
    )


def _csrf_cookie(person: Person) -> str | None:
    found = [c["value"] for c in person.context.cookies() if c["name"] == "csrftoken"]
    return found[0] if found else None


def forge(person: Person, path: str, fields: dict[str, Any]) -> tuple[int, str]:
    """POST a page's form as `person` would by hand: with their session and a valid CSRF
    token, but from outside the page that offers it. Returns the status and the page."""
    if not _csrf_cookie(person):
        person.open("/")
    # The token every form of the session carries is the one in its CSRF cookie.
    token = _csrf_cookie(person)
    assert token, "the site set no CSRF cookie"
    response = person.context.request.post(
        person.server.url + path,
        form={**{k: str(v) for k, v in fields.items()}, "_csrf_token": token},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    return response.status, response.text()


T = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One moderator or admin action as the pages offer it.

    `setup` makes what it acts on (over the API) and returns the facts the other steps read;
    `where` is the page with the control, `reveal` what opens it there (a comment's
    "Moderate" link), `fill` the fields before `control` is pressed; `observe` reads the
    state the action changes through the API; `forge` is the form a non-moderator (or, for
    an admin action, a moderator) posts by hand, refused with `refused`; `shown` checks the
    page afterwards."""

    id: str
    by: str  # "mod" or "admin"
    setup: Callable[[Crew], T]
    where: Callable[[T], str]
    control: Callable[[Page, T], Locator]
    observe: Callable[[Crew, T], object]
    forge: Callable[[T], tuple[str, dict[str, Any]]]
    refused: ErrorCode
    shown: Callable[[Crew, Person, T], None]
    in_place: bool = False  # a data-in form: with the script it answers in place
    fill: Callable[[Page, T], None] | None = None
    reveal: Callable[[Person, T], None] | None = None
    # Asks again first, saying it cannot be undone (a purge): nothing changes until confirmed.
    confirm: bool = False


def refusal_words(code: ErrorCode) -> str:
    return html.escape(words(ApiError(code)), quote=False)


def run_case(crew: Crew, case: Case) -> None:
    t = case.setup(crew)
    before = case.observe(crew, t)

    # Sent by hand by someone it is not offered to: the action's own error, nothing changed.
    forger = crew.mod if case.by == "admin" else crew.member
    status, body = forge(forger, *case.forge(t))
    assert (status, refusal_words(case.refused) in body) == (ApiError(case.refused).status, True), (
        status,
        body[:2000],
    )
    assert case.observe(crew, t) == before

    # Not offered to a member or an anonymous reader (nor, for admin actions, a moderator).
    others = [crew.member, crew.anon] + ([crew.mod] if case.by == "admin" else [])
    for other in others:
        other.page.goto(crew.server.url + case.where(t))
        expect(case.control(other.page, t)).to_have_count(0)
        if other is not crew.mod:
            expect(other.page.get_by_text("Moderate", exact=True)).to_have_count(0)

    # Offered to whom it is allowed: found, used, and its effect visible.
    actor = crew.admin if case.by == "admin" else crew.mod
    actor.open(case.where(t))
    if case.reveal is not None:
        case.reveal(actor, t)
    if case.fill is not None:
        case.fill(actor.page, t)
    press = case.control(actor.page, t).click
    if case.in_place:
        actor.act(press)
    else:
        actor.submit(press)
    if case.confirm:
        expect(actor.page.get_by_role("alert")).to_contain_text("It cannot be undone")
        assert case.observe(crew, t) == before, f"{case.id}: changed before it was confirmed"
        actor.submit(actor.page.get_by_role("button", name="Purge for good").click)
    after = case.observe(crew, t)
    assert after != before, f"{case.id}: nothing changed ({before!r})"
    case.shown(crew, actor, t)


def reveal_comment_tools(person: Person, t: T) -> None:
    """Open a comment's moderator controls from the post page: in place, or on their page."""
    link = person.page.locator(f"li#c{t['comment']}").get_by_role("link", name="Moderate")
    if person.js:
        person.act(link.click)
    else:
        person.submit(link.click)
    expect(person.page.locator(f"#mc{t['comment']}")).to_be_visible()


def open_post_tools(person: Person, t: T) -> None:
    """Open the post's moderator controls (a disclosure under it)."""
    person.page.locator(f"#mp{t['post']} > summary").click()
