"""Security headers on every kind of response, and the page policy in Chromium: the pages
work under it (no violation reported) and nobody can frame them."""

from __future__ import annotations

import httpx
from playwright.sync_api import ConsoleMessage

from moot.security_headers import OTHER_POLICY, PAGE_POLICY
from tests.servers import Server
from tests.web.conftest import SEED, ContextMaker

PERSON = SEED["expected"]["person"]


def _pages(server: Server) -> list[str]:
    post = httpx.get(f"{server.api}/post/list", params={"limit": 1}).json()["posts"][0]
    community = post["community"]["name"]
    return [
        "/",
        f"/u/{PERSON}",
        f"/post/{post['post']['id']}",
        f"/c/{community}",
        "/communities",
        "/search?q=the",
        "/modlog",
        "/login",
        "/signup",
        "/no/such/page",
    ]


def test_every_response_carries_the_headers(seeded: Server) -> None:
    others = [
        ("/api/v3/site", {}),
        ("/api/v3/post/list", {}),
        ("/api/v3/post?id=999999", {}),  # an error answer
        (f"/u/{PERSON}", {"Accept": "application/activity+json"}),
        ("/nodeinfo/2.1", {}),
        ("/feeds/all.xml", {}),
        ("/static/moot.css", {}),
    ]
    with httpx.Client(base_url=seeded.url) as http:
        for path in _pages(seeded):
            headers = http.get(path, headers={"Accept": "text/html"}).headers
            assert headers["content-security-policy"] == PAGE_POLICY, path
            _always(headers, path)
        for path, asked in others:
            headers = http.get(path, headers=asked).headers
            assert headers["content-security-policy"] == OTHER_POLICY, path
            _always(headers, path)


def _always(headers: httpx.Headers, path: str) -> None:
    assert headers["x-content-type-options"] == "nosniff", path
    assert headers["referrer-policy"] == "same-origin", path
    assert "camera=()" in headers["permissions-policy"], path
    assert headers["x-frame-options"] == "DENY", path
    # The test servers are plain http: no HSTS, which only https may carry.
    assert "strict-transport-security" not in headers, path


def test_pages_run_under_the_policy_and_cannot_be_framed(
    seeded: Server, new_context: ContextMaker
) -> None:
    page = new_context().new_page()
    said: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        said.append(message.text)

    page.on("console", listen)
    for path in _pages(seeded):
        page.goto(f"{seeded.url}{path}")
        page.wait_for_load_state("load")
    assert not [m for m in said if "Content Security Policy" in m], said

    # Another page frames the login form: the browser refuses to show it.
    # set_content returns after the load event, which waits for the frame's document.
    page.set_content(f'<iframe src="{seeded.url}/login" width="600" height="400"></iframe>')
    frame = page.frames[-1]
    assert "frame-ancestors" in " ".join(said) or not frame.url.startswith(seeded.url)
    assert frame.locator("form").count() == 0
