"""A member's own filters (Lemmy 1.0) written at the same moment: keyword lists through
PUT /user/save_user_settings `blocking_keywords`, single keywords and blocks of an
instance's persons through the settings forms (moot/web/blocks.py, which call the actions
v4's routes will call). No answer is a 5xx; the end state is one request's outcome, never a
mix of two; and `local_user`'s counts (which tell a listing whether to filter) match the
rows they count."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import sqlalchemy as sa

from moot.db import models as m
from moot.db.types import utcnow
from tests.concurrency.burst import Call, burst
from tests.concurrency.checks import mix
from tests.concurrency.world import ROUNDS, Audit, Member, N, World
from tests.conftest import unique

LISTS: dict[str, list[str]] = {
    "pets": ["Cats", "dogs", "hamsters"],
    "news": ["election"],
    "none": [],
}


async def _kept(world: World, who: Member) -> tuple[list[str], int]:
    """The member's keywords (in order), and their local_user.keyword_block_count."""
    lu, k = m.local_user, m.local_user_keyword_block
    async with world.db.connection() as conn:
        user = await conn.fetch_one(sa.select(lu).where(lu.c.person_id == who.person_id))
        assert user is not None
        rows = await conn.fetch_all(
            sa.select(k.c.keyword).where(k.c.local_user_id == user["id"]).order_by(k.c.id)
        )
        return [str(r["keyword"]) for r in rows], int(user["keyword_block_count"])


async def _instance_rows(world: World, who: Member) -> tuple[set[int], int]:
    """The instances whose persons the member blocks, and their count on local_user."""
    lu, t = m.local_user, m.instance_person_block
    async with world.db.connection() as conn:
        count = await conn.scalar(
            sa.select(lu.c.instance_person_block_count).where(lu.c.person_id == who.person_id)
        )
        rows = await conn.fetch_all(
            sa.select(t.c.instance_id).where(t.c.person_id == who.person_id)
        )
    return {int(r["instance_id"]) for r in rows}, int(count)


async def test_keyword_lists(world: World) -> None:
    """The same list sent N times at once, then three different lists at once (one member,
    then two members interleaved): the member keeps exactly one of the lists sent."""
    a, b = await world.new_members(2, "kw")
    path = "/user/save_user_settings"

    def calls(who: Member, keys: list[str]) -> list[Call]:
        return world.calls(who, "PUT", path, [{"blocking_keywords": LISTS[k]} for k in keys])

    async def check(where: str, who: Member, sent: set[str]) -> None:
        words, count = await _kept(world, who)
        named = {key for key, listed in LISTS.items() if listed == words}
        audit.expect(bool(named & sent), f"{where}: {who.name} keeps {words}, none sent")
        audit.expect(count == len(words), f"{where}: {len(words)} keywords, count {count}")

    async with world.audit(f"PUT {path} blocking_keywords") as audit:
        keys = list(LISTS)
        for r in range(ROUNDS):
            target = keys[r % len(keys)]
            where = f"round {r} identical {target}"
            audit.answers(where, await burst(calls(a, [target] * N)))
            await check(where, a, {target})
            where = f"round {r} contradicting"
            turns = [keys[i % len(keys)] for i in range(N)]
            audit.answers(where, await burst(mix(calls(a, turns), calls(b, turns[::-1]))))
            await check(where, a, set(keys))
            await check(where, b, set(keys))


# --- the settings forms -------------------------------------------------------------------


async def _csrf(client: httpx.AsyncClient) -> str:
    await client.get("/login")
    token = client.cookies.get("csrftoken")
    assert token, "the site set no CSRF cookie"
    return str(token)


async def _forms_at_once(
    world: World, who: Member, sends: list[tuple[str, dict[str, str]]]
) -> list[httpx.Response]:
    """Each (path, fields) form posted by its own client of `who`'s session, all at once,
    to the world's servers in turn."""
    webs = [base.removesuffix("/api/v3") for base in world.bases]
    clients = [
        httpx.AsyncClient(
            base_url=webs[i % len(webs)],
            cookies={"jwt": who.token},
            headers={"Accept": "text/html"},
            timeout=120,
        )
        for i in range(len(sends))
    ]
    try:
        tokens = [await _csrf(c) for c in clients]
        go = asyncio.Event()

        async def send(client: httpx.AsyncClient, token: str, path: str, fields: Any) -> Any:
            await go.wait()
            return await client.post(path, data={**fields, "_csrf_token": token})

        tasks = [
            asyncio.create_task(send(c, t, path, fields))
            for c, t, (path, fields) in zip(clients, tokens, sends, strict=True)
        ]
        await asyncio.sleep(0)
        go.set()
        return list(await asyncio.gather(*tasks))
    finally:
        for c in clients:
            await c.aclose()


