"""Follows of a private community at the same moment: the same follow many times at once,
a moderator's approval racing the member's cancel (unfollow), and two moderators approving
the same follow at once (POST /api/v4/community/pending_follows/approve). One follow row
or none per pair, approved at most once, the subscriber counts equal to the approved
follows, and `moot admin recount` finds nothing to correct (`World.audit`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from tests.concurrency.burst import Call, burst
from tests.concurrency.checks import mix
from tests.concurrency.world import ROUNDS, Audit, Member, N, World

APPROVE = "/community/pending_follows/approve"


def _v4(calls: list[Call]) -> list[Call]:
    return [replace(c, base=c.base.replace("/api/v3", "/api/v4")) for c in calls]


def _private_community(world: World) -> int:
    community = world.community()
    edit = {"community_id": community, "visibility": "private"}
    v4 = str(world.mod.api.http.base_url).replace("/api/v3", "/api/v4")
    answer = world.mod.api.http.put(f"{v4}/community", json=edit)
    assert answer.status_code == 200, answer.text
    return community


async def _follows(world: World, community: int) -> dict[int, bool]:
    """person id → approval_required, of the community's follow rows."""
    t = m.community_follower
    async with world.db.connection() as conn:
        rows = await conn.fetch_all(
            sa.select(t.c.person_id, t.c.approval_required).where(t.c.community_id == community)
        )
    return {int(r["person_id"]): bool(r["approval_required"]) for r in rows}


async def _check(world: World, audit: Audit, where: str, community: int) -> dict[int, bool]:
    """The follow rows, against the community's counts: only approved follows count."""
    follows = await _follows(world, community)
    async with world.db.connection() as conn:
        row = await conn.fetch_one(sa.select(m.community).where(m.community.c.id == community))
    assert row is not None
    approved = sum(1 for waits in follows.values() if not waits)
    audit.expect(
        row["subscribers"] == approved == row["subscribers_local"],
        f"{where}: counts {row['subscribers']} ({row['subscribers_local']} local), "
        f"{approved} approved follows: {follows}",
    )
    return follows


def _follow(world: World, who: Member, community: int, follow: bool) -> list[Call]:
    return world.calls(
        who, "POST", "/community/follow", [{"community_id": community, "follow": follow}]
    )


def _decide(world: World, mod: Member, community: int, who: Member, approve: bool) -> list[Call]:
    body: dict[str, Any] = {
        "community_id": community,
        "follower_id": who.person_id,
        "approve": approve,
    }
    return _v4(world.calls(mod, "POST", APPROVE, [body]))


async def test_the_same_follow_at_once(world: World) -> None:
    a, b = world.members[1:3]
    community = _private_community(world)
    async with world.audit("POST /community/follow (private)") as audit:
        for r in range(ROUNDS):
            where = f"round {r} identical follow"
            calls = mix(
                *(
                    [c for _ in range(N) for c in _follow(world, who, community, True)]
                    for who in (a, b)
                )
            )
            audit.answers(where, await burst(calls))
            follows = await _check(world, audit, where, community)
            for who in (a, b):
                audit.expect(follows.get(who.person_id) is True, f"{where}: {who.name}: {follows}")
            where = f"round {r} contradicting follow/unfollow"
            calls = mix(
                *(
                    [c for k in range(N) for c in _follow(world, who, community, k % 2 == 0)]
                    for who in (a, b)
                )
            )
            audit.answers(where, await burst(calls))
            await _check(world, audit, where, community)


async def test_approve_racing_the_cancel(world: World) -> None:
    a, b = world.members[3:5]
    community = _private_community(world)
    async with world.audit(f"POST {APPROVE} racing an unfollow") as audit:
        for r in range(ROUNDS):
            for who in (a, b):
                who.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})
            where = f"round {r} approve and cancel at once"
            calls = mix(
                *(
                    [
                        c
                        for _ in range(N // 2)
                        for c in _decide(world, world.mod, community, who, True)
                    ]
                    + [c for _ in range(N // 2) for c in _follow(world, who, community, False)]
                    for who in (a, b)
                )
            )
            # An approval that comes after the cancel finds no follow to approve.
            audit.answers(where, await burst(calls), allowed=["not_found"])
            follows = await _check(world, audit, where, community)
            audit.expect(follows == {world.mod.person_id: False}, f"{where}: left {follows}")
            where = f"round {r} follow and approve at once"
            calls = mix(
                *(
                    [c for _ in range(N // 2) for c in _follow(world, who, community, True)]
                    + [
                        c
                        for _ in range(N // 2)
                        for c in _decide(world, world.mod, community, who, True)
                    ]
                    for who in (a, b)
                )
            )
            audit.answers(where, await burst(calls), allowed=["not_found"])
            await _check(world, audit, where, community)
            for who in (a, b):
                who.api.ok(
                    "POST", "/community/follow", {"community_id": community, "follow": False}
                )
            await _check(world, audit, f"round {r} after the unfollows", community)


async def test_two_moderators_approve_at_once(world: World) -> None:
    second, a, b = world.members[5:8]
    community = _private_community(world)
    added = {"community_id": community, "person_id": second.person_id, "added": True}
    world.mod.api.ok("POST", "/community/mod", added)
    async with world.audit(f"POST {APPROVE} by two moderators") as audit:
        for r in range(ROUNDS):
            for who in (a, b):
                who.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})
            where = f"round {r} identical approvals"
            calls = mix(
                *(
                    [
                        c
                        for _ in range(N // 2)
                        for mod in (world.mod, second)
                        for c in _decide(world, mod, community, who, True)
                    ]
                    for who in (a, b)
                )
            )
            audit.answers(where, await burst(calls))
            follows = await _check(world, audit, where, community)
            for who in (a, b):
                audit.expect(follows.get(who.person_id) is False, f"{where}: {who.name}: {follows}")
            where = f"round {r} approve and deny at once"
            for who in (a, b):  # back to waiting
                who.api.ok(
                    "POST", "/community/follow", {"community_id": community, "follow": False}
                )
                who.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})
            calls = mix(
                *(
                    [
                        c
                        for k in range(N)
                        for c in _decide(
                            world, (world.mod, second)[k % 2], community, who, k % 2 == 0
                        )
                    ]
                    for who in (a, b)
                )
            )
            audit.answers(where, await burst(calls), allowed=["not_found"])
            await _check(world, audit, where, community)
            for who in (a, b):
                who.api.ok(
                    "POST", "/community/follow", {"community_id": community, "follow": False}
                )
