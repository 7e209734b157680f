"""Moderators and admins acting at the same moment: POST /community/mod,
/community/ban_user, /user/ban, /post/feature, /post/lock, /post/remove, /comment/remove,
and the authors' /post/delete and /comment/delete mixed with removals. Each ends as one of
the requests left it — a ban with remove_data leaves the content removed exactly when the
person is banned — and the counts match the content that still counts."""

from __future__ import annotations

import time
from typing import Any

import pytest

from moot.errors import ErrorCode as E
from tests.concurrency.burst import Answer
from tests.concurrency.checks import Request, thread_counts, toggle
from tests.concurrency.world import Audit, Member, World


async def test_add_moderator(world: World) -> None:
    community = world.community()
    person = world.members[4]

    def state(who: Member, where: str) -> bool:
        mods = world.community_view(world.admin, community)["moderators"]
        times = sum(1 for v in mods if v["moderator"]["id"] == person.person_id)
        moderates = world.admin.api.ok("GET", "/user", person_id=person.person_id)["moderates"]
        listed = sum(1 for v in moderates if v["community"]["id"] == community)
        audit.expect(
            times <= 1 and times == listed,
            f"{where}: the community lists the person as moderator {times} times, the "
            f"person's moderates list it {listed} times",
        )
        return times == 1

    def identical(where: str, target: Any, answers: list[Answer]) -> None:
        oks = sum(1 for a in answers if a.status == 200)
        if target is True:  # one appointment; the others: already a moderator
            audit.expect(oks == 1, f"{where}: {oks} of {len(answers)} appointments succeeded")

    async with world.audit("POST /community/mod") as audit:
        await toggle(
            world,
            audit,
            [world.mod, world.admin],
            lambda who, v: (
                "POST",
                "/community/mod",
                {"community_id": community, "person_id": person.person_id, "added": v},
            ),
            state,
            allowed=[E.COMMUNITY_MODERATOR_ALREADY_EXISTS],
            identical=identical,
            shared=True,
        )


def _content(world: World, victim: Member, community: int) -> tuple[int, int]:
    """A post by the victim and a comment of theirs under someone else's post."""
    post_id = world.post(victim, community, "Mine")
    other = world.post(world.members[0], community, "Someone else's")
    return post_id, world.comment(victim, other, "My comment")


def _removed(world: World, post_id: int, comment_id: int) -> tuple[bool, bool]:
    post = world.post_view(world.admin, post_id)["post"]
    comment = world.comment_view(world.admin, comment_id)["comment"]
    return bool(post["removed"]), bool(comment["removed"])


async def test_ban_from_community_with_data(world: World) -> None:
    """Bans and unbans, all with remove_data, mixed with the person following again: banned
    exactly when their content is removed, and never banned and following."""
    community = world.community()
    victim = await world.new_member("ccbanc")
    victim.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})
    post_id, comment_id = _content(world, victim, community)

    def state(who: Member, where: str) -> bool:
        view = world.community_view(victim, community)["community_view"]
        banned = bool(view["banned_from_community"])
        removed = _removed(world, post_id, comment_id)
        audit.expect(
            removed == (banned, banned),
            f"{where}: banned={banned} but the post, comment removed={removed}",
        )
        audit.expect(
            not (banned and view["subscribed"] != "NotSubscribed"),
            f"{where}: banned and {view['subscribed']}",
        )
        counts = world.community_view(world.admin, community)["community_view"]["counts"]
        following = view["subscribed"] != "NotSubscribed"
        audit.expect(
            counts["subscribers"] == 1 + following,
            f"{where}: {counts['subscribers']} subscribers, the moderator and "
            f"{int(following)} more follow",
        )
        return banned

    def request(who: Member, value: Any) -> Request:
        if value == "follow":
            return (
                "POST",
                "/community/follow",
                {"community_id": community, "follow": True},
                victim,
            )
        body = {
            "community_id": community,
            "person_id": victim.person_id,
            "ban": value,
            "remove_data": True,
            "reason": "concurrency",
            "expires": int(time.time()) + 3600,
        }
        return ("POST", "/community/ban_user", body)

    async with world.audit("POST /community/ban_user (remove_data)") as audit:
        await toggle(
            world,
            audit,
            [world.mod, world.admin],
            request,
            state,
            values=(True, False, "follow"),
            targets=(True, False),
            allowed=[E.BANNED_FROM_COMMUNITY],
            shared=True,
        )


