"""Purges at the same moment: POST /admin/purge/post, /admin/purge/comment,
/admin/purge/person, /admin/purge/community. N identical purges take the thing once (a
purge after it answers Lemmy's `couldnt_find_*`); purges mixed with people still voting,
commenting, following and reporting on the thing end with it gone and every count right
for what is left."""

from __future__ import annotations

from typing import Any

from moot.errors import ErrorCode as E
from tests.concurrency.burst import Answer, Call, burst
from tests.concurrency.checks import counted, thread_counts, votes
from tests.concurrency.world import ROUNDS, Audit, Member, World

GONE = {
    "post": (E.COULDNT_FIND_POST, "/post"),
    "comment": (E.COULDNT_FIND_COMMENT, "/comment"),
    "person": (E.COULDNT_FIND_PERSON, "/user"),
    "community": (E.COULDNT_FIND_COMMUNITY, "/community"),
}


def _gone(world: World, audit: Audit, where: str, kind: str, item_id: int) -> None:
    code, path = GONE[kind]
    key = "person_id" if kind == "person" else "id"
    response = world.admin.api.get(path, **{key: item_id})
    audit.expect(
        response.status_code == 404 and response.json().get("error") == code,
        f"{where}: after the purge, GET {path} answers {response.status_code} "
        f"{response.text[:120]}",
    )


def _purged(audit: Audit, where: str, answers: list[Answer], path: str) -> None:
    """At least one purge did it (the others may find nothing left)."""
    done = sum(1 for a in answers if a.call.path == path and a.status == 200)
    audit.expect(done >= 1, f"{where}: none of the purges answered 200")


def _community_counts(
    world: World, audit: Audit, where: str, community: int, posts: list[int]
) -> None:
    """The community's post and comment counts, against its posts still there."""
    live_posts = live_comments = 0
    for p in posts:
        response = world.admin.api.get("/post", id=p)
        if response.status_code != 200:
            continue
        view = response.json()["post_view"]
        live_posts += not view["post"]["deleted"] and not view["post"]["removed"]
        live_comments += sum(1 for c in thread_counts(world, audit, where, p) if counted(c))
    counts = world.community_view(world.admin, community)["community_view"]["counts"]
    audit.expect(
        (counts["posts"], counts["comments"]) == (live_posts, live_comments),
        f"{where}: the community counts {counts['posts']} posts and {counts['comments']} "
        f"comments; {live_posts} and {live_comments} are there",
    )


async def _setup_post(world: World, community: int) -> tuple[int, int]:
    """A post with a comment, a reply and votes on both."""
    a, b, c = world.members[0:3]
    post_id = world.post(a, community, "Purge me")
    comment_id = world.comment(b, post_id, "On it")
    world.comment(c, post_id, "Below", comment_id)
    b.api.ok("POST", "/post/like", {"post_id": post_id, "score": 1})
    c.api.ok("POST", "/comment/like", {"comment_id": comment_id, "score": -1})
    return post_id, comment_id


def _busy(world: World, post_id: int, comment_id: int, *, remove: str = "post") -> list[Call]:
    """Members still at work on the post and its comment, and a moderator removing the
    post or the comment (N requests)."""
    b, c, d = world.members[1:4]
    removal = (
        ("/post/remove", {"post_id": post_id, "removed": True})
        if remove == "post"
        else ("/comment/remove", {"comment_id": comment_id, "removed": True})
    )
    return [
        *world.calls(b, "POST", "/post/like", [{"post_id": post_id, "score": -1}]),
        *world.calls(c, "POST", "/comment/like", [{"comment_id": comment_id, "score": 1}]),
        *world.calls(d, "POST", "/comment", [{"post_id": post_id, "content": "late"}]),
        *world.calls(
            d, "POST", "/comment", [{"post_id": post_id, "parent_id": comment_id, "content": "x"}]
        ),
        *world.calls(b, "PUT", "/post/save", [{"post_id": post_id, "save": True}]),
        *world.calls(c, "POST", "/post/report", [{"post_id": post_id, "reason": "purge it"}]),
        *world.calls(world.mod, "POST", removal[0], [removal[1]]),
        *world.calls(d, "POST", "/comment/report", [{"comment_id": comment_id, "reason": "x"}]),
    ]


