"""Accounts and the site: password changes, blocks, registration modes, settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import Server

PASSWORD = "password-123"


def _login(server: Server, name: str, password: str = PASSWORD) -> Api:
    token = Api(server).ok(
        "POST", "/user/login", {"username_or_email": name, "password": password}
    )["jwt"]
    return Api(server, token)


def test_change_password_revokes_other_tokens(server: Server) -> None:
    name = unique("pw")
    first = register(server, name, PASSWORD)
    second = _login(server, name)
    answer = first.ok(
        "PUT",
        "/user/change_password",
        {
            "new_password": "another-password",
            "new_password_verify": "another-password",
            "old_password": PASSWORD,
        },
    )
    fresh = Api(server, answer["jwt"])
    assert fresh.ok("GET", "/user/validate_auth") == {"success": True}
    assert second.error("GET", "/user/validate_auth") == (400, E.NOT_LOGGED_IN)
    assert first.error("GET", "/user/validate_auth") == (400, E.NOT_LOGGED_IN)
    assert Api(server).error(
        "POST", "/user/login", {"username_or_email": name, "password": PASSWORD}
    ) == (401, E.INCORRECT_LOGIN)
    _login(server, name, "another-password")


def test_settings_round_trip(server: Server) -> None:
    member = register(server)
    member.ok(
        "PUT",
        "/user/save_user_settings",
        {
            "display_name": "Joey",
            "pronouns": "comrade/them",
            "bio": "Hello **there**",
            "show_nsfw": True,
            "default_sort_type": "New",
            "default_listing_type": "All",
            "theme": "darkly",
            "show_scores": False,
            "show_upvotes": False,
            "discussion_languages": [0, 10],
        },
    )
    me = member.ok("GET", "/site")["my_user"]
    person, user = me["local_user_view"]["person"], me["local_user_view"]["local_user"]
    assert (person["display_name"], person["pronouns"], person["bio"]) == (
        "Joey",
        "comrade/them",
        "Hello **there**",
    )
    assert (user["show_nsfw"], user["default_sort_type"], user["theme"]) == (True, "New", "darkly")
    assert me["local_user_view"]["local_user_vote_display_mode"]["upvotes"] is False
    assert me["discussion_languages"] == [0, 10]
    member.ok("PUT", "/user/save_user_settings", {"display_name": ""})
    assert "display_name" not in member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    assert member.error(
        "PUT", "/user/save_user_settings", {"display_name": "\u200b\u200b\u200b"}
    ) == (400, E.INVALID_DISPLAY_NAME)
    assert member.error("PUT", "/user/save_user_settings", {"bio": "x" * 1001}) == (
        400,
        E.BIO_LENGTH_OVERFLOW,
    )


def test_languages_from_accept_language(server: Server) -> None:
    """A new account reads the header's languages the instance knows, plus undetermined;
    every language when the header names none it knows, or there is none (Lemmy 0.19)."""
    codes = {lang["code"]: lang["id"] for lang in Api(server).ok("GET", "/site")["all_languages"]}
    every = sorted(codes.values())

    def signed_up(header: str | None) -> tuple[list[int], str]:
        name = unique("lang")
        form = {"username": name, "password": PASSWORD, "password_verify": PASSWORD}
        headers = {"Accept-Language": header} if header is not None else {}
        answer = Api(server).http.post("/user/register", json=form, headers=headers)
        assert answer.status_code == 200, answer.text
        me = Api(server, answer.json()["jwt"]).ok("GET", "/site")["my_user"]
        interface = me["local_user_view"]["local_user"]["interface_language"]
        return sorted(me["discussion_languages"]), str(interface)

    # Quality orders the header; q=0 refuses a language; an unknown one is passed over.
    header = "en;q=0.8, de-CH, de;q=0.9, xx;q=0.7, fr;q=0"
    assert signed_up(header) == (sorted([codes["und"], codes["de"], codes["en"]]), "de")
    assert signed_up("xx-YY, *") == (every, "xx")
    assert signed_up(None) == (every, "browser")


def test_blocks_hide_people_and_communities(server: Server) -> None:
    reader, writer = register(server), register(server)
    cid = writer.ok("POST", "/community", {"name": unique("blk"), "title": "Blocks"})[
        "community_view"
    ]["community"]["id"]
    pid = writer.ok("POST", "/post", {"name": "Block me", "community_id": cid})["post_view"][
        "post"
    ]["id"]
    writer_id = writer.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]

    def listed() -> list[int]:
        posts = reader.ok("GET", "/post/list", type_="All", sort="New", limit=50)["posts"]
        return [p["post"]["id"] for p in posts]

    assert pid in listed()
    blocked = reader.ok("POST", "/user/block", {"person_id": writer_id, "block": True})
    assert blocked["blocked"] is True
    assert pid not in listed()
    assert reader.ok("GET", "/site")["my_user"]["person_blocks"][0]["target"]["id"] == writer_id
    reader.ok("POST", "/user/block", {"person_id": writer_id, "block": False})
    assert pid in listed()
    comment = writer.ok("POST", "/comment", {"post_id": pid, "content": "Block me too"})
    comment_id = comment["comment_view"]["comment"]["id"]

    def comments(**where: int) -> list[int]:
        found = reader.ok("GET", "/comment/list", type_="All", sort="New", limit=50, **where)
        return [c["comment"]["id"] for c in found["comments"]]

    reader.ok("POST", "/community/block", {"community_id": cid, "block": True})
    assert pid not in listed()
    # Gone from the comments across communities; the thread opened on purpose keeps them.
    assert comment_id not in comments()
    assert comment_id in comments(post_id=pid)
    reader.ok("POST", "/community/block", {"community_id": cid, "block": False})
    assert comment_id in comments()
    me = reader.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    assert reader.error("POST", "/user/block", {"person_id": me, "block": True}) == (
        400,
        E.CANT_BLOCK_YOURSELF,
    )
    admin_id = reader.ok("GET", "/site")["admins"][0]["person"]["id"]
    assert reader.error("POST", "/user/block", {"person_id": admin_id, "block": True}) == (
        400,
        E.CANT_BLOCK_ADMIN,
    )


@pytest.fixture
def registration_mode(admin: Api) -> Iterator[None]:
    yield
    admin.ok("PUT", "/site", {"registration_mode": "Open"})


def test_registration_modes(server: Server, admin: Api, registration_mode: None) -> None:
    anon = Api(server)
    form = {"password": PASSWORD, "password_verify": PASSWORD}
    admin.ok("PUT", "/site", {"registration_mode": "Closed"})
    assert anon.error("POST", "/user/register", {"username": unique("c"), **form}) == (
        400,
        E.REGISTRATION_CLOSED,
    )

    assert admin.error(
        "PUT", "/site", {"registration_mode": "RequireApplication", "application_question": ""}
    ) == (400, E.APPLICATION_QUESTION_REQUIRED)
    admin.ok(
        "PUT",
        "/site",
        {"registration_mode": "RequireApplication", "application_question": "Why join?"},
    )
    name = unique("app")
    assert anon.error("POST", "/user/register", {"username": name, **form}) == (
        400,
        E.REGISTRATION_APPLICATION_ANSWER_REQUIRED,
    )
    created = anon.ok("POST", "/user/register", {"username": name, "answer": "To talk", **form})
    assert created == {"registration_created": True, "verify_email_sent": False}
    assert anon.error("POST", "/user/login", {"username_or_email": name, "password": PASSWORD}) == (
        400,
        E.REGISTRATION_APPLICATION_IS_PENDING,
    )


def test_site_setup_and_captcha(server: Server, admin: Api) -> None:
    member = register(server)
    assert member.error("PUT", "/site", {"name": "Mine"}) == (400, E.NOT_AN_ADMIN)
    assert admin.error("POST", "/site", {"name": "Again"}) == (400, E.SITE_ALREADY_EXISTS)
    assert admin.error("PUT", "/site", {"name": "x" * 21}) == (400, E.SITE_NAME_LENGTH_OVERFLOW)
    assert admin.error("PUT", "/site", {"slur_filter_regex": "("}) == (400, E.INVALID_REGEX)
    edited = admin.ok("PUT", "/site", {"sidebar": "Be kind", "taglines": ["Hello", "World"]})
    assert edited["site_view"]["site"]["sidebar"] == "Be kind"
    assert [t["content"] for t in edited["taglines"]] == ["Hello", "World"]
    assert Api(server).ok("GET", "/user/get_captcha") == {}


def test_first_start_without_admin_makes_first_user_admin() -> None:
    from tests.servers import destroy, make_server

    srv = make_server("sqlite")
    srv.start_env = {"MOOT_SETUP_ADMIN_NAME": "", "MOOT_SETUP_ADMIN_PASSWORD": ""}
    try:
        srv.start()
        site = Api(srv).ok("GET", "/site")
        assert site["admins"] == [] and site["site_view"]["local_site"]["site_setup"] is False
        first = register(srv, unique("first"))
        assert first.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]["admin"]
        first.ok("POST", "/site", {"name": "My forum"})
        assert Api(srv).ok("GET", "/site")["site_view"]["local_site"]["site_setup"] is True
    finally:
        destroy(srv)


def test_operator_sets_a_password(server: Server) -> None:
    name = unique("reset")
    member = register(server, name, PASSWORD)
    done = server.moot("admin", "set-password", name, "--password", "operator-chosen-1")
    assert f"set the password of {name!r}" in done.stdout
    assert member.error("GET", "/user/validate_auth") == (400, E.NOT_LOGGED_IN)
    _login(server, name, "operator-chosen-1")
    refused = server.moot(
        "admin", "set-password", "nobody_x", "--password", "whatever-123", check=False
    )
    assert refused.returncode != 0 and "couldnt_find_person" in refused.stderr


def test_password_of_sixty_multibyte_characters(server: Server) -> None:
    # 60 characters (the longest password allowed) of two-byte UTF-8 are 120 bytes, more than
    # bcrypt reads; the sign-up answered 500 when bcrypt refused such input.
    name, password = unique("utf"), "é" * 60
    register(server, name, password)
    _login(server, name, password)
    assert Api(server).error(
        "POST", "/user/login", {"username_or_email": name, "password": "e" * 60}
    ) == (401, E.INCORRECT_LOGIN)
