"""Private messages and notices at the same moment: POST /private_message (create),
PUT /private_message (edit), POST /private_message/delete, /private_message/mark_as_read,
POST /comment/mark_as_read (a reply), /user/mention/mark_as_read, /user/mark_all_as_read.
Every message sent is there once; each flag ends as one request left it; the unread counts
(GET /user/unread_count) match the unread items listed."""

from __future__ import annotations

from typing import Any

from tests.concurrency.burst import burst
from tests.concurrency.checks import mix, toggle
from tests.concurrency.world import ROUNDS, Audit, Member, N, World


def _messages(who: Member, **params: Any) -> list[dict[str, Any]]:
    listed = who.api.ok("GET", "/private_message/list", limit=50, **params)["private_messages"]
    assert len(listed) < 50, "more messages than a page: the test counts them wrong"
    return [v["private_message"] for v in listed]


def _unread(world: World, audit: Audit, where: str, who: Member) -> dict[str, int]:
    """The unread counts, each checked against the unread items of its list."""
    counts = who.api.ok("GET", "/user/unread_count")
    listed = {
        "private_messages": sum(
            1 for m in _messages(who) if not m["read"] and m["recipient_id"] == who.person_id
        ),
        "replies": sum(
            1
            for r in who.api.ok("GET", "/user/replies", limit=50)["replies"]
            if not r["comment_reply"]["read"]
        ),
        "mentions": sum(
            1
            for r in who.api.ok("GET", "/user/mention", limit=50)["mentions"]
            if not r["person_mention"]["read"]
        ),
    }
    shown = {k: int(counts[k]) for k in listed}
    audit.expect(shown == listed, f"{where}: {who.name}'s unread_count {shown}, lists {listed}")
    return listed


def _pair(world: World) -> tuple[Member, Member]:
    return world.members[6], world.members[7]