def among(busy: list[Call], purges: list[Call]) -> list[Call]:
    """The purges sent amid the other requests (after a third and two thirds of them), so
    some of those are done before a purge and some after."""
    third = len(busy) // 3
    return [*busy[:third], purges[0], *busy[third : 2 * third], *purges[1:], *busy[2 * third :]]


# What Lemmy answers a request that comes after the purge (the item is gone) or after the
# moderator's removal in the same burst (a reply to a removed post: `deleted`).
LATE = [E.COULDNT_FIND_POST, E.COULDNT_FIND_COMMENT, E.COULDNT_CREATE_REPORT, E.DELETED]


async def test_purge_post(world: World) -> None:
    community = world.community()
    keep, _ = await _setup_post(world, community)  # the purged posts' neighbour
    path = "/admin/purge/post"
    async with world.audit(f"POST {path}") as audit:
        for r in range(ROUNDS):
            post_id, _ = await _setup_post(world, community)
            answers = await burst(world.same(world.admin, "POST", path, {"post_id": post_id}))
            where = f"round {r} identical"
            audit.answers(where, answers, [E.COULDNT_FIND_POST])
            _purged(audit, where, answers, path)
            _gone(world, audit, where, "post", post_id)
            _community_counts(world, audit, where, community, [keep])

            post_id, comment_id = await _setup_post(world, community)
            purges = world.calls(world.admin, "POST", path, [{"post_id": post_id}] * 2)
            answers = await burst(among(_busy(world, post_id, comment_id), purges))
            where = f"round {r} purge while busy"
            audit.answers(where, answers, LATE)
            _purged(audit, where, answers, path)
            _gone(world, audit, where, "post", post_id)
            _community_counts(world, audit, where, community, [keep])


async def test_purge_comment(world: World) -> None:
    community = world.community()
    path = "/admin/purge/comment"
    async with world.audit(f"POST {path}") as audit:
        for r in range(ROUNDS):
            post_id, comment_id = await _setup_post(world, community)
            body = {"comment_id": comment_id}
            answers = await burst(world.same(world.admin, "POST", path, body))
            where = f"round {r} identical"
            audit.answers(where, answers, [E.COULDNT_FIND_COMMENT])
            _purged(audit, where, answers, path)
            _gone(world, audit, where, "comment", comment_id)
            thread_counts(world, audit, where, post_id)
            votes(world, audit, where, "post", post_id, world.members[:4])

            post_id, comment_id = await _setup_post(world, community)
            body = {"comment_id": comment_id}
            purges = world.calls(world.admin, "POST", path, [body] * 2)
            busy = _busy(world, post_id, comment_id, remove="comment")
            answers = await burst(among(busy, purges))
            where = f"round {r} purge while busy"
            audit.answers(where, answers, LATE)
            _purged(audit, where, answers, path)
            _gone(world, audit, where, "comment", comment_id)
            thread_counts(world, audit, where, post_id)


async def _victim(world: World, community: int, post_id: int, comment_id: int) -> Member:
    """A member who wrote a post and a comment, voted, and follows the community."""
    victim = await world.new_member("ccpurge")
    victim.api.ok("POST", "/community/follow", {"community_id": community, "follow": True})
    own = world.post(victim, community, "Mine")
    world.comment(world.members[1], own, "On the victim's post")
    world.comment(victim, post_id, "Victim's reply", comment_id)
    victim.api.ok("POST", "/post/like", {"post_id": post_id, "score": -1})
    victim.api.ok("POST", "/comment/like", {"comment_id": comment_id, "score": -1})
    return victim


