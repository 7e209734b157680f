"""Live pages (issue 14, item 9): a member with a post open sees others' new comments and
replies appear in the thread, and the inbox count in the menu rise when someone answers them
or writes to them, without reloading; a blocked person's comment stays out. The stream is
refused for a post the viewer may not see; it crosses from one `moot serve` to another on
PostgreSQL, and an open one does not keep the server from stopping. Without JavaScript the
page is as it was loaded. In light and dark, wide and narrow, with no serious axe finding."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from moot.live_watch import MAX_PER_ADDRESS
from tests.conftest import BACKENDS, Api, register, unique
from tests.servers import (
    ADMIN_NAME,
    ADMIN_PASSWORD,
    Server,
    destroy,
    free_port,
    make_server,
)
from tests.web.axe import check_schemes_and_widths
from tests.web.conftest import _open_up
from tests.web.people import PASSWORD, Person
from tests.web.staff import browser_for, token_of

_addresses = itertools.count(1)


def _member(server: Server) -> tuple[str, Api]:
    name = unique("live")
    return name, register(server, name, PASSWORD)


def _post(author: Api) -> int:
    community = unique("livec")
    made = author.ok("POST", "/community", {"name": community, "title": f"Live {community}"})
    post = author.ok(
        "POST",
        "/post",
        {"name": f"Live {community}", "community_id": made["community_view"]["community"]["id"]},
    )
    return int(post["post_view"]["post"]["id"])


def _comment(author: Api, post_id: int, content: str, parent_id: int | None = None) -> int:
    fields = {"post_id": post_id, "content": content}
    if parent_id is not None:
        fields["parent_id"] = parent_id
    return int(author.ok("POST", "/comment", fields)["comment_view"]["comment"]["id"])


def _person_id(api: Api) -> int:
    return int(api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"])


def _watching(person: Person) -> list[str]:
    """The page's script errors, collected from now on; and a marker a reload would lose."""
    errors: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    person.page.on("console", seen)
    person.page.on("pageerror", lambda exc: errors.append(str(exc)))
    person.page.evaluate("window.__mootMarker = 1")
    return errors


def test_new_comments_and_replies_appear(site: Server, browser: Browser) -> None:
    name, reader_api = _member(site)
    _, writer = _member(site)
    _, blocked = _member(site)
    post_id = _post(reader_api)
    earlier = _comment(reader_api, post_id, "An earlier comment")
    reader_api.ok("POST", "/user/block", {"person_id": _person_id(blocked), "block": True})

    reader = browser_for(browser, site, reader_api, name, True)
    try:
        reader.open(f"/post/{post_id}")
        errors = _watching(reader)
        page = reader.page

        top = _comment(writer, post_id, "A new comment, live")
        reply = _comment(writer, post_id, "A live reply", earlier)
        hidden = _comment(blocked, post_id, "From someone blocked")
        last = _comment(writer, post_id, "After the blocked one")

        expect(page.locator(f"#k0 > li#c{top}")).to_contain_text("A new comment, live")
        expect(page.locator(f"#k{earlier} > li#c{reply}")).to_contain_text("A live reply")
        # Comments come in order: once the later one is in, the blocked one was passed over.
        expect(page.locator(f"#k0 > li#c{last}")).to_be_visible()
        expect(page.locator(f"#c{hidden}")).to_have_count(0)
        # The new comment is a whole one: the reader may answer it in place.
        expect(page.locator(f"#c{top}").get_by_role("link", name="Reply")).to_be_visible()
        assert page.evaluate("window.__mootMarker") == 1, "the page was reloaded"
        assert errors == []
        check_schemes_and_widths(page, f"live-post-{site.backend}")
    finally:
        reader.context.close()


def test_the_inbox_count_rises(site: Server, browser: Browser) -> None:
    name, member_api = _member(site)
    _, other = _member(site)
    post_id = _post(member_api)
    mine = _comment(member_api, post_id, "Answer me")

    member = browser_for(browser, site, member_api, name, True)
    try:
        member.open("/communities")
        errors = _watching(member)
        inbox = member.page.get_by_role("navigation", name="Site").locator("#inbox")
        expect(inbox).to_have_text("Inbox")

        _comment(other, post_id, "An answer", mine)
        expect(inbox).to_have_text("Inbox 1 unread")
        expect(inbox).to_have_attribute("href", "/messages?view=replies&show=unread")

        other.ok(
            "POST",
            "/private_message",
            {"recipient_id": _person_id(member_api), "content": "A private word"},
        )
        expect(inbox).to_have_text("Inbox 2 unread")
        assert member.page.evaluate("window.__mootMarker") == 1, "the page was reloaded"
        assert errors == []
    finally:
        member.context.close()


def _stream(server: Server, path: str, token: str | None) -> httpx.Response:
    """The answer to a stream request, its headers only."""
    cookies = {"jwt": token} if token else {}
    with httpx.stream(
        "GET",
        server.url + path,
        cookies=cookies,
        headers={"Accept": "text/event-stream"},
        timeout=30,
    ) as response:
        return response