async def test_send_messages(world: World) -> None:
    """Messages are not idempotent: each request that succeeded is one message, listed once
    to both sides; two people writing to each other at once keep their counts apart."""
    a, b = await world.new_member("ccpma"), await world.new_member("ccpmb")
    sent = {a.person_id: 0, b.person_id: 0}

    def check(where: str) -> None:
        for who in (a, b):
            ids = [m["id"] for m in _messages(who)]
            audit.expect(len(ids) == len(set(ids)), f"{where}: a message listed twice: {ids}")
            by = {p: sum(1 for m in _messages(who) if m["creator_id"] == p) for p in sent}
            audit.expect(by == sent, f"{where}: {who.name} lists {by}, sent {sent}")
        _unread(world, audit, where, b)

    async with world.audit("POST /private_message") as audit:
        for r in range(ROUNDS):
            body = {"recipient_id": b.person_id, "content": f"Hello {r}"}
            answers = await burst(world.same(a, "POST", "/private_message", body))
            audit.answers(f"round {r} identical", answers)
            sent[a.person_id] += sum(1 for x in answers if x.status == 200)
            check(f"round {r} identical")
            back = {"recipient_id": a.person_id, "content": f"Hi back {r}"}
            answers = await burst(
                mix(
                    world.calls(a, "POST", "/private_message", [body] * (N // 2)),
                    world.calls(b, "POST", "/private_message", [back] * (N // 2)),
                )
            )
            audit.answers(f"round {r} both ways", answers)
            for x in answers:
                if x.status == 200:
                    sent[a.person_id if x.call.who == a.name else b.person_id] += 1
            check(f"round {r} both ways")


async def test_edit_message(world: World) -> None:
    a, b = _pair(world)
    sent = a.api.ok("POST", "/private_message", {"recipient_id": b.person_id, "content": "v0"})
    message_id = int(sent["private_message_view"]["private_message"]["id"])

    def state(who: Member, where: str) -> str:
        shown = [m for m in _messages(b) if m["id"] == message_id]
        audit.expect(len(shown) == 1, f"{where}: the message is listed {len(shown)} times")
        return str(shown[0]["content"]) if shown else ""

    async with world.audit("PUT /private_message") as audit:
        await toggle(
            world,
            audit,
            [a],
            lambda who, v: (
                "PUT",
                "/private_message",
                {"private_message_id": message_id, "content": v},
            ),
            state,
            values=[f"version {i}" for i in range(1, N + 1)],
        )


async def test_delete_message(world: World) -> None:
    a, b = _pair(world)
    sent = a.api.ok("POST", "/private_message", {"recipient_id": b.person_id, "content": "Oops"})
    message_id = int(sent["private_message_view"]["private_message"]["id"])

    def state(who: Member, where: str) -> bool:
        # Lemmy lists no deleted message: gone from both sides, or on both once.
        seen = [sum(1 for m in _messages(p) if m["id"] == message_id) for p in (a, b)]
        audit.expect(
            seen in ([0, 0], [1, 1]), f"{where}: the sender and recipient list it {seen} times"
        )
        return seen[0] == 0

    async with world.audit("POST /private_message/delete") as audit:
        await toggle(
            world,
            audit,
            [a],
            lambda who, v: (
                "POST",
                "/private_message/delete",
                {"private_message_id": message_id, "deleted": v},
            ),
            state,
        )


async def test_mark_message_read(world: World) -> None:
    a, b = _pair(world)
    sent = a.api.ok("POST", "/private_message", {"recipient_id": b.person_id, "content": "Read"})
    message_id = int(sent["private_message_view"]["private_message"]["id"])

    def state(who: Member, where: str) -> bool:
        _unread(world, audit, where, b)
        return bool(next(m["read"] for m in _messages(b) if m["id"] == message_id))

    async with world.audit("POST /private_message/mark_as_read") as audit:
        await toggle(
            world,
            audit,
            [b],
            lambda who, v: (
                "POST",
                "/private_message/mark_as_read",
                {"private_message_id": message_id, "read": v},
            ),
            state,
        )


async def _notice_read(world: World, kind: str) -> None:
    """A reply to (or a mention of) the recipient, marked read and unread."""
    recipient = await world.new_member("ccnote")
    writer = world.members[0]
    post_id = world.post(recipient, world.community(), "Talk to me")
    host = world.server.hostname
    text = f"Hey @{recipient.name}@{host}" if kind == "mention" else "A reply"
    where_to = recipient if kind == "reply" else writer
    on = world.post(where_to, world.community(), "Elsewhere") if kind == "mention" else post_id
    world.comment(writer, on, text)
    route, key, listing = {
        "reply": ("/comment/mark_as_read", "comment_reply", "replies"),
        "mention": ("/user/mention/mark_as_read", "person_mention", "mentions"),
    }[kind]
    notices = recipient.api.ok("GET", f"/user/{'replies' if kind == 'reply' else 'mention'}")
    notice_id = int(notices[listing][0][key]["id"])

    def state(who: Member, where: str) -> bool:
        counts = _unread(world, audit, where, recipient)
        audit.expect(counts[listing] <= 1, f"{where}: {counts[listing]} unread {listing}")
        return counts[listing] == 0

    async with world.audit(f"POST {route}") as audit:
        await toggle(
            world,
            audit,
            [recipient],
            lambda who, v: ("POST", route, {f"{key}_id": notice_id, "read": v}),
            state,
        )


async def test_mark_reply_read(world: World) -> None:
    await _notice_read(world, "reply")


async def test_mark_mention_read(world: World) -> None:
    await _notice_read(world, "mention")


async def test_mark_all_read(world: World) -> None:
    """Mark everything read, N times at once; then again while a reply, a mention and a
    message arrive and a reply is marked unread: the counts match the lists throughout."""
    me = await world.new_member("ccall")
    writer = world.members[0]
    community = world.community()
    post_id = world.post(me, community, "Notify me")
    host = world.server.hostname

    def news(r: int) -> list[tuple[str, str, dict[str, Any], Member]]:
        return [
            ("POST", "/comment", {"post_id": post_id, "content": f"reply {r}"}, writer),
            ("POST", "/comment", {"post_id": post_id, "content": f"@{me.name}@{host} {r}"}, writer),
            (
                "POST",
                "/private_message",
                {"recipient_id": me.person_id, "content": f"pm {r}"},
                writer,
            ),
        ]

    async with world.audit("POST /user/mark_all_as_read") as audit:
        for r in range(ROUNDS):
            for method, path, body, who in news(r):
                who.api.ok(method, path, body)
            answers = await burst(world.same(me, "POST", "/user/mark_all_as_read", {}))
            where = f"round {r} identical"
            audit.answers(where, answers)
            counts = _unread(world, audit, where, me)
            audit.expect(not any(counts.values()), f"{where}: still unread {counts}")

            replies = me.api.ok("GET", "/user/replies", limit=1)["replies"]
            unmark = {"comment_reply_id": replies[0]["comment_reply"]["id"], "read": False}
            arrivals = [
                c
                for method, path, body, who in news(r + 10)
                for c in world.calls(who, method, path, [body])
            ]
            calls = mix(
                world.calls(me, "POST", "/user/mark_all_as_read", [{}] * (N // 2)),
                world.calls(me, "POST", "/comment/mark_as_read", [unmark] * (N // 2)),
                arrivals,
            )
            where = f"round {r} contradicting"
            audit.answers(where, await burst(calls))
            _unread(world, audit, where, me)
