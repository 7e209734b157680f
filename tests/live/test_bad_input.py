"""Bad input gets Lemmy's error code, and the rate limiter says rate_limit_error."""

from __future__ import annotations

from typing import Any

import pytest

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import Server


@pytest.fixture(scope="module")
def setting(server: Server) -> dict[str, Any]:
    owner, other = register(server), register(server)
    cid = owner.ok("POST", "/community", {"name": unique("bad"), "title": "Bad input"})[
        "community_view"
    ]["community"]["id"]
    pid = owner.ok("POST", "/post", {"name": "A fine title", "community_id": cid})["post_view"][
        "post"
    ]["id"]
    comment = owner.ok("POST", "/comment", {"post_id": pid, "content": "fine"})
    return {
        "owner": owner,
        "other": other,
        "cid": cid,
        "pid": pid,
        "comment_id": comment["comment_view"]["comment"]["id"],
    }


def test_registration_rules(server: Server) -> None:
    anon = Api(server)

    def reg(**body: Any) -> tuple[int, str]:
        form = {
            "username": unique("r"),
            "password": "password-123",
            "password_verify": "password-123",
            **body,
        }
        return anon.error("POST", "/user/register", form)

    assert reg(username="no spaces") == (400, E.INVALID_NAME)
    assert reg(username="ab") == (400, E.INVALID_NAME)
    assert reg(username="x" * 21) == (400, E.INVALID_NAME)
    assert reg(password="short", password_verify="short") == (400, E.INVALID_PASSWORD)
    assert reg(password_verify="password-124") == (400, E.PASSWORDS_DO_NOT_MATCH)
    assert reg(honeypot="I am a bot") == (400, E.HONEYPOT_FAILED)
    assert reg(username="admin") == (400, E.USER_ALREADY_EXISTS)
    assert reg(username="ADMIN") == (400, E.USER_ALREADY_EXISTS)
    assert anon.error(
        "POST", "/user/login", {"username_or_email": "admin", "password": "wrong-password"}
    ) == (401, E.INCORRECT_LOGIN)


def test_content_rules(setting: dict[str, Any]) -> None:
    owner, other, cid, pid = setting["owner"], setting["other"], setting["cid"], setting["pid"]

    def post(**body: Any) -> tuple[int, str]:
        return owner.error("POST", "/post", {"name": "A fine title", "community_id": cid, **body})

    assert post(name="ab") == (400, E.INVALID_POST_TITLE)
    assert post(name="x" * 201) == (400, E.INVALID_POST_TITLE)
    assert post(name="two\nlines") == (400, E.INVALID_POST_TITLE)
    assert post(body="x" * 50_001) == (400, E.INVALID_BODY_FIELD)
    assert post(url="not a url") == (400, E.INVALID_URL)
    assert post(url="ftp://example.com/file") == (400, E.INVALID_URL_SCHEME)
    assert post(url="https://example.com/" + "a" * 2000) == (400, E.URL_LENGTH_OVERFLOW)
    assert post(language_id=9999) == (400, E.LANGUAGE_NOT_ALLOWED)
    assert post(community_id=999_999) == (404, E.COULDNT_FIND_COMMUNITY)
    assert owner.error("POST", "/comment", {"post_id": pid, "content": "x" * 10_001}) == (
        400,
        E.INVALID_BODY_FIELD,
    )
    assert owner.error("POST", "/comment", {"post_id": 999_999, "content": "hi"}) == (
        404,
        E.COULDNT_FIND_POST,
    )
    assert owner.error("GET", "/comment", id=999_999) == (404, E.COULDNT_FIND_COMMENT)
    assert owner.error("GET", "/user", username="nobody_here") == (404, E.COULDNT_FIND_PERSON)
    assert owner.error("GET", "/user") == (400, E.NO_ID_GIVEN)
    assert owner.error(
        "POST", "/post/like", {"post_id": pid, "score": 1, "x": 1} | {"post_id": 2**40}
    ) == (400, E.UNKNOWN)
    assert owner.error("GET", "/post/list", limit=51) == (400, E.COULDNT_GET_POSTS)
    assert owner.error("GET", "/post/list", liked_only=True, disliked_only=True) == (
        400,
        E.CONTRADICTING_FILTERS,
    )
    # Someone else's content.
    assert other.error("PUT", "/post", {"post_id": pid, "name": "Mine now"}) == (
        400,
        E.NO_POST_EDIT_ALLOWED,
    )
    assert other.error("POST", "/post/delete", {"post_id": pid, "deleted": True}) == (
        400,
        E.NO_POST_EDIT_ALLOWED,
    )
    assert other.error(
        "PUT", "/comment", {"comment_id": setting["comment_id"], "content": "mine"}
    ) == (400, E.NO_COMMENT_EDIT_ALLOWED)
    assert other.error("PUT", "/community", {"community_id": cid, "title": "Mine"}) == (
        400,
        E.NOT_A_MOD_OR_ADMIN,
    )
    # Nothing of the refused requests was written.
    view = owner.ok("GET", "/post", id=pid)["post_view"]
    assert view["post"]["name"] == "A fine title" and view["counts"]["comments"] == 1


