"""Password reset and email verification over the API, with the mail going through a real
SMTP server on loopback (tests/mailbox.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import BACKENDS, Api, unique
from tests.mailbox import Mailbox, link_in, mailbox, mailing_server, open_up, token_of
from tests.servers import Server

PASSWORD = "password-123"
NEW_PASSWORD = "a-new-password-456"


@pytest.fixture(scope="module")
def box() -> Iterator[Mailbox]:
    with mailbox() as b:
        yield b


@pytest.fixture(scope="module", params=BACKENDS)
def mailer(request: pytest.FixtureRequest, box: Mailbox) -> Iterator[Server]:
    with mailing_server(request.param, box) as srv:
        open_up(srv)
        yield srv


def _member(srv: Server) -> tuple[str, str, Api]:
    """A new member with an email address: (name, address, client)."""
    name = unique("mail")
    address = f"{name}@example.test"
    data = Api(srv).ok(
        "POST",
        "/user/register",
        {"username": name, "password": PASSWORD, "password_verify": PASSWORD, "email": address},
    )
    return name, address, Api(srv, data["jwt"])


def _login(srv: Server, name: str, password: str) -> Api:
    body = {"username_or_email": name, "password": password}
    return Api(srv, Api(srv).ok("POST", "/user/login", body)["jwt"])


def _reset_link(srv: Server, box: Mailbox, address: str, count: int = 1) -> str:
    sent = Api(srv).ok("POST", "/user/password_reset", {"email": address.upper()})
    assert sent == {"success": True}
    link = link_in(box.wait_for(address, count), "password_change")
    assert link.startswith(f"http://{srv.hostname}/password_change/")
    return link


def test_a_reset_link_sets_a_new_password_and_ends_every_session(
    mailer: Server, box: Mailbox
) -> None:
    name, address, first = _member(mailer)
    second = _login(mailer, name, PASSWORD)
    link = _reset_link(mailer, box, address)
    mail = box.wait_for(address)
    assert name in str(mail["Subject"])
    assert mail["From"] == "moot@example.test"

    changed = Api(mailer).ok(
        "POST",
        "/user/password_change",
        {"token": token_of(link), "password": NEW_PASSWORD, "password_verify": NEW_PASSWORD},
    )
    assert changed == {"success": True}
    for old in (first, second):
        assert old.error("GET", "/user/validate_auth") == (400, "not_logged_in")
    body = {"username_or_email": name, "password": PASSWORD}
    assert Api(mailer).error("POST", "/user/login", body) == (401, "incorrect_login")
    fresh = _login(mailer, name, NEW_PASSWORD)
    assert fresh.ok("GET", "/user/validate_auth") == {"success": True}

    again = {"token": token_of(link), "password": PASSWORD, "password_verify": PASSWORD}
    assert Api(mailer).error("POST", "/user/password_change", again) == (400, "token_not_found")
    _login(mailer, name, NEW_PASSWORD)


def test_a_refused_new_password_leaves_the_link_usable(mailer: Server, box: Mailbox) -> None:
    name, address, _ = _member(mailer)
    token = token_of(_reset_link(mailer, box, address))
    anon = Api(mailer)
    mismatch = {"token": token, "password": NEW_PASSWORD, "password_verify": "something-else"}
    assert anon.error("POST", "/user/password_change", mismatch) == (
        400,
        "passwords_do_not_match",
    )
    short = {"token": token, "password": "short", "password_verify": "short"}
    assert anon.error("POST", "/user/password_change", short) == (400, "invalid_password")
    made_up = {"token": token[::-1], "password": NEW_PASSWORD, "password_verify": NEW_PASSWORD}
    assert anon.error("POST", "/user/password_change", made_up) == (400, "token_not_found")
    good = {"token": token, "password": NEW_PASSWORD, "password_verify": NEW_PASSWORD}
    anon.ok("POST", "/user/password_change", good)
    _login(mailer, name, NEW_PASSWORD)


def test_a_reset_link_expires_after_a_day(mailer: Server, box: Mailbox) -> None:
    name, address, _ = _member(mailer)
    token = token_of(_reset_link(mailer, box, address))
    mailer.sql(
        "UPDATE password_reset_request SET published = '2000-01-01 00:00:00' WHERE local_user_id"
        " = (SELECT local_user.id FROM local_user JOIN person ON person.id = local_user.person_id"
        f" WHERE person.name = '{name}')"
    )
    body = {"token": token, "password": NEW_PASSWORD, "password_verify": NEW_PASSWORD}
    assert Api(mailer).error("POST", "/user/password_change", body) == (400, "token_not_found")
    _login(mailer, name, PASSWORD)


def test_an_unknown_address_is_an_incorrect_login(mailer: Server, box: Mailbox) -> None:
    address = f"{unique('nobody')}@example.test"
    body = {"email": address}
    assert Api(mailer).error("POST", "/user/password_reset", body) == (401, "incorrect_login")
    _, known, _ = _member(mailer)
    _reset_link(mailer, box, known)  # the server does send mail: the refusal was the address
    assert box.to(address) == []


def test_without_a_mail_server_mail_is_no_email_setup(server: Server, admin: Api) -> None:
    name, address, member = _member(server)
    assert Api(server).error("POST", "/user/password_reset", {"email": address}) == (
        400,
        "no_email_setup",
    )
    admin.ok("PUT", "/site", {"require_email_verification": True})
    try:
        newcomer = unique("nomail")
        body = {
            "username": newcomer,
            "password": PASSWORD,
            "password_verify": PASSWORD,
            "email": f"{newcomer}@example.test",
        }
        assert Api(server).error("POST", "/user/register", body) == (400, "no_email_setup")
        assert Api(server).error("GET", "/user", username=newcomer)[1] == "couldnt_find_person"
        change = {"email": f"{name}-new@example.test"}
        assert member.error("PUT", "/user/save_user_settings", change) == (400, "no_email_setup")
    finally:
        admin.ok("PUT", "/site", {"require_email_verification": False})


def test_registration_waits_for_the_address_to_be_confirmed(mailer: Server, box: Mailbox) -> None:
    admin = open_up(mailer)
    admin.ok("PUT", "/site", {"require_email_verification": True})
    try:
        name = unique("verify")
        address = f"{name}@example.test"
        body = {"username": name, "password": PASSWORD, "password_verify": PASSWORD}
        assert Api(mailer).error("POST", "/user/register", body) == (400, "email_required")
        answer = Api(mailer).ok("POST", "/user/register", {**body, "email": address})
        assert answer == {"registration_created": False, "verify_email_sent": True}
        login = {"username_or_email": name, "password": PASSWORD}
        assert Api(mailer).error("POST", "/user/login", login) == (400, "email_not_verified")

        link = link_in(box.wait_for(address), "verify_email")
        assert link.startswith(f"http://{mailer.hostname}/verify_email/")
        verified = Api(mailer).ok("POST", "/user/verify_email", {"token": token_of(link)})
        assert verified == {"success": True}
        member = _login(mailer, name, PASSWORD)
        again = {"token": token_of(link)}
        assert Api(mailer).error("POST", "/user/verify_email", again) == (400, "token_not_found")

        # A new address counts once it is confirmed; until then the old one stays.
        new_address = f"{name}-new@example.test"
        member.ok("PUT", "/user/save_user_settings", {"email": new_address})
        assert member.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]["email"] == (
            address
        )
        link = link_in(box.wait_for(new_address), "verify_email")
        Api(mailer).ok("POST", "/user/verify_email", {"token": token_of(link)})
        mine = member.ok("GET", "/site")["my_user"]["local_user_view"]["local_user"]
        assert (mine["email"], mine["email_verified"]) == (new_address, True)
        _login(mailer, new_address, PASSWORD)
        assert member.error("PUT", "/user/save_user_settings", {"email": ""}) == (
            400,
            "email_required",
        )
    finally:
        admin.ok("PUT", "/site", {"require_email_verification": False})


def test_a_confirmation_mail_sent_again_through_api_v4(mailer: Server, box: Mailbox) -> None:
    """Lemmy 1.0's resend: a newcomer whose address waits gets a second link, which works;
    an address nobody waits on is refused, and so is a fourth mail in a day."""
    admin = open_up(mailer)
    admin.ok("PUT", "/site", {"require_email_verification": True})
    v4 = httpx.Client(base_url=f"{mailer.url}/api/v4", timeout=30)
    try:
        name = unique("again")
        address = f"{name}@example.test"
        body = {"username": name, "password": PASSWORD, "password_verify": PASSWORD}
        Api(mailer).ok("POST", "/user/register", {**body, "email": address})
        box.wait_for(address)
        resent = v4.post("/account/auth/resend_verification_email", json={"email": address.upper()})
        assert resent.json() == {"success": True}
        link = link_in(box.wait_for(address, 2), "verify_email")
        assert Api(mailer).ok("POST", "/user/verify_email", {"token": token_of(link)})
        _login(mailer, name, PASSWORD)
        unknown = v4.post("/account/auth/resend_verification_email", json={"email": address})
        assert (unknown.status_code, unknown.json()) == (401, {"error": "incorrect_login"})

        other = unique("often")
        other_address = f"{other}@example.test"
        Api(mailer).ok(
            "POST", "/user/register", {**body, "username": other, "email": other_address}
        )
        for _ in range(2):
            sent = v4.post("/account/auth/resend_verification_email", json={"email": other_address})
            assert sent.status_code == 200, sent.text
        too_many = v4.post("/account/auth/resend_verification_email", json={"email": other_address})
        assert (too_many.status_code, too_many.json()["error"]) == (400, "too_many_requests")
    finally:
        admin.ok("PUT", "/site", {"require_email_verification": False})


def test_confirmation_mails_asked_at_once_keep_the_daily_limit(
    mailer: Server, box: Mailbox
) -> None:
    """Six resends of one address at the same moment: the day's limit holds (the sign-up's
    mail and two more), the others are refused with Lemmy 1.0's code, none is a 5xx."""
    admin = open_up(mailer)
    admin.ok("PUT", "/site", {"require_email_verification": True})
    try:
        name = unique("burst")
        address = f"{name}@example.test"
        body = {"username": name, "password": PASSWORD, "password_verify": PASSWORD}
        Api(mailer).ok("POST", "/user/register", {**body, "email": address})

        async def resend_all() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=f"{mailer.url}/api/v4", timeout=30) as http:
                path = "/account/auth/resend_verification_email"
                return await asyncio.gather(
                    *(http.post(path, json={"email": address}) for _ in range(6))
                )

        answers = asyncio.run(resend_all())
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 200, 400, 400, 400, 400], [a.text for a in answers]
        refused = {a.json()["error"] for a in answers if a.status_code == 400}
        assert refused == {"too_many_requests"}
        box.wait_for(address, 3)
    finally:
        admin.ok("PUT", "/site", {"require_email_verification": False})