def test_streams_per_address_are_bounded(site: Server) -> None:
    _, member = _member(site)
    post_id = _post(member)
    address = f"198.51.100.{next(_addresses)}"  # the tests stand for a proxy: one client
    client = httpx.Client(
        base_url=site.url,
        cookies={"jwt": token_of(member)},
        headers={"X-Forwarded-For": address},
        timeout=30,
    )
    with client, contextlib.ExitStack() as open_streams:
        for _ in range(MAX_PER_ADDRESS):
            opened = open_streams.enter_context(client.stream("GET", f"/live?post={post_id}"))
            assert opened.status_code == 200
        assert client.get(f"/live?post={post_id}").status_code == 429
        # Another address is not held back by this one.
        other = {"X-Forwarded-For": f"{address}1"}
        with client.stream("GET", f"/live?post={post_id}", headers=other) as elsewhere:
            assert elsewhere.status_code == 200
        open_streams.close()
        # Closed, their places are free again (once the server has seen them go).
        deadline = time.monotonic() + 30
        while True:
            with client.stream("GET", f"/live?post={post_id}") as again:
                if again.status_code == 200:
                    break
            assert time.monotonic() < deadline, "closed streams kept their places"
            time.sleep(0.2)


def test_no_stream_for_a_visitor_of_a_private_instance(site: Server) -> None:
    _, author = _member(site)
    post_id = _post(author)
    login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    admin = Api(site, Api(site).ok("POST", "/user/login", login)["jwt"])
    federating = admin.ok("GET", "/site")["site_view"]["local_site"]["federation_enabled"]
    # A private instance does not federate (Lemmy refuses both at once).
    admin.ok("PUT", "/site", {"private_instance": True, "federation_enabled": False})
    try:
        # A visitor is sent to log in, as from any page (where an EventSource gives up).
        refused = _stream(site, f"/live?post={post_id}", None)
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("/login")
        assert _stream(site, f"/live?post={post_id}", token_of(author)).status_code == 200
    finally:
        admin.ok("PUT", "/site", {"private_instance": False, "federation_enabled": federating})


def test_no_stream_for_a_post_not_shown(site: Server) -> None:
    _, author = _member(site)
    _, member = _member(site)
    login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    admin = Api(site, Api(site).ok("POST", "/user/login", login)["jwt"])
    removed, deleted = _post(author), _post(author)
    admin.ok("POST", "/post/remove", {"post_id": removed, "removed": True, "reason": "test"})
    author.ok("POST", "/post/delete", {"post_id": deleted, "deleted": True})

    for post_id in (removed, deleted):
        refused = _stream(site, f"/live?post={post_id}", token_of(member))
        assert refused.status_code == 404
        assert not refused.headers["content-type"].startswith("text/event-stream")
    # As their pages are: the removed post to an admin, the deleted one to its author.
    assert _stream(site, f"/live?post={removed}", token_of(admin)).status_code == 200
    assert _stream(site, f"/live?post={deleted}", token_of(author)).status_code == 200
    assert _stream(site, "/live?post=2147483647", token_of(member)).status_code == 404
    # Nothing to follow for a visitor off a post page.
    assert _stream(site, "/live", None).status_code == 204


def test_without_javascript_the_page_works(site: Server, browser: Browser) -> None:
    name, member_api = _member(site)
    _, other = _member(site)
    post_id = _post(member_api)
    member = browser_for(browser, site, member_api, name, False)
    try:
        member.open(f"/post/{post_id}")
        later = _comment(other, post_id, "Written while the page was open")
        page = member.page
        expect(page.locator(f"#c{later}")).to_have_count(0)  # as loaded, no stream
        page.get_by_label("Add a comment").fill("Without script")
        member.submit(page.get_by_role("button", name="Comment").click)
        expect(page.locator("#k0 > li").filter(has_text="Without script")).to_be_visible()
        expect(page.locator(f"#c{later}")).to_be_visible()  # the reload shows both
    finally:
        member.context.close()


@pytest.fixture(params=BACKENDS)
def lone(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server of its own, to stop in the middle of a test."""
    server = make_server(request.param)
    try:
        server.start()
        _open_up(server)
        yield server
    finally:
        destroy(server)


def test_an_open_stream_does_not_hold_the_server(lone: Server) -> None:
    _, member = _member(lone)
    post_id = _post(member)
    opened, ended = threading.Event(), threading.Event()

    def listen() -> None:
        with httpx.stream(
            "GET", f"{lone.url}/live?post={post_id}", cookies={"jwt": token_of(member)}, timeout=60
        ) as response:
            assert response.status_code == 200
            opened.set()
            for _ in response.iter_lines():
                pass
        ended.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert opened.wait(30)
    assert lone.process is not None
    lone.process.terminate()
    # Without the stream ending itself the server would wait on it for ever.
    assert lone.process.wait(timeout=30) is not None
    assert ended.wait(10)


def test_a_comment_through_one_process_reaches_a_page_on_another(browser: Browser) -> None:
    """Two `moot serve` on one PostgreSQL database: the page is served by the second, the
    comment written through the first."""
    first = make_server("postgresql")
    second = Server("postgresql", first.database_url, first.data_dir, free_port(), first.hostname)
    second.log_path = first.data_dir / "server2.log"
    try:
        first.start()
        _open_up(first)
        second.start()
        name, reader_api = _member(first)
        _, writer = _member(first)
        post_id = _post(reader_api)
        reader = browser_for(browser, second, reader_api, name, True)
        try:
            reader.open(f"/post/{post_id}")
            comment = _comment(writer, post_id, "Through the other process")
            expect(reader.page.locator(f"#k0 > li#c{comment}")).to_contain_text(
                "Through the other process"
            )
        finally:
            reader.context.close()
    finally:
        second.stop()
        destroy(first)
