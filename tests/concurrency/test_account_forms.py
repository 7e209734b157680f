"""The account settings forms (moot/web/account.py, moot/web/blocks.py) sent twice at the same
moment, as a double click or a browser's retry sends them: no answer is a 5xx, and the end
state is the one the request asks for, stored once (one block row, one follow, one password).

The forms are posted as a browser posts them: the login cookie, the CSRF cookie and the
form's copy of its token.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import httpx

from tests.concurrency.world import PASSWORD, Audit, Member, World
from tests.conftest import Api

TWICE = 2
FORWARDED = iter(f"198.51.100.{n}" for n in range(1, 255))  # an address per settings import


async def _csrf(client: httpx.AsyncClient) -> str:
    """The CSRF token the site gives this client (a page sets the cookie)."""
    await client.get("/login", headers={"Accept": "text/html"})
    token = client.cookies.get("csrftoken")
    assert token, "the site set no CSRF cookie"
    return str(token)


async def _forms(
    world: World,
    who: Member,
    path: str,
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None = None,
    addresses: Sequence[str] = (),
) -> list[httpx.Response]:
    """The same form, TWICE at once, each from its own client of the member's session."""
    clients = [
        httpx.AsyncClient(
            base_url=world.server.url,
            cookies={"jwt": who.token},
            timeout=60,
            headers={"Accept": "text/html"}
            | ({"X-Forwarded-For": addresses[i]} if addresses else {}),
        )
        for i in range(TWICE)
    ]
    try:
        tokens = [await _csrf(c) for c in clients]
        go = asyncio.Event()

        async def send(client: httpx.AsyncClient, token: str) -> httpx.Response:
            await go.wait()
            return await client.post(path, data={**fields, "_csrf_token": token}, files=files)

        tasks = [asyncio.create_task(send(c, t)) for c, t in zip(clients, tokens, strict=True)]
        await asyncio.sleep(0)
        go.set()
        return list(await asyncio.gather(*tasks))
    finally:
        for c in clients:
            await c.aclose()


def _no_5xx(audit: Audit, where: str, answers: list[httpx.Response], ok: set[int]) -> None:
    statuses = [a.status_code for a in answers]
    audit.seen.append(f"{where}: {statuses}")
    audit.expect(
        all(s in ok for s in statuses),
        f"{where}: answers {statuses}, expected only {sorted(ok)}: "
        + " | ".join(a.text[:200] for a in answers if a.status_code not in ok),
    )


async def test_block_and_unblock_a_person(world: World) -> None:
    me, target = world.members[3], world.members[4]
    async with world.audit("POST /settings/block_person") as audit:
        for block in ("1", "0", "1", "0"):
            where = f"block={block}"
            answers = await _forms(
                world,
                me,
                "/settings/block_person",
                {"person_id": str(target.person_id), "block": block},
            )
            _no_5xx(audit, where, answers, {303})
            rows = [
                b
                for b in world.my_user(me)["person_blocks"]
                if b["target"]["id"] == target.person_id
            ]
            audit.expect(len(rows) == int(block), f"{where}: {len(rows)} block rows")


async def test_block_and_unblock_a_community(world: World) -> None:
    me = world.members[3]
    community = world.community()
    me.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})
    async with world.audit("POST /settings/block_community") as audit:
        for block in ("1", "0", "1", "0"):
            where = f"block={block}"
            answers = await _forms(
                world,
                me,
                "/settings/block_community",
                {"community_id": str(community), "block": block},
            )
            _no_5xx(audit, where, answers, {303})
            mine = world.my_user(me)
            rows = [b for b in mine["community_blocks"] if b["community"]["id"] == community]
            audit.expect(len(rows) == int(block), f"{where}: {len(rows)} block rows")
            # Blocking unfollowed it (once: the recount checks the subscriber count).
            follows = [f for f in mine["follows"] if f["community"]["id"] == community]
            audit.expect(follows == [], f"{where}: still follows it {len(follows)} times")