@pytest.mark.parametrize("remove_data", [False, True], ids=["keep_data", "remove_data"])
async def test_ban_from_site(world: World, remove_data: bool) -> None:
    """Site bans and unbans by two admins' requests: with remove_data, the person's post,
    comment and the community they lead are removed exactly when they are banned; without,
    their content stays."""
    victim = await world.new_member("ccbans")
    led = world.community(victim)
    post_id, comment_id = _content(world, victim, led)

    def state(who: Member, where: str) -> bool:
        banned = bool(world.person(victim.person_id)["person"]["banned"])
        listed = world.admin.api.ok("GET", "/user/banned")["banned"]
        times = sum(1 for p in listed if p["person"]["id"] == victim.person_id)
        audit.expect(
            times == int(banned), f"{where}: banned={banned}, /user/banned lists them {times}x"
        )
        removed = _removed(world, post_id, comment_id)
        community = world.community_view(world.admin, led)["community_view"]["community"]
        want = banned and remove_data
        audit.expect(
            removed == (want, want) and community["removed"] == want,
            f"{where}: banned={banned} (remove_data={remove_data}), but post and comment "
            f"removed={removed}, their community removed={community['removed']}",
        )
        return banned

    def request(who: Member, value: bool) -> Request:
        body = {
            "person_id": victim.person_id,
            "ban": value,
            "remove_data": remove_data,
            "reason": "concurrency",
        }
        return ("POST", "/user/ban", body)

    async with world.audit(f"POST /user/ban (remove_data={remove_data})") as audit:
        await toggle(world, audit, [world.admin], request, state, shared=True)


async def test_feature_in_community(world: World) -> None:
    community = world.community()
    post_id = world.post(world.members[0], community, "Pin me")
    world.post(world.members[0], community, "Newer")

    def state(who: Member, where: str) -> bool:
        featured = bool(world.post_view(world.admin, post_id)["post"]["featured_community"])
        listed = world.admin.api.ok(
            "GET", "/post/list", community_id=community, sort="New", limit=5
        )["posts"]
        first = listed[0]["post"]["id"] == post_id
        audit.expect(
            first == featured, f"{where}: featured_community={featured}, listed first: {first}"
        )
        return featured

    async with world.audit("POST /post/feature (Community)") as audit:
        await toggle(
            world,
            audit,
            [world.mod, world.admin],
            lambda who, v: (
                "POST",
                "/post/feature",
                {"post_id": post_id, "featured": v, "feature_type": "Community"},
            ),
            state,
            shared=True,
        )


async def test_feature_on_front_page(world: World) -> None:
    """Featured on the site's front page by the admin's requests (and pinned in its
    community by the moderator's at the same time: a column of its own)."""
    community = world.community()
    post_id = world.post(world.members[0], community, "Front page")

    def state(who: Member, where: str) -> bool:
        return bool(world.post_view(world.admin, post_id)["post"]["featured_local"])

    def request(who: Member, value: bool) -> Request:
        kind = "Local" if who is world.admin else "Community"
        return (
            "POST",
            "/post/feature",
            {"post_id": post_id, "featured": value, "feature_type": kind},
        )

    try:
        async with world.audit("POST /post/feature (Local)") as audit:
            await toggle(world, audit, [world.admin, world.mod], request, state, shared=True)
    finally:  # the front page is every test's: leave nothing pinned there
        body = {"post_id": post_id, "featured": False, "feature_type": "Local"}
        world.admin.api.ok("POST", "/post/feature", body)


async def test_lock_post(world: World) -> None:
    """Locks and unlocks while a member keeps commenting: comments are refused only as
    `locked`, and the post counts the comments it has."""
    community = world.community()
    author, commenter = world.members[0], world.members[5]
    post_id = world.post(author, community, "Lock me")

    def state(who: Member, where: str) -> bool:
        thread_counts(world, audit, where, post_id)
        return bool(world.post_view(world.admin, post_id)["post"]["locked"])

    def request(who: Member, value: Any) -> Request:
        if value == "comment":
            return ("POST", "/comment", {"post_id": post_id, "content": "Quick!"}, commenter)
        return ("POST", "/post/lock", {"post_id": post_id, "locked": value})

    async with world.audit("POST /post/lock") as audit:
        await toggle(
            world,
            audit,
            [world.mod, world.admin],
            request,
            state,
            values=(True, False, "comment"),
            targets=(True, False),
            allowed=[E.LOCKED],
            shared=True,
        )


