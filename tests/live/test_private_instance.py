"""A private instance against a live server of each backend: anonymous reads of the API,
the web pages, the feeds and the sitemap are refused, while the site itself, logging in and
signing up still answer; a member who logs in reads as before. Private cannot be turned on
while federating, nor federation turned on while private.

The server is this module's own: being private changes what every other test would see."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from moot.errors import ErrorCode
from tests.conftest import BACKENDS, Api, register, unique
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server

PRIVATE = ErrorCode.INSTANCE_IS_PRIVATE.value
TOGETHER = ErrorCode.CANT_ENABLE_PRIVATE_INSTANCE_AND_FEDERATION_TOGETHER.value


@dataclass(frozen=True)
class Private:
    server: Server
    admin: Api
    member: Api
    member_name: str
    community: str
    community_id: int
    post_id: int
    comment_id: int


def _admin(srv: Server) -> Api:
    token = Api(srv).ok(
        "POST", "/user/login", {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
    )["jwt"]
    return Api(srv, token)


@pytest.fixture(scope="module", params=BACKENDS)
def private(request: pytest.FixtureRequest) -> Iterator[Private]:
    srv = make_server(request.param)
    try:
        srv.start()
        admin = _admin(srv)
        admin.ok("PUT", "/site", {"registration_mode": "Open"})
        name = unique("priv")
        member = register(srv, name)
        community = unique("privc")
        cid = int(
            member.ok("POST", "/community", {"name": community, "title": "Inner room"})[
                "community_view"
            ]["community"]["id"]
        )
        post = member.ok("POST", "/post", {"name": "Members only", "community_id": cid})
        pid = int(post["post_view"]["post"]["id"])
        comment = member.ok("POST", "/comment", {"post_id": pid, "content": "Only for us"})
        # Refused while the site federates (a new site federates), in one request or after.
        status, code = admin.error("PUT", "/site", {"private_instance": True})
        assert (status, code) == (400, TOGETHER)
        status, code = admin.error(
            "PUT", "/site", {"private_instance": True, "federation_enabled": True}
        )
        assert code == TOGETHER
        assert Api(srv).ok("GET", "/site")["site_view"]["local_site"]["private_instance"] is False
        admin.ok("PUT", "/site", {"private_instance": True, "federation_enabled": False})
        yield Private(
            srv,
            admin,
            member,
            name,
            community,
            cid,
            pid,
            int(comment["comment_view"]["comment"]["id"]),
        )
    finally:
        if request.session.testsfailed and srv.log_path.exists():
            print(f"--- {srv.backend} server log ---\n{srv.log_tail()}")
        destroy(srv)


def _reads(p: Private) -> list[tuple[str, dict[str, object]]]:
    return [
        ("/post/list", {"type_": "All"}),
        ("/post", {"id": p.post_id}),
        ("/comment/list", {"type_": "All"}),
        ("/comment", {"id": p.comment_id}),
        ("/community/list", {"type_": "All"}),
        ("/community", {"id": p.community_id}),
        ("/community", {"name": p.community}),
        ("/user", {"username": p.member_name}),
        ("/search", {"q": "Members"}),
        ("/resolve_object", {"q": f"!{p.community}@{p.server.hostname}"}),
        ("/modlog", {}),
    ]


def test_anonymous_api_reads_are_refused(private: Private) -> None:
    anon = Api(private.server)
    for path, params in _reads(private):
        assert anon.error("GET", path, **params) == (400, PRIVATE), path
    # A bad token reads as anonymous, so it is refused the same way.
    stale = Api(private.server, "not-a-token")
    assert stale.error("GET", "/post/list") == (400, PRIVATE)


def test_the_site_answers_and_login_opens_the_reads(private: Private) -> None:
    anon = Api(private.server)
    site = anon.ok("GET", "/site")
    assert site["site_view"]["local_site"]["private_instance"] is True
    assert "my_user" not in site
    token = anon.ok(
        "POST",
        "/user/login",
        {"username_or_email": private.member_name, "password": "password-123"},
    )["jwt"]
    member = Api(private.server, token)
    assert member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["name"] == (
        private.member_name
    )
    for path, params in _reads(private):
        member.ok("GET", path, **params)
    posts = member.ok("GET", "/post/list", type_="All")["posts"]
    assert [v["post"]["id"] for v in posts] == [private.post_id]
    # Signing up still works, and the newcomer reads too; writes need a login as ever.
    newcomer = register(private.server)
    assert newcomer.ok("GET", "/comment", id=private.comment_id)["comment_view"]["comment"][
        "content"
    ] == ("Only for us")
    assert anon.error("POST", "/post", {"name": "Sneaky", "community_id": private.community_id})[
        1
    ] == (ErrorCode.INCORRECT_LOGIN.value)


def test_federation_cannot_be_turned_on_while_private(private: Private) -> None:
    status, code = private.admin.error("PUT", "/site", {"federation_enabled": True})
    assert (status, code) == (400, TOGETHER)
    local = Api(private.server).ok("GET", "/site")["site_view"]["local_site"]
    assert (local["private_instance"], local["federation_enabled"]) == (True, False)


def _browser(p: Private, token: str | None = None) -> httpx.Client:
    cookies = {"jwt": token} if token else {}
    return httpx.Client(
        base_url=p.server.url,
        headers={"Accept": "text/html"},
        cookies=cookies,
        follow_redirects=False,
        timeout=30,
    )


def test_web_pages_send_visitors_to_login(private: Private) -> None:
    pages = [
        "/",
        f"/c/{private.community}",
        f"/post/{private.post_id}",
        f"/u/{private.member_name}",
        "/communities",
        "/search?q=Members",
        "/modlog",
        "/about",
    ]
    with _browser(private) as web:
        for path in pages:
            response = web.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path
        assert web.get(f"/c/{private.community}").headers["location"] == (
            f"/login?next=%2Fc%2F{private.community}"
        )
        for path in ("/login", "/signup"):
            response = web.get(path)
            assert response.status_code == 200, path
            assert 'name="password"' in response.text, path
        assert web.get("/static/moot.js").status_code == 200
    token = private.member.http.headers["Authorization"].removeprefix("Bearer ")
    with _browser(private, token) as web:
        for path in pages:
            assert web.get(path).status_code == 200, path
        assert "Members only" in web.get(f"/c/{private.community}").text


def test_feeds_and_sitemap_refuse_anonymous_reads(private: Private) -> None:
    with httpx.Client(base_url=private.server.url, timeout=30) as http:
        for path in (
            "/feeds/all.xml",
            "/feeds/local.xml",
            f"/feeds/c/{private.community}.xml",
            f"/feeds/u/{private.member_name}.xml",
            "/sitemap.xml",
        ):
            response = http.get(path)
            assert response.status_code == 400, path
            assert response.json() == {"error": PRIVATE}, path
        # The subscribed feed names a login token, so it still answers.
        token = private.member.http.headers["Authorization"].removeprefix("Bearer ")
        front = http.get(f"/feeds/front/{token}.xml")
        assert front.status_code == 200
        assert "<rss" in front.text
