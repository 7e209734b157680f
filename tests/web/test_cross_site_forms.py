"""A page of another origin cannot act with a member's `jwt` cookie: its forms (text/plain
JSON, url-encoded, multipart) posted to the API run as anonymous and change nothing, while
the same request from the instance's own pages, and reads from anywhere, still carry the
login. In Chromium, with a member signed in through the web interface."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.web.people import sign_up

# Three forms, one per content type a form can send, each aiming at a vote.
_PAGE = """<!doctype html><title>Win a prize</title>
<form id="plain" method="post" action="{api}/post/like" enctype="text/plain">
  <input name='{{"post_id": {post}, "score": 1, "x": "' value='"}}'>
  <button>plain</button></form>
<form id="urlencoded" method="post" action="{api}/post/like">
  <input name="post_id" value="{post}"><input name="score" value="1">
  <button>urlencoded</button></form>
<form id="multipart" method="post" action="{api}/post/like" enctype="multipart/form-data">
  <input name="post_id" value="{post}"><input name="score" value="1">
  <button>multipart</button></form>
<a id="read" href="{api}/site">read</a>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def elsewhere(tmp_path: Any) -> Iterator[tuple[str, Any]]:
    """A static server on another loopback port (another origin, the same site)."""
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", tmp_path
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def plain(browser: Browser) -> Iterator[BrowserContext]:
    """A context without the tests' request gate: the browser's own cookie rules apply."""
    context = browser.new_context()
    yield context
    context.close()


def _score(server: Server, post_id: int) -> int:
    return int(Api(server).ok("GET", "/post", id=post_id)["post_view"]["counts"]["score"])


def test_forms_of_another_origin_cannot_use_the_cookie(
    site: Server, elsewhere: tuple[str, Any], plain: BrowserContext
) -> None:
    author = register(site)
    community = author.ok("POST", "/community", {"name": unique("prize"), "title": "Prize"})
    post_id = author.ok(
        "POST",
        "/post",
        {"name": "Bait", "community_id": community["community_view"]["community"]["id"]},
    )["post_view"]["post"]["id"]
    member = sign_up(site, plain, unique("victim"), js=True)
    origin, folder = elsewhere
    (folder / "index.html").write_text(_PAGE.format(api=site.api, post=post_id))
    page = plain.new_page()

    # The cookie does cross to the API from that page: a read shows the member.
    page.goto(f"{origin}/index.html")
    page.click("#read")
    assert f'"name":"{member.name}"' in page.content()

    for form in ("plain", "urlencoded", "multipart"):
        page.goto(f"{origin}/index.html")
        with page.expect_response(f"{site.api}/post/like") as answer:
            page.click(f"#{form} button")
        # text/plain carries JSON the API can read: it is refused for want of a login;
        # the other two are not JSON at all.
        refusal = (401, E.INCORRECT_LOGIN) if form == "plain" else (400, E.UNKNOWN)
        assert (answer.value.status, answer.value.json()["error"]) == refusal, form
        assert _score(site, post_id) == 1, form

    # The same text/plain request from the instance's own page keeps its login.
    member.open("/")
    status = member.page.evaluate(
        """post => fetch("/api/v3/post/like", {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "text/plain"},
            body: JSON.stringify({post_id: post, score: 1})}).then(r => r.status)""",
        post_id,
    )
    assert status == 200
    assert _score(site, post_id) == 2
