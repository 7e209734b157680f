"""The first things a new instance must do: answer, register, log in and out."""

from __future__ import annotations

from moot.errors import ErrorCode
from tests.conftest import Api, register, unique
from tests.servers import Server


def test_site_answers_with_admin_and_version(server: Server) -> None:
    site = Api(server).ok("GET", "/site")
    assert site["version"].startswith("0.19")
    assert [a["person"]["name"] for a in site["admins"]] == ["admin"]
    assert "my_user" not in site


def test_register_login_logout(server: Server) -> None:
    name = unique("alice")
    member = register(server, name)
    me = member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    assert me["name"] == name
    assert member.ok("GET", "/user/validate_auth") == {"success": True}
    member.ok("POST", "/user/logout")
    assert member.error("GET", "/user/validate_auth") == (400, ErrorCode.NOT_LOGGED_IN)
    assert member.error("POST", "/post", {"name": "x", "community_id": 1}) == (
        401,
        ErrorCode.INCORRECT_LOGIN,
    )