def _after_person(
    world: World, audit: Audit, where: str, community: int, post_id: int, comment_id: int
) -> None:
    voters = world.members[:4]
    votes(world, audit, where, "post", post_id, voters)
    votes(world, audit, where, "comment", comment_id, voters)
    thread_counts(world, audit, where, post_id)
    counts = world.community_view(world.admin, community)["community_view"]["counts"]
    audit.expect(  # its moderator, who made it; the purged followers are gone
        counts["subscribers"] == 1,
        f"{where}: {counts['subscribers']} subscribers, only its moderator is left",
    )


async def test_purge_person(world: World) -> None:
    community = world.community()
    post_id, comment_id = await _setup_post(world, community)
    path = "/admin/purge/person"
    async with world.audit(f"POST {path}") as audit:
        for r in range(ROUNDS):
            victim = await _victim(world, community, post_id, comment_id)
            body = {"person_id": victim.person_id}
            answers = await burst(world.same(world.admin, "POST", path, body))
            where = f"round {r} identical"
            audit.answers(where, answers, [E.COULDNT_FIND_PERSON])
            _purged(audit, where, answers, path)
            _gone(world, audit, where, "person", victim.person_id)
            _after_person(world, audit, where, community, post_id, comment_id)

            victim = await _victim(world, community, post_id, comment_id)
            body = {"person_id": victim.person_id}
            own: list[tuple[str, dict[str, Any]]] = [
                ("/post/like", {"post_id": post_id, "score": 1}),
                ("/comment/like", {"comment_id": comment_id, "score": 1}),
                ("/comment", {"post_id": post_id, "content": "still here"}),
                ("/community/follow", {"community_id": community, "follow": False}),
                ("/post", {"name": "One more", "community_id": community}),
                ("/comment", {"post_id": post_id, "parent_id": comment_id, "content": "again"}),
            ]
            acting = [c for p, b in own for c in world.calls(victim, "POST", p, [b])]
            purges = world.calls(world.admin, "POST", path, [body] * 2)
            answers = await burst(among(acting, purges))
            where = f"round {r} purge while they act"
            # Their requests after the purge: their login is gone with them.
            audit.answers(where, answers, [E.COULDNT_FIND_PERSON, E.INCORRECT_LOGIN])
            _purged(audit, where, answers, path)
            _gone(world, audit, where, "person", victim.person_id)
            _after_person(world, audit, where, community, post_id, comment_id)


async def test_purge_community(world: World) -> None:
    path = "/admin/purge/community"
    async with world.audit(f"POST {path}") as audit:
        for r in range(ROUNDS):
            for busy in (False, True):
                community = world.community()
                post_id, comment_id = await _setup_post(world, community)
                for m in world.members[1:3]:
                    m.api.ok(
                        "POST", "/community/follow", {"community_id": community, "follow": True}
                    )
                body = {"community_id": community}
                if busy:
                    others: list[Call] = [
                        *_busy(world, post_id, comment_id)[:6],
                        *world.calls(
                            world.members[4],
                            "POST",
                            "/community/follow",
                            [{"community_id": community, "follow": True}],
                        ),
                        *world.calls(
                            world.members[5],
                            "POST",
                            "/post",
                            [{"name": "Late", "community_id": community}],
                        ),
                    ]
                    calls = among(others, world.calls(world.admin, "POST", path, [body] * 2))
                else:
                    calls = world.same(world.admin, "POST", path, body)
                answers = await burst(calls)
                where = f"round {r} {'purge while busy' if busy else 'identical'}"
                audit.answers(
                    where,
                    answers,
                    [E.COULDNT_FIND_COMMUNITY, *LATE] if busy else [E.COULDNT_FIND_COMMUNITY],
                )
                _purged(audit, where, answers, path)
                _gone(world, audit, where, "community", community)
                for m in world.members[1:6]:
                    follows = [
                        f for f in world.my_user(m)["follows"] if f["community"]["id"] == community
                    ]
                    audit.expect(not follows, f"{where}: {m.name} still follows it")