async def test_change_email(world: World) -> None:
    me = await world.new_member("ccmail")
    address = f"{me.name}@example.com"
    async with world.audit("POST /settings/email") as audit:
        answers = await _forms(world, me, "/settings/email", {"email": address})
        _no_5xx(audit, "same address", answers, {303})
        stored = world.my_user(me)["local_user_view"]["local_user"]["email"]
        audit.expect(stored == address, f"email is {stored!r}, not {address!r}")


async def test_change_password(world: World) -> None:
    me = await world.new_member("ccpass")
    new = "changed-password-789"
    fields = {"old_password": PASSWORD, "new_password": new, "new_password_verify": new}
    async with world.audit("POST /settings/password") as audit:
        answers = await _forms(world, me, "/settings/password", fields)
        # The second may find its session's token revoked by the first: to the login page.
        _no_5xx(audit, "same change", answers, {303})
        login = {"username_or_email": me.name, "password": new}
        fresh = Api(world.server).post("/user/login", login)
        audit.expect(fresh.status_code == 200, f"the new password: {fresh.status_code}")
        old = Api(world.server).post("/user/login", login | {"password": PASSWORD})
        audit.expect(old.status_code == 401, f"the old password: {old.status_code}")


async def test_import_settings(world: World) -> None:
    me = await world.new_member("ccimp")
    community = world.community()
    actor = world.community_view(world.admin, community)["community_view"]["community"]
    blocked = world.person(world.members[5].person_id)["person"]["actor_id"]
    backup = {"followed_communities": [actor["actor_id"]], "blocked_users": [blocked]}
    upload = {"backup": ("settings.json", json.dumps(backup).encode(), "application/json")}
    async with world.audit("POST /settings/import") as audit:
        # Each from its own address: the import is allowed once a day per address.
        answers = await _forms(
            world,
            me,
            "/settings/import",
            {},
            files=upload,
            addresses=[next(FORWARDED) for _ in range(TWICE)],
        )
        _no_5xx(audit, "same file", answers, {200})
        mine = world.my_user(me)
        follows = [f for f in mine["follows"] if f["community"]["id"] == community]
        blocks = [b for b in mine["person_blocks"] if b["target"]["actor_id"] == blocked]
        audit.expect(len(follows) == 1, f"follows it {len(follows)} times")
        audit.expect(len(blocks) == 1, f"blocks them {len(blocks)} times")


async def test_delete_account(world: World) -> None:
    me = await world.new_member("ccdel")
    fields: dict[str, Any] = {"delete_password": PASSWORD, "delete_content": "1"}
    async with world.audit("POST /settings/delete_account") as audit:
        answers = await _forms(world, me, "/settings/delete_account", fields)
        # One deletes; the other deletes too, or finds the account deleted (400) or its
        # token revoked (to the login page).
        _no_5xx(audit, "same deletion", answers, {200, 303, 400})
        audit.expect(
            sorted(a.status_code for a in answers)[0] == 200, "no request deleted the account"
        )
        person = world.person(me.person_id)["person"]
        audit.expect(person["deleted"], "the account is not deleted")
        login = {"username_or_email": me.name, "password": PASSWORD}
        refused = Api(world.server).post("/user/login", login)
        audit.expect(refused.status_code >= 400, f"login after deletion: {refused.status_code}")


async def test_hide_and_show_read_posts(world: World) -> None:
    """The list's "Hide read posts" switch, pressed twice at once, and contradicted."""
    me = await world.new_member("ccread")
    async with world.audit("POST /settings/show_read") as audit:
        for show in ("0", "1", "0", "1"):
            answers = await _forms(world, me, "/settings/show_read", {"show": show})
            _no_5xx(audit, f"show={show}", answers, {303})
            stored = world.my_user(me)["local_user_view"]["local_user"]["show_read_posts"]
            audit.expect(stored is (show == "1"), f"show={show}: stored {stored}")