def _post_counts(
    world: World, audit: Audit, where: str, community: int, author: Member, posts: list[int]
) -> None:
    """The community's and the author's post counts, against the posts' own flags."""
    live = 0
    for p in posts:
        post = world.post_view(world.admin, p)["post"]
        live += not post["deleted"] and not post["removed"]
    counts = world.community_view(world.admin, community)["community_view"]["counts"]
    mine = world.person(author.person_id)["counts"]
    audit.expect(
        counts["posts"] == live and mine["post_count"] == live,
        f"{where}: community counts {counts['posts']} posts, the author {mine['post_count']}; "
        f"{live} of {len(posts)} are neither deleted nor removed",
    )


async def test_remove_post(world: World) -> None:
    community = world.community()
    author = await world.new_member("ccrmp")
    posts = [world.post(author, community, f"Post {i}") for i in range(2)]
    target = posts[0]

    def state(who: Member, where: str) -> bool:
        _post_counts(world, audit, where, community, author, posts)
        return bool(world.post_view(world.admin, target)["post"]["removed"])

    async with world.audit("POST /post/remove") as audit:
        await toggle(
            world,
            audit,
            [world.mod, world.admin],
            lambda who, v: (
                "POST",
                "/post/remove",
                {"post_id": target, "removed": v, "reason": "concurrency"},
            ),
            state,
            shared=True,
        )


async def test_delete_post(world: World) -> None:
    """The author deletes and restores while a moderator removes and restores the same
    post: the post counts once, exactly when neither flag is set."""
    community = world.community()
    author = await world.new_member("ccdelp")
    posts = [world.post(author, community, f"Post {i}") for i in range(2)]
    target = posts[0]

    def state(who: Member, where: str) -> bool:
        _post_counts(world, audit, where, community, author, posts)
        return bool(world.post_view(world.admin, target)["post"]["deleted"])

    def request(who: Member, value: Any) -> Request:
        if isinstance(value, tuple):
            body = {"post_id": target, "removed": value[1], "reason": "concurrency"}
            return ("POST", "/post/remove", body, world.mod)
        return ("POST", "/post/delete", {"post_id": target, "deleted": value})

    async with world.audit("POST /post/delete (+ /post/remove)") as audit:
        await toggle(
            world,
            audit,
            [author],
            request,
            state,
            values=(True, ("removed", True), False, ("removed", False)),
            targets=(True, False),
            shared=True,
        )


async def _comment_flags(world: World, route: str, remover: bool) -> None:
    community = world.community()
    author = await world.new_member("cccm")
    post_id = world.post(world.members[0], community, "A thread")
    parent = world.comment(world.members[1], post_id, "Parent")
    target = world.comment(author, post_id, "Target", parent)
    world.comment(world.members[2], post_id, "Below the target", target)
    flag = "removed" if remover else "deleted"

    def state(who: Member, where: str) -> bool:
        thread_counts(world, audit, where, post_id)
        counts = world.community_view(world.admin, community)["community_view"]["counts"]
        post = world.post_view(world.admin, post_id)["counts"]
        audit.expect(
            counts["comments"] == post["comments"],
            f"{where}: the community counts {counts['comments']} comments, its one post "
            f"{post['comments']}",
        )
        return bool(world.comment_view(world.admin, target)["comment"][flag])

    def request(who: Member, value: Any) -> Request:
        if remover or isinstance(value, tuple):
            removed = value[1] if isinstance(value, tuple) else value
            body = {"comment_id": target, "removed": removed, "reason": "concurrency"}
            return ("POST", "/comment/remove", body, who if remover else world.mod)
        return ("POST", "/comment/delete", {"comment_id": target, "deleted": value})

    async with world.audit(route) as audit:
        if remover:
            await toggle(world, audit, [world.mod, world.admin], request, state, shared=True)
        else:
            # A moderator cannot remove or restore a comment its author deleted.
            await toggle(
                world,
                audit,
                [author],
                request,
                state,
                values=(True, ("removed", True), False, ("removed", False)),
                targets=(True, False),
                allowed=[E.COULDNT_UPDATE_COMMENT],
                shared=True,
            )


async def test_remove_comment(world: World) -> None:
    await _comment_flags(world, "POST /comment/remove", remover=True)


async def test_delete_comment(world: World) -> None:
    await _comment_flags(world, "POST /comment/delete (+ /comment/remove)", remover=False)