def _answers(audit: Audit, where: str, answers: list[httpx.Response]) -> None:
    statuses = [a.status_code for a in answers]
    audit.seen.append(f"{where}: {statuses}")
    audit.expect(
        all(s == 303 for s in statuses),
        f"{where}: answers {statuses}: "
        + " | ".join(a.text[:200] for a in answers if a.status_code != 303),
    )


async def test_keyword_edits_at_once(world: World) -> None:
    """Different keywords added at once all stay (each edit reads the list under the
    member's row lock); added and removed at once, the keyword is there or not, and the
    count says which."""
    who = await world.new_member("kwe")
    async with world.audit("POST /settings/keywords") as audit:
        for r in range(ROUNDS):
            words = [f"r{r}word{i}" for i in range(N)]
            adds = [("/settings/keywords", {"add": w}) for w in words]
            _answers(audit, f"round {r} adds", await _forms_at_once(world, who, adds))
            kept, count = await _kept(world, who)
            audit.expect(sorted(kept) == sorted(words), f"round {r} adds: kept {kept}")
            audit.expect(count == len(kept), f"round {r} adds: count {count} for {kept}")
            mixed = [
                ("/settings/keywords", {"remove": w} if i % 2 else {"add": w})
                for i, w in enumerate([words[0]] * N)
            ]
            _answers(audit, f"round {r} add/remove", await _forms_at_once(world, who, mixed))
            kept, count = await _kept(world, who)
            audit.expect(set(kept) <= set(words), f"round {r} add/remove: kept {kept}")
            audit.expect(count == len(kept), f"round {r} add/remove: count {count} for {kept}")
            removes = [("/settings/keywords", {"remove": w}) for w in words]
            _answers(audit, f"round {r} removes", await _forms_at_once(world, who, removes))
            kept, count = await _kept(world, who)
            audit.expect(kept == [] and count == 0, f"round {r} removes: {kept}, count {count}")


async def _far_instances(world: World, n: int) -> list[int]:
    async with world.db.transaction() as tx:
        return [
            int(
                await tx.scalar(
                    sa.insert(m.instance)
                    .values(domain=f"{unique('farp')}.example", published=utcnow())
                    .returning(m.instance.c.id)
                )
            )
            for _ in range(n)
        ]


async def test_block_instance_persons(world: World) -> None:
    who = await world.new_member("ipb")
    far, other = await _far_instances(world, 2)
    path = "/settings/block_instance_persons"

    def form(instance: int, block: bool) -> tuple[str, dict[str, str]]:
        return path, {"instance_id": str(instance), "block": "1" if block else "0"}

    async with world.audit(f"POST {path}") as audit:
        for r in range(ROUNDS):
            where = f"round {r} identical block"
            _answers(audit, where, await _forms_at_once(world, who, [form(far, True)] * N))
            rows, count = await _instance_rows(world, who)
            audit.expect(rows == {far} and count == 1, f"{where}: {rows}, count {count}")
            where = f"round {r} contradicting"
            mixed = [form(far, i % 2 == 0) for i in range(N)]
            _answers(audit, where, await _forms_at_once(world, who, mixed))
            rows, count = await _instance_rows(world, who)
            audit.expect(rows <= {far} and count == len(rows), f"{where}: {rows}, count {count}")
            where = f"round {r} two instances, then unblocks"
            both = [form(far if i % 2 else other, True) for i in range(N)]
            _answers(audit, where, await _forms_at_once(world, who, both))
            rows, count = await _instance_rows(world, who)
            audit.expect(rows == {far, other} and count == 2, f"{where}: {rows}, count {count}")
            off = [form(far if i % 2 else other, False) for i in range(N)]
            _answers(audit, where, await _forms_at_once(world, who, off))
            rows, count = await _instance_rows(world, who)
            audit.expect(rows == set() and count == 0, f"{where}: {rows}, count {count}")
