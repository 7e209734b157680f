"""Multi-community feeds' writes at the same moment (API v4): one feed name created by
several members at once, the same community added (and removed) by several requests at
once, a feed filled to its limit by a race for the last places, follows and unfollows
sent together. Every answer is a 200 or a clear refusal, the rows are what one of the
requests asked for, and `moot admin recount` finds nothing to correct (`World.audit`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from moot.actions.multi_communities import ENTRY_LIMIT
from moot.db import models as m
from tests.concurrency.burst import Answer, Call, burst, judge
from tests.concurrency.checks import mix
from tests.concurrency.world import ROUNDS, Audit, Member, N, World
from tests.conftest import unique


def _v4(
    world: World, who: Member, method: str, path: str, bodies: list[dict[str, Any]]
) -> list[Call]:
    return [
        Call(c.base.replace("/api/v3", "/api/v4"), c.token, c.method, c.path, c.body, c.who)
        for c in world.calls(who, method, path, bodies)
    ]


def _judge(audit: Audit, where: str, answers: list[Answer], allowed: tuple[str, ...]) -> None:
    """v4's codes are 1.0's: each answer a 200 or a 4xx with one of `allowed`."""
    for a in answers:
        if a.status != 200:
            audit.expect(
                400 <= a.status < 500 and a.error in allowed,
                f"{where}: {a.status} {a.text} for {a.call.describe()}",
            )
    audit.problems += [f"{where}: {p}" for p in judge([a for a in answers if a.status >= 500])]


def _feed(who: Member, world: World) -> int:
    answer = who.api.http.post(
        f"{world.server.url}/api/v4/multi_community",
        json={"name": unique("feed")},
        headers={"Authorization": f"Bearer {who.token}"},
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["multi_community_view"]["multi"]["id"])


async def _count(world: World, table: sa.Table, **where: int) -> int:
    async with world.db.connection() as conn:
        found = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(table)
            .where(*[table.c[k] == v for k, v in where.items()])
        )
    return int(found or 0)


async def test_one_feed_name_created_at_once(world: World) -> None:
    """Several members create a feed of the same name together: one feed, and every other
    answer says it exists."""
    members = world.members[:4]
    async with world.audit("POST /multi_community (v4)") as audit:
        for r in range(ROUNDS):
            name = unique("samefeed")
            calls = mix(
                *(
                    _v4(world, who, "POST", "/multi_community", [{"name": name}] * 2)
                    for who in members
                )
            )
            answers = await burst(calls)
            where = f"round {r}"
            _judge(audit, where, answers, ("already_exists",))
            made = [a for a in answers if a.status == 200]
            audit.expect(len(made) == 1, f"{where}: {len(made)} creations answered 200")
            async with world.db.connection() as conn:
                rows = await conn.scalar(
                    sa.select(sa.func.count())
                    .select_from(m.multi_community)
                    .where(m.multi_community.c.name == name)
                )
            audit.expect(rows == 1, f"{where}: {rows} feeds named {name}")


async def test_same_entry_added_and_removed_at_once(world: World) -> None:
    """The owner adds one community by several requests at once (one entry, counted once),
    then adds and removes it at once (in or out, the count saying which)."""
    owner = world.members[0]
    feed_id = _feed(owner, world)
    community_id = world.community()
    body = {"id": feed_id, "community_id": community_id}
    async with world.audit("POST/DELETE /multi_community/entry (v4)") as audit:
        for r in range(ROUNDS):
            where = f"round {r} identical"
            answers = await burst(_v4(world, owner, "POST", "/multi_community/entry", [body] * N))
            _judge(audit, where, answers, ())
            entries = await _count(world, m.multi_community_entry, multi_community_id=feed_id)
            audit.expect(entries == 1, f"{where}: {entries} entries")
            where = f"round {r} contradicting"
            calls = mix(
                _v4(world, owner, "POST", "/multi_community/entry", [body] * (N // 2)),
                _v4(world, owner, "DELETE", "/multi_community/entry", [body] * (N // 2)),
            )
            _judge(audit, where, await burst(calls), ())
            entries = await _count(world, m.multi_community_entry, multi_community_id=feed_id)
            audit.expect(entries in (0, 1), f"{where}: {entries} entries")


async def test_race_for_the_last_places(world: World) -> None:
    """A feed with two places left, and more communities than that added at once: it ends
    at its limit exactly, the others told the limit is reached."""
    owner = world.members[1]
    feed_id = _feed(owner, world)
    ids = [world.community() for _ in range(ENTRY_LIMIT - 2)]
    for community_id in ids:
        owner.api.http.post(
            f"{world.server.url}/api/v4/multi_community/entry",
            json={"id": feed_id, "community_id": community_id},
            headers={"Authorization": f"Bearer {owner.token}"},
        ).raise_for_status()
    fresh = [world.community() for _ in range(N)]
    bodies = [{"id": feed_id, "community_id": c} for c in fresh]
    async with world.audit("POST /multi_community/entry at the limit (v4)") as audit:
        answers = await burst(_v4(world, owner, "POST", "/multi_community/entry", bodies))
        _judge(audit, "race", answers, ("multi_community_entry_limit_reached",))
        entries = await _count(world, m.multi_community_entry, multi_community_id=feed_id)
        expected = len(ids) + 2
        audit.expect(entries == expected, f"{entries} entries, {expected} expected")


async def test_follows_and_unfollows_at_once(world: World) -> None:
    """Members follow a feed by several requests at once (one follow each), then follow and
    unfollow it at once; the subscriber count is the rows' (recount checks it)."""
    owner, *followers = world.members[:4]
    feed_id = _feed(owner, world)
    path = "/multi_community/follow"
    on = {"multi_community_id": feed_id, "follow": True}
    off = {"multi_community_id": feed_id, "follow": False}
    async with world.audit("POST /multi_community/follow (v4)") as audit:
        for r in range(ROUNDS):
            where = f"round {r} identical"
            calls = mix(*(_v4(world, who, "POST", path, [on] * (N // 2)) for who in followers))
            _judge(audit, where, await burst(calls), ())
            follows = await _count(world, m.multi_community_follow, multi_community_id=feed_id)
            audit.expect(follows == len(followers), f"{where}: {follows} follows")
            where = f"round {r} contradicting"
            calls = mix(*(_v4(world, who, "POST", path, [on, off] * (N // 4)) for who in followers))
            _judge(audit, where, await burst(calls), ())
            follows = await _count(world, m.multi_community_follow, multi_community_id=feed_id)
            audit.expect(0 <= follows <= len(followers), f"{where}: {follows} follows")
