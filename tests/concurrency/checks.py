"""State checks shared by the route tests: what the API shows must add up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import zip_longest
from typing import Any

from tests.concurrency.burst import Answer, Call, burst
from tests.concurrency.world import ROUNDS, Audit, Member, N, World


def mix(*groups: Sequence[Call]) -> list[Call]:
    """The groups' requests interleaved (a1, b1, a2, b2, …), so they reach the server mixed."""
    return [c for row in zip_longest(*groups) for c in row if c is not None]


def alternate(values: Sequence[Any], n: int, shift: int = 0) -> list[Any]:
    """n values taking turns: alternate((True, False), 4) == [True, False, True, False]."""
    return [values[(i + shift) % len(values)] for i in range(n)]


def next_target(current: Any, choices: Sequence[Any]) -> Any:
    """The first choice that changes the current state (an identical burst must do work)."""
    return next(c for c in choices if c != current)


def ok_bodies(answers: Iterable[Answer]) -> list[tuple[Call, Any]]:
    return [(a.call, a.data) for a in answers if a.status == 200]


def votes(
    world: World, audit: Audit, where: str, kind: str, item_id: int, voters: Sequence[Member]
) -> dict[int, int]:
    """Each voter's vote on the post or comment as their GET shows it (`my_vote`), checked
    against the item's counts and against the stored votes (the moderators' like list):
    exactly one vote row per voter who has a vote, with that score."""
    mine: dict[int, int] = {}
    counts: dict[str, Any] = {}
    for v in voters:
        view = world.post_view(v, item_id) if kind == "post" else world.comment_view(v, item_id)
        mine[v.person_id] = int(view.get("my_vote") or 0)
        counts = view["counts"]
    scores = list(mine.values())
    expected = {
        "score": sum(scores),
        "upvotes": scores.count(1),
        "downvotes": scores.count(-1),
    }
    shown = {k: counts[k] for k in expected}
    audit.expect(
        shown == expected,
        f"{where}: {kind} {item_id} counts {shown}, but its voters' my_vote {mine} add up to "
        f"{expected}",
    )
    query: dict[str, Any] = {f"{kind}_id": item_id, "limit": 50}
    listed = world.admin.api.ok("GET", f"/{kind}/like/list", **query)[f"{kind}_likes"]
    rows = Counter(int(like["creator"]["id"]) for like in listed)
    audit.expect(
        all(n == 1 for n in rows.values()),
        f"{where}: {kind} {item_id} has several vote rows for one person: {dict(rows)}",
    )
    stored = {int(like["creator"]["id"]): int(like["score"]) for like in listed}
    audit.expect(
        stored == {p: s for p, s in mine.items() if s},
        f"{where}: {kind} {item_id} stored votes {stored} differ from my_vote {mine}",
    )
    return mine


def counted(comment: dict[str, Any]) -> bool:
    return not comment["comment"]["deleted"] and not comment["comment"]["removed"]


def thread_counts(world: World, audit: Audit, where: str, post_id: int) -> list[dict[str, Any]]:
    """The post's comment count and every comment's child count, against the listed thread
    (counting, as Lemmy does, comments neither deleted nor removed)."""
    thread = world.thread(post_id)
    live = [c for c in thread if counted(c)]
    post = world.post_view(world.admin, post_id)
    audit.expect(
        post["counts"]["comments"] == len(live),
        f"{where}: post {post_id} counts {post['counts']['comments']} comments, "
        f"{len(live)} of its {len(thread)} listed comments count",
    )
    for c in thread:
        path = c["comment"]["path"]
        below = sum(1 for d in live if d["comment"]["path"].startswith(path + "."))
        audit.expect(
            c["counts"]["child_count"] == below,
            f"{where}: comment {c['comment']['id']} child_count {c['counts']['child_count']}, "
            f"but {below} counted comments below it",
        )
    return thread


