"""A reader's marks at the same moment: PUT /post/save, PUT /comment/save, POST /post/hide,
POST /post/mark_as_read. Each ends as one request left it, and the flag on the view agrees
with the listing it puts the item in (saved_only lists it once, or not at all)."""

from __future__ import annotations

from typing import Any

from tests.concurrency.checks import toggle
from tests.concurrency.world import Audit, Member, World


def _listed(audit: Audit, where: str, flag: bool, ids: list[int], item_id: int, what: str) -> None:
    times = ids.count(item_id)
    audit.expect(
        times == (1 if flag else 0),
        f"{where}: {what} is {flag} on the view, and its listing shows it {times} times",
    )


async def test_save_post(world: World) -> None:
    a = world.members[1]
    post_id = world.post(world.members[0], world.community(), "Save me")

    def state(who: Member, where: str) -> bool:
        saved = bool(world.post_view(who, post_id)["saved"])
        listed = who.api.ok("GET", "/post/list", saved_only=True, type_="All", limit=50)
        _listed(audit, where, saved, [p["post"]["id"] for p in listed["posts"]], post_id, "saved")
        return saved

    async with world.audit("PUT /post/save") as audit:
        await toggle(
            world,
            audit,
            [a],
            lambda who, v: ("PUT", "/post/save", {"post_id": post_id, "save": v}),
            state,
        )


async def test_save_comment(world: World) -> None:
    a = world.members[1]
    post_id = world.post(world.members[0], world.community(), "Save a comment")
    comment_id = world.comment(world.members[0], post_id, "Save me")

    def state(who: Member, where: str) -> bool:
        saved = bool(world.comment_view(who, comment_id)["saved"])
        listed = who.api.ok("GET", "/comment/list", saved_only=True, type_="All", limit=50)
        ids = [c["comment"]["id"] for c in listed["comments"]]
        _listed(audit, where, saved, ids, comment_id, "saved")
        return saved

    async with world.audit("PUT /comment/save") as audit:
        await toggle(
            world,
            audit,
            [a],
            lambda who, v: ("PUT", "/comment/save", {"comment_id": comment_id, "save": v}),
            state,
        )


async def _marks(world: World, path: str, key: str, flag: str) -> None:
    """POST /post/hide and /post/mark_as_read name two posts at once: one request's outcome
    marks both alike."""
    a = world.members[1]
    community = world.community()
    posts = [world.post(world.members[0], community, f"{flag} {i}") for i in range(2)]

    def state(who: Member, where: str) -> bool:
        flags = [bool(world.post_view(who, p)[flag]) for p in posts]
        audit.expect(
            flags[0] == flags[1],
            f"{where}: {who.name}'s two posts, marked by the same requests, are {flag} {flags}",
        )
        return flags[0]

    def request(who: Member, value: bool) -> tuple[str, str, dict[str, Any]]:
        return ("POST", path, {"post_ids": posts, key: value})

    async with world.audit(f"POST {path}") as audit:
        await toggle(world, audit, [a], request, state)


async def test_hide_post(world: World) -> None:
    await _marks(world, "/post/hide", "hide", "hidden")


async def test_mark_post_read(world: World) -> None:
    await _marks(world, "/post/mark_as_read", "read", "read")
