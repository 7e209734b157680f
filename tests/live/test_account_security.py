"""An account's own security and portability: two-factor login, the list of its sessions,
the donation dialog, and its settings exported from one account and imported into another."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlsplit

from pythorhead import Lemmy

from moot.actions import accounts
from moot.api.v3 import forms
from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import Server
from tests.two_factor import now_code, secret_of, with_two_factor, wrong_code

PASSWORD = "password-123"


def _log_in(server: Server, name: str, token: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"username_or_email": name, "password": PASSWORD}
    if token is not None:
        body["totp_2fa_token"] = token
    response = Api(server).post("/user/login", body)
    data: dict[str, object] = response.json()
    data["status"] = response.status_code
    return data


def test_two_factor_login(server: Server, admin: Api) -> None:
    name = unique("totp")
    member = register(server, name, PASSWORD)
    site_name = admin.ok("GET", "/site")["site_view"]["site"]["name"]

    url = member.ok("POST", "/user/totp/generate")["totp_secret_url"]
    parts = urlsplit(url)
    assert unquote(parts.path) == f"/{site_name}:{name}"
    assert parse_qs(parts.query)["issuer"] == [site_name]
    secret = secret_of(url)
    assert len(base64.b32decode(secret)) == 20
    # A secret not yet confirmed is not asked for at login.
    assert _log_in(server, name)["status"] == 200

    assert member.error(
        "POST", "/user/totp/update", {"totp_token": wrong_code(secret), "enabled": True}
    ) == (400, E.INCORRECT_TOTP_TOKEN)
    assert member.ok(
        "POST", "/user/totp/update", {"totp_token": now_code(secret), "enabled": True}
    ) == {"enabled": True}
    site = member.get("/site")
    assert site.json()["my_user"]["local_user_view"]["local_user"]["totp_2fa_enabled"] is True
    assert secret not in site.text
    assert "totp_2fa_secret" not in site.text

    assert _log_in(server, name) == {"error": E.MISSING_TOTP_TOKEN, "status": 400}
    assert _log_in(server, name, wrong_code(secret)) == {
        "error": E.INCORRECT_TOTP_TOKEN,
        "status": 400,
    }
    # The password is checked first: a wrong one is refused as any wrong password is.
    wrong_password = Api(server).error(
        "POST",
        "/user/login",
        {"username_or_email": name, "password": "not-the-one-1", "totp_2fa_token": "123456"},
    )
    assert wrong_password == (401, E.INCORRECT_LOGIN)
    signed_in = _log_in(server, name, now_code(secret))
    assert signed_in["status"] == 200
    fresh = Api(server, str(signed_in["jwt"]))
    assert fresh.ok("GET", "/user/validate_auth") == {"success": True}

    assert fresh.error("POST", "/user/totp/generate") == (400, E.TOTP_ALREADY_ENABLED)
    assert fresh.error(
        "POST", "/user/totp/update", {"totp_token": wrong_code(secret), "enabled": False}
    ) == (400, E.INCORRECT_TOTP_TOKEN)
    assert fresh.ok(
        "POST", "/user/totp/update", {"totp_token": now_code(secret), "enabled": False}
    ) == {"enabled": False}
    me = fresh.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]
    assert me["totp_2fa_enabled"] is False
    assert _log_in(server, name)["status"] == 200
    # Switching off forgot the secret: its codes no longer switch anything on.
    assert fresh.error(
        "POST", "/user/totp/update", {"totp_token": now_code(secret), "enabled": True}
    ) == (400, E.MISSING_TOTP_SECRET)
    # A new secret replaces the old one.
    again = secret_of(fresh.ok("POST", "/user/totp/generate")["totp_secret_url"])
    assert again != secret
    assert Api(server).error("POST", "/user/totp/generate") == (401, E.INCORRECT_LOGIN)


def test_pythorhead_logs_in_with_a_two_factor_code(server: Server) -> None:
    name, secret = with_two_factor(server)
    refused = Lemmy(server.url, raise_exceptions=False, request_timeout=30)
    assert refused.log_in(name, PASSWORD) is False
    lemmy = Lemmy(server.url, raise_exceptions=True, request_timeout=30)
    assert lemmy.log_in(name, PASSWORD, totp=now_code(secret))
    me = lemmy.site.get()["my_user"]["local_user_view"]
    assert (me["person"]["name"], me["local_user"]["totp_2fa_enabled"]) == (name, True)


def test_list_logins_shows_the_live_sessions(server: Server) -> None:
    name = unique("sess")
    first = register(server, name, PASSWORD)
    tokens = []
    for ip, agent in (("198.51.100.7", "phone-app/1.0"), ("203.0.113.9", "desktop/2.0")):
        http = Api(server, ip=ip).http
        answer = http.post(
            "/user/login",
            json={"username_or_email": name, "password": PASSWORD},
            headers={"User-Agent": agent},
        )
        assert answer.status_code == 200, answer.text
        tokens.append(answer.json()["jwt"])
    register(server)  # someone else's session is not listed
    me = first.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]["id"]

    response = first.get("/user/list_logins")
    assert response.status_code == 200, response.text
    logins = response.json()
    assert isinstance(logins, list) and len(logins) == 3
    assert {login["user_id"] for login in logins} == {me}
    assert [(login.get("ip"), login.get("user_agent")) for login in logins[1:]] == [
        ("198.51.100.7", "phone-app/1.0"),
        ("203.0.113.9", "desktop/2.0"),
    ]
    assert all(set(login) <= {"user_id", "published", "ip", "user_agent"} for login in logins)
    assert not any(token in response.text for token in tokens)

    Api(server, tokens[0]).ok("POST", "/user/logout")
    after = Api(server, tokens[1]).get("/user/list_logins").json()
    assert [login.get("user_agent") for login in after][-1] == "desktop/2.0"
    assert len(after) == 2 and "phone-app/1.0" not in str(after)
    assert Api(server).error("GET", "/user/list_logins") == (401, E.INCORRECT_LOGIN)


def test_donation_dialog_shown(server: Server) -> None:
    member = register(server)

    def last_shown() -> str:
        me = member.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]
        return str(me["last_donation_notification"])

    at_signup = last_shown()
    assert member.ok("POST", "/user/donation_dialog_shown") == {"success": True}
    assert last_shown() > at_signup
    assert Api(server).error("POST", "/user/donation_dialog_shown") == (401, E.INCORRECT_LOGIN)


def _as(member: Api, ip: str) -> Api:
    """The same member from another address (export and import share a bucket of 1 a day)."""
    token = member.http.headers["Authorization"].split()[1]
    return Api(member.server, token, ip=ip)


def test_settings_export_and_import_round_trip(server: Server) -> None:
    ann, bob, other = register(server), register(server), register(server)
    own = ann.ok("POST", "/community", {"name": unique("own"), "title": "Ann's own"})
    theirs = other.ok("POST", "/community", {"name": unique("their"), "title": "Theirs"})
    shunned = other.ok("POST", "/community", {"name": unique("shun"), "title": "Shunned"})
    own_id = own["community_view"]["community"]["id"]
    theirs_id = theirs["community_view"]["community"]["id"]
    shunned_id = shunned["community_view"]["community"]["id"]
    post = other.ok("POST", "/post", {"name": "Worth keeping", "community_id": theirs_id})
    post_id = post["post_view"]["post"]["id"]
    comment = other.ok("POST", "/comment", {"content": "Also this", "post_id": post_id})
    comment_id = comment["comment_view"]["comment"]["id"]
    other_person = comment["comment_view"]["creator"]

    ann.ok("POST", "/community/follow", {"community_id": theirs_id, "follow": True})
    ann.ok("POST", "/community/block", {"community_id": shunned_id, "block": True})
    ann.ok("PUT", "/post/save", {"post_id": post_id, "save": True})
    ann.ok("PUT", "/comment/save", {"comment_id": comment_id, "save": True})
    ann.ok("POST", "/user/block", {"person_id": other_person["id"], "block": True})
    ann.ok(
        "PUT",
        "/user/save_user_settings",
        {
            "display_name": "Ann A.",
            "bio": "Moved here",
            "matrix_user_id": "@ann:example.org",
            "theme": "darkly",
            "default_sort_type": "TopWeek",
            "show_nsfw": True,
            "bot_account": True,
        },
    )

    backup = _as(ann, "192.0.2.10").ok("GET", "/user/export_settings")
    assert (backup["display_name"], backup["bio"], backup["matrix_id"]) == (
        "Ann A.",
        "Moved here",
        "@ann:example.org",
    )
    assert backup["bot_account"] is True
    assert (backup["settings"]["theme"], backup["settings"]["default_sort_type"]) == (
        "darkly",
        "TopWeek",
    )
    assert "password_encrypted" not in backup["settings"]
    assert "totp_2fa_secret" not in backup["settings"]
    assert set(backup["followed_communities"]) == {
        own["community_view"]["community"]["actor_id"],
        theirs["community_view"]["community"]["actor_id"],
    }
    assert backup["blocked_communities"] == [shunned["community_view"]["community"]["actor_id"]]
    assert backup["saved_posts"] == [post["post_view"]["post"]["ap_id"]]
    assert backup["saved_comments"] == [comment["comment_view"]["comment"]["ap_id"]]
    assert backup["blocked_users"] == [other_person["actor_id"]]
    # The bucket holds one export or import a day per address.
    assert _as(ann, "192.0.2.10").error("GET", "/user/export_settings") == (
        400,
        E.RATE_LIMIT_ERROR,
    )

    # Something this instance cannot find is skipped; the rest still arrives.
    sent = {**backup, "saved_posts": [*backup["saved_posts"], "https://nowhere.invalid/post/1"]}
    assert _as(bob, "192.0.2.11").ok("POST", "/user/import_settings", sent) == {"success": True}
    assert _as(bob, "192.0.2.11").error("POST", "/user/import_settings", sent) == (
        400,
        E.RATE_LIMIT_ERROR,
    )
    again = _as(bob, "192.0.2.12").ok("GET", "/user/export_settings")
    for key in ("display_name", "bio", "matrix_id", "bot_account", "saved_posts"):
        assert again[key] == backup[key], key
    for key in ("followed_communities", "blocked_communities", "saved_comments", "blocked_users"):
        assert sorted(again[key]) == sorted(backup[key]), key
    for key in ("theme", "default_sort_type", "show_nsfw"):
        assert again["settings"][key] == backup["settings"][key], key
    # Bob follows Ann's community as a member, and it is still Ann who moderates it.
    view = bob.ok("GET", "/community", id=own_id)
    assert view["community_view"]["subscribed"] == "Subscribed"
    assert [mod["moderator"]["name"] for mod in view["moderators"]] == [
        ann.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["name"]
    ]
    assert _as(bob, "192.0.2.13").error(
        "POST", "/user/import_settings", {"saved_posts": ["x"] * 10_001}
    ) == (400, E.TOO_MANY_ITEMS)
    # A setting of the wrong kind is refused before anything is applied.
    bogus = {"display_name": "Not applied", "settings": {"default_sort_type": "Sideways"}}
    assert _as(bob, "192.0.2.14").error("POST", "/user/import_settings", bogus) == (
        400,
        E.UNKNOWN,
    )
    assert _as(bob, "192.0.2.15").ok("GET", "/user/export_settings")["display_name"] == "Ann A."


def test_a_backup_carries_every_setting_a_member_sets() -> None:
    assert set(forms.LocalUserSettings.__struct_fields__) == set(accounts.SELF_SET_SETTINGS)
