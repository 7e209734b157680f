"""API v4's write routes at the same moment as each other and as their v3 namesakes: the
same member votes, saves and follows through both generations at once, identical and
contradicting. Every answer is a 200 or a clear refusal, the state is one of the requests
sent, and `moot admin recount` finds nothing to correct (`World.audit`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from tests.concurrency.burst import Call, burst
from tests.concurrency.checks import mix, votes
from tests.concurrency.world import ROUNDS, Member, N, World

# v4's vote (`is_upvote`, absent: taken back) beside v3's score for the same outcome.
V4_VOTES: tuple[dict[str, Any], ...] = ({"is_upvote": True}, {"is_upvote": False}, {})
V3_SCORES = (1, -1, 0)


def _v4(calls: list[Call]) -> list[Call]:
    return [replace(c, base=c.base.replace("/api/v3", "/api/v4")) for c in calls]


def _both(
    world: World, who: Member, path: str, v3: dict[str, Any], v4: dict[str, Any]
) -> list[Call]:
    """N requests by `who` of one outcome, half through v3 and half through v4, mixed."""
    half = N // 2
    return mix(
        world.calls(who, "POST", path, [v3] * half),
        _v4(world.calls(who, "POST", path, [v4] * half)),
    )


async def _votes(world: World, kind: str) -> None:
    author, a, b = world.members[:3]
    post_id = world.post(author, world.community(), f"v4 votes on a {kind}")
    item_id = post_id if kind == "post" else world.comment(author, post_id, "Vote on me")
    key, path = f"{kind}_id", f"/{kind}/like"
    async with world.audit(f"POST {path} (v3 and v4)") as audit:
        for r in range(ROUNDS):
            # Identical: a and b each send one outcome through both generations.
            outcome = r % len(V3_SCORES)
            bodies = (
                {key: item_id, "score": V3_SCORES[outcome]},
                {key: item_id, **V4_VOTES[outcome]},
            )
            answers = await burst(mix(*(_both(world, v, path, *bodies) for v in (a, b))))
            where = f"round {r} identical {V3_SCORES[outcome]}"
            audit.answers(where, answers)
            mine = votes(world, audit, where, kind, item_id, [author, a, b])
            audit.expect(
                mine[a.person_id] == mine[b.person_id] == V3_SCORES[outcome],
                f"{where}: my_vote {mine}",
            )
            # Contradicting: v3 says one thing, v4 another, from the same member at once.
            up, down = {key: item_id, "score": 1}, {key: item_id, "is_upvote": False}
            answers = await burst(mix(*(_both(world, v, path, up, down) for v in (a, b))))
            where = f"round {r} contradicting"
            audit.answers(where, answers)
            mine = votes(world, audit, where, kind, item_id, [author, a, b])
            audit.expect(
                mine[a.person_id] in (1, -1) and mine[b.person_id] in (1, -1),
                f"{where}: my_vote {mine} is neither vote sent",
            )


async def test_post_votes_through_both_generations(world: World) -> None:
    await _votes(world, "post")


async def test_comment_votes_through_both_generations(world: World) -> None:
    await _votes(world, "comment")


async def test_save_and_follow_through_both_generations(world: World) -> None:
    author, a = world.members[:2]
    community = world.community()
    post_id = world.post(author, community, "v4 saves")
    async with world.audit("PUT /post/save and POST /community/follow (v3 and v4)") as audit:
        for r in range(ROUNDS):
            save = r % 2 == 0
            body = {"post_id": post_id, "save": save}
            calls = mix(
                world.calls(a, "PUT", "/post/save", [body] * (N // 2)),
                _v4(world.calls(a, "PUT", "/post/save", [body] * (N // 2))),
            )
            follow = {"community_id": community, "follow": save}
            calls += mix(
                world.calls(a, "POST", "/community/follow", [follow] * (N // 2)),
                _v4(world.calls(a, "POST", "/community/follow", [follow] * (N // 2))),
            )
            where = f"round {r} save/follow={save}"
            audit.answers(where, await burst(calls))
            audit.expect(
                bool(world.post_view(a, post_id)["saved"]) is save, f"{where}: saved differs"
            )
            view = world.community_view(a, community)["community_view"]
            audit.expect(
                (view["subscribed"] == "Subscribed") is save,
                f"{where}: subscribed is {view['subscribed']}",
            )


async def test_post_changes_through_both_generations(world: World) -> None:
    """Deleting, hiding and locking a post through v3 and v4 at once, contradicting: the
    answers are 200s or clear refusals, the post's comment count stands, and its counters
    recount to themselves."""
    author, a = world.members[:2]
    community = world.community(author)
    post_id = world.post(author, community, "v4 changes")
    world.comment(a, post_id, "a comment to count")
    async with world.audit("DELETE /post, POST /post/hide and /post/lock (v3 and v4)") as audit:
        for r in range(ROUNDS):
            v3_calls = [
                *world.calls(
                    author, "POST", "/post/delete", [{"post_id": post_id, "deleted": True}] * 2
                ),
                *world.calls(a, "POST", "/post/hide", [{"post_ids": [post_id], "hide": True}] * 2),
                *world.calls(
                    author, "POST", "/post/lock", [{"post_id": post_id, "locked": True}] * 2
                ),
            ]
            v4_calls = _v4(
                [
                    *world.calls(
                        author, "DELETE", "/post", [{"post_id": post_id, "deleted": False}] * 2
                    ),
                    *world.calls(
                        a, "POST", "/post/hide", [{"post_id": post_id, "hide": False}] * 2
                    ),
                    *world.calls(
                        author,
                        "POST",
                        "/post/lock",
                        [{"post_id": post_id, "locked": False, "reason": ""}] * 2,
                    ),
                ]
            )
            where = f"round {r}"
            audit.answers(where, await burst(mix(v3_calls, v4_calls)))
            view = world.post_view(author, post_id)
            audit.expect(view["counts"]["comments"] == 1, f"{where}: counts {view['counts']}")


async def test_settings_and_messages_through_both_generations(world: World) -> None:
    """A member saves contradicting settings through v3 and v4 at once, and sends the same
    message through v4: every answer is a 200 or a clear refusal, every message sent is
    stored once, and nothing needs recounting."""
    a, b = world.members[:2]
    async with world.audit("PUT /account/settings/save and POST /private_message (v4)") as audit:
        for r in range(ROUNDS):
            v3_calls = world.calls(a, "PUT", "/user/save_user_settings", [{"show_nsfw": True}] * 4)
            v4_calls = _v4(
                world.calls(a, "PUT", "/account/settings/save", [{"show_nsfw": False}] * 4)
            )
            message = {"recipient_id": b.person_id, "content": f"round {r}"}
            sends = _v4(world.calls(a, "POST", "/private_message", [message] * 4))
            where = f"round {r}"
            answers = await burst(mix(v3_calls, v4_calls, sends))
            audit.answers(where, answers)
            inbox = b.api.ok("GET", "/private_message/list", limit=50)["private_messages"]
            stored = [m for m in inbox if m["private_message"]["content"] == f"round {r}"]
            sent = sum(1 for x in answers if x.call.path == "/private_message" and x.status == 200)
            audit.expect(len(stored) == sent, f"{where}: {sent} sent, {len(stored)} stored")


async def test_notifications_marked_through_both_generations(world: World) -> None:
    """A reply's notice marked read and unread through v4 while v3 marks everything read:
    every answer is a 200, and the unread count both generations show agrees."""
    author, a = world.members[:2]
    post_id = world.post(author, world.community(), "v4 notices")
    world.comment(a, post_id, "a reply to notice")
    listed = author.api.ok("GET", "/user/replies", unread_only="true")["replies"]
    notice_id = int(listed[0]["comment_reply"]["id"]) * 4 + 1
    async with world.audit("POST /account/notification/mark_as_read (v4)") as audit:
        for r in range(ROUNDS):
            marks = [{"notification_id": notice_id, "read": k % 2 == 0} for k in range(N)]
            v4_calls = _v4(world.calls(author, "POST", "/account/notification/mark_as_read", marks))
            v3_calls = world.calls(author, "POST", "/user/mark_all_as_read", [{}] * 2)
            where = f"round {r}"
            audit.answers(where, await burst(mix(v4_calls, v3_calls)))
            v3_count = author.api.ok("GET", "/user/unread_count")["replies"]
            answer = author.api.http.get(f"{world.server.url}/api/v4/account/unread_counts")
            v4_count = answer.json()["notification_count"]
            audit.expect(v3_count == v4_count, f"{where}: v3 says {v3_count}, v4 {v4_count}")


async def test_person_notes_at_once(world: World) -> None:
    """The same note and contradicting ones (another text, an empty one that deletes) on
    one person at once: every answer a 200, at most one note row, holding a text sent."""
    a, b = world.members[:2]
    async with world.audit("POST /person/note (v4)") as audit:
        for r in range(ROUNDS):
            texts = [f"note {r}", f"other {r}", ""]
            bodies = [{"person_id": b.person_id, "note": texts[k % 3]} for k in range(N)]
            where = f"round {r}"
            audit.answers(where, await burst(_v4(world.calls(a, "POST", "/person/note", bodies))))
            async with world.db.connection() as conn:
                rows = await conn.fetch_all(
                    sa.select(m.person_note).where(
                        m.person_note.c.person_id == a.person_id,
                        m.person_note.c.target_id == b.person_id,
                    )
                )
            audit.expect(len(rows) <= 1, f"{where}: {len(rows)} note rows for one pair")
            audit.expect(all(row["note"] in texts for row in rows), f"{where}: a note nobody sent")


async def test_settings_imported_twice_at_once(world: World) -> None:
    """The same Lemmy 1.0 backup imported by several requests at once: every answer a 200,
    each follow and keyword stored once, counters that recount to themselves."""
    a = world.members[0]
    community = world.community()
    actor = world.community_view(a, community)["community_view"]["community"]["actor_id"]
    backup = {
        "followed_communities": [actor],
        "blocking_keywords": ["otters", "kelp"],
        "settings": {"show_nsfw": True},
    }
    calls = [
        replace(call, headers=(("X-Forwarded-For", f"10.9.{k}.1"),))
        for k, call in enumerate(
            _v4(world.calls(a, "POST", "/account/settings/import", [backup] * 4))
        )
    ]
    async with world.audit("POST /account/settings/import (v4)") as audit:
        audit.answers("import", await burst(calls))
        view = world.community_view(a, community)["community_view"]
        audit.expect(view["subscribed"] == "Subscribed", f"subscribed: {view['subscribed']}")
        async with world.db.connection() as conn:
            keywords = await conn.fetch_all(
                sa.select(m.local_user_keyword_block.c.keyword).where(
                    m.local_user_keyword_block.c.local_user_id
                    == sa.select(m.local_user.c.id)
                    .where(m.local_user.c.person_id == a.person_id)
                    .scalar_subquery()
                )
            )
        stored = sorted(str(r["keyword"]) for r in keywords)
        audit.expect(stored == ["kelp", "otters"], f"keywords stored: {stored}")
