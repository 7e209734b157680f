"""API v4's OAuth routes at the same moment: one provider code sent many times at once, one
person's several codes signing up at once, several people signing up under one name, and
the admin's providers created, edited and deleted all at once — against a real OpenID
provider on loopback (tests/oidc_provider.py). Every answer is a 200 or a clear refusal, no
person gets two accounts, and `moot admin recount` finds nothing to correct."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

from moot.db import models as m
from tests.concurrency.burst import Answer, Call, burst, tally
from tests.concurrency.world import ROUNDS, Audit, N, World
from tests.conftest import unique
from tests.oidc_provider import OidcProvider, authorize, callback_url
from tests.servers import Server

_SIGN_IN = "/oauth/authenticate"


@pytest.fixture(scope="module")
def oidc(server: Server) -> Iterator[OidcProvider]:
    provider = OidcProvider([callback_url(server)])
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


def _judge(audit: Audit, where: str, answers: list[Answer], allowed: tuple[str, ...]) -> None:
    """Each answer a 200 or a 4xx with one of `allowed` (API v4's codes, 1.0's words)."""
    audit.seen.append(f"{where}: {tally(answers)}")
    for a in answers:
        if a.status != 200 and not (400 <= a.status < 500 and a.error in allowed):
            audit.problems.append(f"{where}: {a.status} {a.text} for {a.call.describe()}")


def _v4(world: World, token: str | None, method: str, path: str, body: dict[str, Any]) -> Call:
    return Call(f"{world.server.url}/api/v4", token, method, path, body, "")


@pytest.fixture(scope="module")
def provider(world: World, oidc: OidcProvider) -> dict[str, Any]:
    """The provider, added by the admin, with registration through it open."""
    admin = world.admin.api.http
    headers = {"Authorization": f"Bearer {world.admin.token}"}
    base = f"{world.server.url}/api/v4"
    made = admin.post(
        f"{base}/oauth_provider",
        json=oidc.provider_form(display_name=unique("cc oidc")),
        headers=headers,
    )
    assert made.status_code == 200, made.text
    opened = admin.put(f"{base}/site", json={"oauth_registration": True}, headers=headers)
    assert opened.status_code == 200, opened.text
    return dict(made.json())


async def _accounts_of(world: World, provider_id: int, login: str) -> list[int]:
    a = m.oauth_account
    async with world.db.connection() as conn:
        rows = await conn.fetch_all(
            sa.select(a.c.local_user_id).where(
                a.c.oauth_provider_id == provider_id, a.c.oauth_user_id == login
            )
        )
    return [int(r["local_user_id"]) for r in rows]


async def _person_named(world: World, name: str) -> int:
    async with world.db.connection() as conn:
        found = await conn.scalar(
            sa.select(sa.func.count()).select_from(m.person).where(m.person.c.name == name)
        )
    return int(found or 0)


async def test_one_code_sent_many_times(
    world: World, server: Server, provider: dict[str, Any]
) -> None:
    """A code is good once: at most one of the copies signs up, the others are told the
    authorization is invalid (or that the sign-in failed, when the provider revoked the
    token of a code used twice while the first copy still read the person's claims)."""
    async with world.audit("POST /oauth/authenticate (one code, many times)") as audit:
        for r in range(ROUNDS):
            login, name = unique("same-code"), unique("oc")
            code, verifier = authorize(provider, login, callback_url(server))
            body = {
                "code": code,
                "oauth_provider_id": provider["id"],
                "redirect_uri": callback_url(server),
                "pkce_code_verifier": verifier,
                "username": name,
            }
            where = f"round {r}"
            answers = await burst([_v4(world, None, "POST", _SIGN_IN, body)] * N)
            _judge(audit, where, answers, ("oauth_authorization_invalid", "oauth_login_failed"))
            won = [a for a in answers if a.status == 200]
            audit.expect(len(won) <= 1, f"{where}: one code signed in {len(won)} times")
            linked = await _accounts_of(world, provider["id"], login)
            audit.expect(len(linked) == len(won), f"{where}: {len(linked)} accounts linked")
            audit.expect(await _person_named(world, name) == len(won), f"{where}: accounts")


async def test_one_person_signing_up_with_several_codes(
    world: World, server: Server, provider: dict[str, Any]
) -> None:
    """One person's codes, each for a sign-up under another name, all at once: every one
    signs in, and all of them into the one account the first made."""
    async with world.audit("POST /oauth/authenticate (one person, many codes)") as audit:
        for r in range(ROUNDS):
            login = unique("many-codes")
            calls = []
            for i in range(N):
                code, verifier = authorize(provider, login, callback_url(server))
                body = {
                    "code": code,
                    "oauth_provider_id": provider["id"],
                    "redirect_uri": callback_url(server),
                    "pkce_code_verifier": verifier,
                    "username": unique(f"mc{i}_"),
                }
                calls.append(_v4(world, None, "POST", _SIGN_IN, body))
            where = f"round {r}"
            answers = await burst(calls)
            _judge(audit, where, answers, ())
            linked = await _accounts_of(world, provider["id"], login)
            audit.expect(len(linked) == 1, f"{where}: {len(linked)} accounts for one person")
            tokens = [a.data["jwt"] for a in answers if a.status == 200]
            people = set()
            for token in tokens:
                me = world.admin.api.http.get(
                    f"{world.server.url}/api/v4/account",
                    headers={"Authorization": f"Bearer {token}"},
                )
                people.add(me.json()["local_user_view"]["local_user"]["id"])
            audit.expect(people == set(linked), f"{where}: signed into {people}, not {linked}")


async def test_several_people_signing_up_under_one_name(
    world: World, server: Server, provider: dict[str, Any]
) -> None:
    """Different people choosing the same name at once: one gets it, the others are told
    the name is taken."""
    async with world.audit("POST /oauth/authenticate (one name, many people)") as audit:
        for r in range(ROUNDS):
            name = unique("samename")
            calls = []
            for _ in range(N):
                code, verifier = authorize(provider, unique("person"), callback_url(server))
                body = {
                    "code": code,
                    "oauth_provider_id": provider["id"],
                    "redirect_uri": callback_url(server),
                    "pkce_code_verifier": verifier,
                    "username": name,
                }
                calls.append(_v4(world, None, "POST", _SIGN_IN, body))
            where = f"round {r}"
            answers = await burst(calls)
            _judge(audit, where, answers, ("username_already_taken",))
            won = [a for a in answers if a.status == 200]
            audit.expect(len(won) == 1, f"{where}: {len(won)} sign-ups took the name")
            audit.expect(await _person_named(world, name) == 1, f"{where}: the name's accounts")


async def test_providers_created_edited_and_deleted_at_once(
    world: World, oidc: OidcProvider
) -> None:
    """The same provider added N times at once is added once; edits racing a delete each
    land on the provider or are told it is gone, and it ends deleted."""
    token = world.admin.token
    async with world.audit("POST, PUT and DELETE /oauth_provider") as audit:
        for r in range(ROUNDS):
            form = oidc.provider_form(client_id=unique("race-client"), display_name=f"r{r}")
            where = f"round {r} (create)"
            answers = await burst([_v4(world, token, "POST", "/oauth_provider", form)] * N)
            _judge(audit, where, answers, ("already_exists",))
            made = [a.data for a in answers if a.status == 200]
            audit.expect(len(made) == 1, f"{where}: added {len(made)} times")
            if not made:
                continue
            provider_id = made[0]["id"]
            edit = _v4(world, token, "PUT", "/oauth_provider", {"id": provider_id})
            calls = [
                replace(edit, body={"id": provider_id, "display_name": f"edit {i}"})
                for i in range(N)
            ]
            calls.insert(
                N // 2, _v4(world, token, "DELETE", "/oauth_provider", {"id": provider_id})
            )
            calls.append(_v4(world, token, "DELETE", "/oauth_provider", {"id": provider_id}))
            where = f"round {r} (edit and delete)"
            answers = await burst(calls)
            _judge(audit, where, answers, ("not_found",))
            deletes = [a for a in answers if a.call.method == "DELETE" and a.status == 200]
            audit.expect(len(deletes) == 1, f"{where}: deleted {len(deletes)} times")
            async with world.db.connection() as conn:
                left = await conn.scalar(
                    sa.select(sa.func.count())
                    .select_from(m.oauth_provider)
                    .where(m.oauth_provider.c.id == provider_id)
                )
            audit.expect(left == 0, f"{where}: the provider outlived its deletion")
