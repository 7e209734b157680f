"""Follows and blocks at the same moment: POST /community/follow, /community/block,
/user/block and /site/block (an instance). One row or none per pair, as the last request
left it, and the subscriber counts match the follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.types import utcnow
from tests.concurrency.checks import subscribers, toggle
from tests.concurrency.world import Audit, Member, World
from tests.conftest import unique


def _subscribed(
    world: World, audit: Audit, community: int, people: list[Member]
) -> Callable[[Member, str], bool]:
    """A `state` for `toggle`: the sender's subscription, after checking everyone's against
    the community's counts (once per check point)."""
    seen: dict[str, dict[int, str]] = {}

    def state(who: Member, where: str) -> bool:
        if where not in seen:
            seen[where] = subscribers(world, audit, where, community, people)
        return seen[where][who.person_id] != "NotSubscribed"

    return state


async def test_follow_community(world: World) -> None:
    a, b = world.members[1:3]
    community = world.community()
    async with world.audit("POST /community/follow") as audit:
        state = _subscribed(world, audit, community, [world.mod, a, b])
        await toggle(
            world,
            audit,
            [a, b],
            lambda who, v: ("POST", "/community/follow", {"community_id": community, "follow": v}),
            state,
        )


async def test_block_community(world: World) -> None:
    """Blocking unfollows: blocks, unblocks and follows mixed keep the counts right."""
    a, b = world.members[1:3]
    community = world.community()
    for who in (a, b):
        who.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})

    def state(who: Member, where: str) -> bool:
        subscribed(who, where)
        blocked = bool(world.community_view(who, community)["community_view"]["blocked"])
        rows = [
            c for c in world.my_user(who)["community_blocks"] if c["community"]["id"] == community
        ]
        audit.expect(
            len(rows) == int(blocked),
            f"{where}: {who.name} blocked={blocked}, community_blocks lists it {len(rows)} times",
        )
        return blocked

    def request(who: Member, value: Any) -> tuple[str, str, dict[str, Any]]:
        if value == "follow":
            return ("POST", "/community/follow", {"community_id": community, "follow": True})
        return ("POST", "/community/block", {"community_id": community, "block": value})

    async with world.audit("POST /community/block") as audit:
        subscribed = _subscribed(world, audit, community, [world.mod, a, b])
        await toggle(
            world,
            audit,
            [a, b],
            request,
            state,
            values=(True, False, "follow"),
            targets=(True, False),
        )


async def test_block_person(world: World) -> None:
    a, target = world.members[1], world.members[3]
    post_id = world.post(target, world.community(), "By someone blocked")

    def state(who: Member, where: str) -> bool:
        rows = [
            p for p in world.my_user(who)["person_blocks"] if p["target"]["id"] == target.person_id
        ]
        flag = bool(world.post_view(who, post_id)["creator_blocked"])
        audit.expect(
            len(rows) == int(flag),
            f"{where}: {who.name} sees creator_blocked={flag}, person_blocks lists the person "
            f"{len(rows)} times",
        )
        return flag

    async with world.audit("POST /user/block") as audit:
        await toggle(
            world,
            audit,
            [a],
            lambda who, v: ("POST", "/user/block", {"person_id": target.person_id, "block": v}),
            state,
        )


async def test_block_instance(world: World) -> None:
    a = world.members[1]
    async with world.db.transaction() as tx:  # another server, as federation would know it
        instance_id = int(
            await tx.scalar(
                sa.insert(m.instance)
                .values(domain=f"{unique('far')}.example", published=utcnow())
                .returning(m.instance.c.id)
            )
        )

    def state(who: Member, where: str) -> bool:
        rows = [
            i for i in world.my_user(who)["instance_blocks"] if i["instance"]["id"] == instance_id
        ]
        audit.expect(len(rows) <= 1, f"{where}: {who.name} blocks the instance {len(rows)} times")
        return bool(rows)

    async with world.audit("POST /site/block") as audit:
        await toggle(
            world,
            audit,
            [a],
            lambda who, v: ("POST", "/site/block", {"instance_id": instance_id, "block": v}),
            state,
        )