def subscribers(
    world: World, audit: Audit, where: str, community_id: int, people: Sequence[Member]
) -> dict[int, str]:
    """Each person's `subscribed` to the community, against its subscriber count and each
    person's follow list (one entry for a follow, none otherwise). Only `people` may follow."""
    states: dict[int, str] = {}
    for p in people:
        states[p.person_id] = world.community_view(p, community_id)["community_view"]["subscribed"]
        follows = [
            f for f in world.my_user(p)["follows"] if int(f["community"]["id"]) == community_id
        ]
        want = 0 if states[p.person_id] == "NotSubscribed" else 1
        audit.expect(
            len(follows) == want,
            f"{where}: person {p.person_id} is {states[p.person_id]} but their follows list the "
            f"community {len(follows)} times",
        )
    counts = world.community_view(world.admin, community_id)["community_view"]["counts"]
    following = sum(1 for s in states.values() if s != "NotSubscribed")
    audit.expect(
        counts["subscribers"] == following and counts["subscribers_local"] == following,
        f"{where}: community {community_id} counts {counts['subscribers']} subscribers "
        f"({counts['subscribers_local']} local), {following} people follow it: {states}",
    )
    return states


# method, path, body; and the sender, when it is not the member `toggle` asks for.
Request = tuple[str, str, dict[str, Any]] | tuple[str, str, dict[str, Any], Member]


def _calls(world: World, sender: Member, req: Request, n: int) -> list[Call]:
    who = req[3] if len(req) == 4 else sender
    return world.calls(who, req[0], req[1], [req[2]] * n)


async def toggle(
    world: World,
    audit: Audit,
    senders: Sequence[Member],
    request: Callable[[Member, Any], Request],
    state: Callable[[Member, str], Any],
    values: Sequence[Any] = (True, False),
    allowed: Sequence[str] = (),
    targets: Sequence[Any] | None = None,
    identical: Callable[[str, Any, list[Answer]], None] | None = None,
    shared: bool = False,
) -> None:
    """The rounds of a route that sets a state: an identical burst (to a value that changes
    the state), then a contradicting one (the values taking turns); after each, the state
    (`state`, which checks its own consistency) must be one request's outcome: the value
    sent, or one of those sent.

    Each sender's own state (a save, a follow): N requests per sender, and each sender's
    state checked. A `shared` state (a post's lock, a person's ban): N requests in all,
    from the senders in turn, and the state read once.
    `targets`: the values an identical burst may send, when not all `values` are states;
    `identical`: a further check of an identical burst's answers."""
    who = senders[:1] if shared else senders

    def ends(where: str) -> list[tuple[Member, Any]]:
        return [(s, state(s, where)) for s in who]

    def one(sender: Member, value: Any) -> list[Call]:
        return _calls(world, sender, request(sender, value), 1)

    def burst_of(sent: list[list[Any]]) -> list[Call]:
        """The calls sending `sent[k]`'s values from sender k (shared: `sent[0]`'s values,
        from the senders in turn)."""
        if shared:  # N in all
            turns = [senders[i % len(senders)] for i in range(N)]
            return [c for s, v in zip(turns, sent[0], strict=True) for c in one(s, v)]
        return mix(*([c for v in sent[k] for c in one(s, v)] for k, s in enumerate(senders)))

    current = ends("before")[0][1]
    for r in range(ROUNDS):
        target = next_target(current, targets or values)
        where = f"round {r} identical {target!r}"
        answers = await burst(burst_of([[target] * N for _ in senders]))
        audit.answers(where, answers, allowed)
        if identical is not None:
            identical(where, target, answers)
        for s, now in ends(where):
            audit.expect(now == target, f"{where}: ends with {now!r} ({s.name})")
        where = f"round {r} contradicting {tuple(values)!r}"
        answers = await burst(burst_of([alternate(values, N, k) for k in range(len(senders))]))
        audit.answers(where, answers, allowed)
        found = ends(where)
        for s, now in found:
            audit.expect(now in values, f"{where}: ends with {now!r} ({s.name}), sent none")
        current = found[0][1]
