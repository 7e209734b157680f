"""Votes at the same moment: POST /post/like and /comment/like, identical and contradicting,
and a thread that grows from many members at once (comments under one parent, new posts in
the community, votes on the post) — every count must match the rows it counts."""

from __future__ import annotations

from typing import Any

from tests.concurrency.burst import burst
from tests.concurrency.checks import (
    alternate,
    counted,
    mix,
    next_target,
    ok_bodies,
    thread_counts,
    votes,
)
from tests.concurrency.world import ROUNDS, N, World

SCORES = (1, -1, 0)
# The two scores a contradicting burst mixes, per round (so one outcome is ruled out).
CONTRADICTING = ((1, -1), (0, 1), (-1, 0))


async def _like(world: World, kind: str) -> None:
    author, a, b = world.members[:3]
    community = world.community()
    post_id = world.post(author, community, f"Votes on a {kind}")
    item_id = post_id if kind == "post" else world.comment(author, post_id, "Vote on me")
    voters = [author, a, b]
    path = f"/{kind}/like"
    async with world.audit(f"POST {path}") as audit:
        current = 0
        for r in range(ROUNDS):
            target = next_target(current, SCORES)
            body = {f"{kind}_id": item_id, "score": target}
            answers = await burst(mix(*(world.same(v, "POST", path, body) for v in (a, b))))
            where = f"round {r} identical score={target}"
            audit.answers(where, answers)
            for _call, data in ok_bodies(answers):
                shown = int(data[f"{kind}_view"].get("my_vote") or 0)
                audit.expect(
                    shown == target, f"{where}: a 200 answer shows my_vote={shown}, not {target}"
                )
            mine = votes(world, audit, where, kind, item_id, voters)
            audit.expect(
                mine[a.person_id] == mine[b.person_id] == target,
                f"{where}: my_vote {mine} after identical votes of {target}",
            )

            options = CONTRADICTING[r]
            groups = [
                world.calls(
                    v,
                    "POST",
                    path,
                    [{f"{kind}_id": item_id, "score": s} for s in alternate(options, N, k)],
                )
                for k, v in enumerate((a, b))
            ]
            where = f"round {r} contradicting scores {options}"
            audit.answers(where, await burst(mix(*groups)))
            mine = votes(world, audit, where, kind, item_id, voters)
            audit.expect(
                mine[a.person_id] in options and mine[b.person_id] in options,
                f"{where}: my_vote {mine} is none of the scores sent",
            )
            current = mine[a.person_id]


async def test_post_like(world: World) -> None:
    await _like(world, "post")


async def test_comment_like(world: World) -> None:
    await _like(world, "comment")


async def test_thread_grows_at_once(world: World) -> None:
    """Eight members at once: each replies under the same parent, votes on the post and
    writes a new post in the community (identical); then each deletes or restores their
    reply, replies again one level deeper and changes their vote (contradicting)."""
    author, members = world.members[0], world.members
    community = world.community()
    post_id = world.post(author, community, "A busy thread")
    parent = world.comment(author, post_id, "Reply here")
    posts_made = 1
    mine: dict[int, int] = {}  # each member's latest reply
    async with world.audit("POST /comment + POST /post + POST /post/like, one thread") as audit:
        for r in range(ROUNDS):
            reply = [
                world.calls(
                    m,
                    "POST",
                    "/comment",
                    [
                        {
                            "post_id": post_id,
                            "parent_id": parent,
                            "content": f"reply {r} by {m.name}",
                        }
                    ],
                )
                for m in members
            ]
            like = [
                world.calls(m, "POST", "/post/like", [{"post_id": post_id, "score": 1}])
                for m in members
            ]
            write = [
                world.calls(m, "POST", "/post", [{"name": f"Post {r}", "community_id": community}])
                for m in members
            ]
            answers = await burst(mix(*reply, *like, *write))
            where = f"round {r} all at once"
            audit.answers(where, answers)
            for call, data in ok_bodies(answers):
                if call.path == "/post":
                    posts_made += 1
                elif call.path == "/comment":
                    mine[int(data["comment_view"]["creator"]["id"])] = int(
                        data["comment_view"]["comment"]["id"]
                    )
            _check_thread(world, audit, where, post_id, community, posts_made)

            groups: list[list[Any]] = []
            for k, m in enumerate(members):
                own = mine.get(m.person_id)
                groups.append(
                    world.calls(
                        m, "POST", "/comment/delete", [{"comment_id": own, "deleted": k % 2 == 0}]
                    )
                    if own is not None
                    else []
                )
                groups.append(
                    world.calls(
                        m,
                        "POST",
                        "/comment",
                        [
                            {
                                "post_id": post_id,
                                "parent_id": own or parent,
                                "content": f"deeper {r}",
                            }
                        ],
                    )
                )
                groups.append(
                    world.calls(
                        m,
                        "POST",
                        "/post/like",
                        [{"post_id": post_id, "score": SCORES[(k + r) % 3]}],
                    )
                )
            answers = await burst(mix(*groups))
            where = f"round {r} contradicting"
            audit.answers(where, answers)
            _check_thread(world, audit, where, post_id, community, posts_made)
            votes(world, audit, where, "post", post_id, members)


def _check_thread(
    world: World, audit: Any, where: str, post_id: int, community: int, posts: int
) -> None:
    thread = thread_counts(world, audit, where, post_id)
    counts = world.community_view(world.admin, community)["community_view"]["counts"]
    live = sum(1 for c in thread if counted(c))
    audit.expect(
        counts["posts"] == posts and counts["comments"] == live,
        f"{where}: community counts {counts['posts']} posts and {counts['comments']} comments; "
        f"{posts} posts were made and {live} comments count",
    )
