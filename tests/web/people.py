"""A person at a browser: their own context (cookies), and the steps every test repeats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.conftest import Api, register, unique
from tests.servers import Server

PASSWORD = "password-123"


@dataclass
class Person:
    name: str
    context: BrowserContext
    page: Page
    server: Server
    js: bool

    def open(self, path: str) -> None:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == 200, (path, response and response.status)

    def api(self, path: str, **params: Any) -> dict[str, Any]:
        """The API as this browser session sees it: the same cookies, so the same login."""
        response = self.context.request.get(self.server.api + path, params=params)
        assert response.ok, (path, response.status, response.text())
        data: dict[str, Any] = response.json()
        return data

    def act(self, click: Callable[[], None]) -> None:
        """Press a control that changes something: with JavaScript the change happens in
        place (one HX request, no page load); without it the form posts and comes back."""
        if self.js:
            self.page.evaluate("window.__mootMarker = 1")
            with self.page.expect_response(
                lambda r: r.request.headers.get("hx-request") == "true"
            ) as answer:
                click()
            assert answer.value.ok, answer.value.text()
            assert self.page.evaluate("window.__mootMarker") == 1, "the page was reloaded"
        else:
            with self.page.expect_navigation():
                click()

    def submit(self, click: Callable[[], None]) -> None:
        """A form that goes to another page, with or without JavaScript."""
        with self.page.expect_navigation():
            click()


def sign_up(server: Server, context: BrowserContext, name: str, js: bool) -> Person:
    page = context.new_page()
    person = Person(name, context, page, server, js)
    person.open("/signup")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    person.submit(page.get_by_role("button", name="Sign up").click)
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name=name)
    ).to_be_visible()
    return person


def log_in(server: Server, context: BrowserContext, name: str, js: bool) -> Person:
    page = context.new_page()
    person = Person(name, context, page, server, js)
    person.open("/login")
    page.get_by_label("Name or email").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    person.submit(page.get_by_role("button", name="Log in").click)
    return person


def community_with_posts(server: Server, count: int) -> tuple[Api, str, list[int]]:
    """A member (over the API), their community's name and its posts, oldest first."""
    member = register(server, unique("poster"), PASSWORD)
    name = unique("pages")
    community_id = member.ok("POST", "/community", {"name": name, "title": f"Pages {name}"})[
        "community_view"
    ]["community"]["id"]
    ids = [
        member.ok("POST", "/post", {"name": f"Post number {i}", "community_id": community_id})[
            "post_view"
        ]["post"]["id"]
        for i in range(count)
    ]
    return member, name, ids