def test_deleted_account_cannot_act(server: Server, setting: dict[str, Any]) -> None:
    leaver = register(server, password="password-123")
    leaver.ok("POST", "/user/delete_account", {"password": "password-123", "delete_content": True})
    assert leaver.error(
        "POST", "/post", {"name": "Still here?", "community_id": setting["cid"]}
    ) == (401, E.INCORRECT_LOGIN)


def test_rate_limit(server: Server, admin: Api) -> None:
    admin.ok("PUT", "/site", {"rate_limit_message": 3, "rate_limit_message_per_second": 600})
    try:
        # One address, its own bucket: only the header differs from the other tests.
        client = Api(server, ip="203.0.113.9")
        codes = [client.get("/site").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 400]
        assert client.get("/site").json() == {"error": "rate_limit_error"}
        assert Api(server, ip="203.0.113.10").get("/site").status_code == 200
    finally:
        admin.ok("PUT", "/site", {"rate_limit_message": 100000})


def test_banned_account_cannot_log_in_or_act(server: Server, setting: dict[str, Any]) -> None:
    name = unique("banned")
    member = register(server, name, "password-123")
    # Site bans arrive with the moderation issue; the rule that enforces them is here now.
    server.sql(f"UPDATE person SET banned = true WHERE name = '{name}'")
    assert member.error(
        "POST", "/post", {"name": "Still posting", "community_id": setting["cid"]}
    ) == (400, E.SITE_BAN)
    assert member.error("POST", "/post/like", {"post_id": setting["pid"], "score": 1}) == (
        400,
        E.SITE_BAN,
    )
    assert Api(server).error(
        "POST", "/user/login", {"username_or_email": name, "password": "password-123"}
    ) == (400, E.SITE_BAN)
    view = Api(server).ok("GET", "/post", id=setting["pid"])["post_view"]
    assert view["counts"]["score"] == 1


def test_community_ban_shows_on_that_community_only(server: Server) -> None:
    owner, reader = register(server), register(server)
    posts = {}
    for label in ("banned", "open"):
        cid = owner.ok("POST", "/community", {"name": unique(label), "title": label})[
            "community_view"
        ]["community"]["id"]
        posts[label] = owner.ok("POST", "/post", {"name": f"In {label}", "community_id": cid})[
            "post_view"
        ]["post"]
    me = reader.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    server.sql(
        "INSERT INTO community_person_ban (community_id, person_id, published) VALUES "
        f"({posts['banned']['community_id']}, {me}, CURRENT_TIMESTAMP)"
    )
    listed = {
        p["post"]["id"]: p["banned_from_community"]
        for p in reader.ok("GET", "/post/list", type_="All", sort="New", limit=50)["posts"]
    }
    assert listed[posts["banned"]["id"]] is True
    assert listed[posts["open"]["id"]] is False
    assert reader.error(
        "POST", "/comment", {"post_id": posts["banned"]["id"], "content": "hi"}
    ) == (400, E.BANNED_FROM_COMMUNITY)


@pytest.mark.parametrize("q", ["", " ", "\x0b", "@", "!", "nobody", "!x@"])
def test_resolve_object_with_nothing_to_resolve(server: Server, q: str) -> None:
    # Found by the OpenAPI fuzzer: a query that is empty once trimmed was a 500.
    member = register(server)
    assert member.error("GET", "/resolve_object", q=q) == (404, E.COULDNT_FIND_OBJECT)
