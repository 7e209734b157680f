"""Many first fetches of one actor at once: its key pair is made once, and every fetch is
answered. A person's or community's keys are made on first use; each fetch used to read the
actor on a connection and, still holding it, wait for a transaction to make the keys. With
SQLite's pool of four, five such fetches at once left the transaction waiting for a
connection forever, and the instance stopped answering anything that reads the database
(seen first as tests/federation/test_live_races.py timing out)."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import register, unique
from tests.servers import Server

AP = {"Accept": "application/activity+json"}
AT_ONCE = 12


async def _fetch_all_at_once(server: Server, path: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        return await asyncio.gather(*(client.get(path, headers=AP) for _ in range(AT_ONCE)))


def _keys(responses: list[httpx.Response]) -> set[str]:
    return {r.json()["publicKey"]["publicKeyPem"] for r in responses}


async def test_first_fetches_of_a_person_all_answer_with_one_key(server: Server) -> None:
    name = unique("fetched")
    register(server, name)
    answers = await _fetch_all_at_once(server, f"/u/{name}")
    assert [r.status_code for r in answers] == [200] * AT_ONCE
    assert len(_keys(answers)) == 1
    # The instance still reads its database.
    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        assert (await client.get("/nodeinfo/2.1")).status_code == 200


async def test_first_fetches_of_a_community_all_answer_with_one_key(server: Server) -> None:
    member = register(server)
    name = unique("fetchedc")
    member.ok("POST", "/community", {"name": name, "title": "Fetched at once"})
    answers = await _fetch_all_at_once(server, f"/c/{name}")
    assert [r.status_code for r in answers] == [200] * AT_ONCE
    assert len(_keys(answers)) == 1
