"""Notification settings at the same moment (moot/actions/subscriptions.py): one member's
setting for a post or a community sent by several requests at once, identical and
contradicting, lands on one row holding a mode that was sent; and a subscriber hears of
each comment (post) of a burst exactly once, whoever writes them and on whichever server."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from moot.db import models as m
from tests.concurrency.burst import Call, burst
from tests.concurrency.world import ROUNDS, N, World
from tests.conftest import unique

POST_MODES = ("all_comments", "replies_and_mentions", "mute")
COMMUNITY_MODES = ("all_posts_and_comments", "all_posts", "replies_and_mentions", "mute")


def _v4(calls: list[Call]) -> list[Call]:
    return [replace(c, base=c.base.replace("/api/v3", "/api/v4")) for c in calls]


async def _settings(world: World, kind: str, target: int, modes: tuple[str, ...]) -> None:
    a = world.members[0]
    table = m.post_notify if kind == "post" else m.community_notify
    key = f"{kind}_id"
    async with world.audit(f"PUT /{kind}/notifications (v4)") as audit:
        for r in range(ROUNDS + 1):
            # Identical rounds, then one of contradicting modes.
            sent = modes[r % len(modes) : r % len(modes) + 1] if r < ROUNDS else modes
            bodies = [{key: target, "mode": sent[k % len(sent)]} for k in range(N)]
            calls = _v4(world.calls(a, "PUT", f"/{kind}/notifications", bodies))
            audit.answers(f"round {r}", await burst(calls))
            async with world.db.connection() as conn:
                rows = await conn.fetch_all(
                    sa.select(table).where(table.c.person_id == a.person_id, table.c[key] == target)
                )
            audit.expect(len(rows) == 1, f"round {r}: {len(rows)} rows for one pair")
            audit.expect(all(row["mode"] in sent for row in rows), f"round {r}: a mode not sent")


async def test_a_posts_setting_sent_at_once(world: World) -> None:
    post_id = world.post(world.members[1], world.community(), "settings at once")
    await _settings(world, "post", post_id, POST_MODES)


async def test_a_communitys_setting_sent_at_once(world: World) -> None:
    await _settings(world, "community", world.community(), COMMUNITY_MODES)


async def test_a_subscriber_hears_of_each_comment_and_post_once(world: World) -> None:
    """One member follows a post's comments and a community's posts and comments; the
    others write comments (N each round, one per writer) and posts at once. Each comment
    and post is told to the subscriber exactly once (not twice as a reply and a
    subscription: the post's author is the subscriber in the first rounds)."""
    subscriber, *writers = world.members
    community = world.community()
    post_id = world.post(subscriber, community, "a subscribed post")
    subscriber.api.http.put(
        f"{world.server.url}/api/v4/post/notifications",
        json={"post_id": post_id, "mode": "all_comments"},
    ).raise_for_status()
    subscriber.api.http.put(
        f"{world.server.url}/api/v4/community/notifications",
        json={"community_id": community, "mode": "all_posts_and_comments"},
    ).raise_for_status()
    async with world.audit("POST /comment, POST /post with a subscriber") as audit:
        for r in range(ROUNDS):
            comments = [
                call
                for w in writers
                for call in world.calls(
                    w, "POST", "/comment", [{"post_id": post_id, "content": f"c{r}"}]
                )
            ]
            posts = [
                call
                for w in writers[:3]
                for call in world.calls(
                    w, "POST", "/post", [{"name": f"news {r}", "community_id": community}]
                )
            ]
            answers = await burst(comments + posts)
            audit.answers(f"round {r}", answers)
            comment_ids = [
                int(a.data["comment_view"]["comment"]["id"])
                for a in answers
                if isinstance(a.data, dict) and "comment_view" in a.data
            ]
            post_ids = [
                int(a.data["post_view"]["post"]["id"])
                for a in answers
                if isinstance(a.data, dict) and "post_view" in a.data
            ]
            async with world.db.connection() as conn:
                told: dict[str, list[int]] = {}
                for table, key, ids in (
                    (m.comment_subscribed, "comment_id", comment_ids),
                    (m.comment_reply, "comment_id", comment_ids),
                    (m.post_subscribed, "post_id", post_ids),
                ):
                    rows = await conn.fetch_all(
                        sa.select(table.c[key]).where(
                            table.c.recipient_id == subscriber.person_id, table.c[key].in_(ids)
                        )
                    )
                    told[table.name] = [int(row[key]) for row in rows]
            # The post's author hears of a top-level comment as a reply, not again.
            audit.expect(
                sorted(told["comment_reply"]) == sorted(comment_ids),
                f"round {r}: replies {told['comment_reply']} for comments {comment_ids}",
            )
            audit.expect(told["comment_subscribed"] == [], f"round {r}: told twice")
            audit.expect(
                sorted(told["post_subscribed"]) == sorted(post_ids),
                f"round {r}: {told['post_subscribed']} told of posts {post_ids}",
            )
        # A post whose author is not the subscriber: each comment told once, as a
        # subscription.
        other = world.post(writers[0], community, "someone else's post")
        answers = await burst(
            [
                call
                for w in writers[1:]
                for call in world.calls(w, "POST", "/comment", [{"post_id": other, "content": "x"}])
            ]
        )
        audit.answers("another's post", answers)
        comment_ids = sorted(
            int(a.data["comment_view"]["comment"]["id"])
            for a in answers
            if isinstance(a.data, dict)
        )
        async with world.db.connection() as conn:
            rows = await conn.fetch_all(
                sa.select(m.comment_subscribed.c.comment_id).where(
                    m.comment_subscribed.c.recipient_id == subscriber.person_id,
                    m.comment_subscribed.c.comment_id.in_(comment_ids),
                )
            )
        once = sorted(int(row["comment_id"]) for row in rows)
        audit.expect(once == comment_ids, f"another's post: told {once} of {comment_ids}")


async def test_community_reports_at_once(world: World) -> None:
    """A member reports a community N times at once: one report, the rest refused as
    repeats; the admin resolves it N times at once, then resolves and reopens it at once:
    the report ends as one request left it, resolved by the admin."""
    reporter = world.members[2]
    community = world.community()
    async with world.audit("POST /community/report + PUT /community/report/resolve") as audit:
        body = {"community_id": community, "reason": "a sidebar of lies"}
        answers = await burst(_v4(world.same(reporter, "POST", "/community/report", body)))
        # A repeat is refused with v4's `couldnt_create` (the burst's judge knows v3's codes).
        repeats = [a for a in answers if a.status == 400 and a.error == "couldnt_create"]
        audit.answers("identical reports", [a for a in answers if a not in repeats])
        filed = [a.data for a in answers if a.status == 200]
        audit.expect(len(filed) == 1, f"{len(filed)} of {N} identical reports filed")
        audit.expect(len(filed) + len(repeats) == N, "an answer neither filed nor a repeat")
        async with world.db.connection() as conn:
            rows = await conn.fetch_all(
                sa.select(m.community_report).where(m.community_report.c.community_id == community)
            )
        audit.expect(len(rows) == 1, f"{len(rows)} report rows for one reporter and community")
        if not rows:
            return
        report_id = int(rows[0]["id"])
        for where, values in (
            ("identical resolve", [True] * N),
            ("resolve and reopen", [k % 2 == 0 for k in range(N)]),
        ):
            bodies = [{"report_id": report_id, "resolved": v} for v in values]
            calls = _v4(world.calls(world.admin, "PUT", "/community/report/resolve", bodies))
            audit.answers(where, await burst(calls))
            async with world.db.connection() as conn:
                row = await conn.fetch_one(
                    sa.select(m.community_report).where(m.community_report.c.id == report_id)
                )
            assert row is not None
            audit.expect(row["resolved"] in values, f"{where}: ends {row['resolved']}")
            audit.expect(row["resolver_id"] == world.admin.person_id, f"{where}: resolver")
        # Leave no report open for the other tests' report counts.
        world.admin.api.http.put(
            f"{world.server.url}/api/v4/community/report/resolve",
            json={"report_id": report_id, "resolved": True},
        ).raise_for_status()


async def test_an_invitation_used_at_once(world: World) -> None:
    """While registration is by invitation, N people register at once with one invitation
    good for a single use: exactly one account is made, the others are refused with
    `invalid_invite_token` (counted by one statement that checks and uses the token)."""
    site = f"{world.server.url}/api/v4/site"
    world.admin.api.http.put(
        site, json={"registration_mode": "require_invitation"}
    ).raise_for_status()
    try:
        made = world.members[3].api.http.post(
            f"{world.server.url}/api/v4/account/invite", json={"max_uses": 1}
        )
        made.raise_for_status()
        token = made.json()["invite"]["token"]
        names = [unique("inv") for _ in range(N)]
        bodies = [
            {"username": n, "password": "password-123", "password_verify": "password-123"}
            | {"token": token}
            for n in names
        ]
        calls = [
            replace(call, headers=(("X-Forwarded-For", f"10.21.{k}.1"),))
            for k, call in enumerate(
                _v4(world.calls(world.members[3], "POST", "/account/auth/register", bodies))
            )
        ]
        async with world.audit("POST /account/auth/register with one invitation") as audit:
            answers = await burst(calls)
            refused = [a for a in answers if a.status == 400 and a.error == "invalid_invite_token"]
            audit.answers("one invitation", [a for a in answers if a not in refused])
            joined = [a for a in answers if a.status == 200]
            audit.expect(len(joined) == 1, f"{len(joined)} of {N} registrations made")
            audit.expect(len(joined) + len(refused) == N, "an answer neither joined nor refused")
            async with world.db.connection() as conn:
                persons = await conn.fetch_all(
                    sa.select(m.person.c.name).where(m.person.c.name.in_(names))
                )
                invite = await conn.fetch_one(
                    sa.select(m.local_user_invite).where(m.local_user_invite.c.token == token)
                )
            audit.expect(len(persons) == 1, f"{len(persons)} accounts for one invitation")
            assert invite is not None
            audit.expect(invite["uses_count"] == 1, f"uses counted: {invite['uses_count']}")
    finally:
        world.admin.api.http.put(site, json={"registration_mode": "open"}).raise_for_status()


async def test_one_instance_blocked_and_allowed_at_once(world: World) -> None:
    """The admin blocks one instance N times at once, then blocks and unblocks it at once
    (and the same for allowing): every answer a 200, at most one entry, and the last
    round leaves it as one of the requests said."""
    domain = unique("blk") + ".example"
    for path, key, table in (
        ("/admin/instance/block", "block", m.federation_blocklist),
        ("/admin/instance/allow", "allow", m.federation_allowlist),
    ):
        async with world.audit(f"POST {path} (v4)") as audit:
            try:
                for where, values in (
                    ("identical", [True] * N),
                    ("contradicting", [k % 2 == 0 for k in range(N)]),
                ):
                    bodies = [{"instance": domain, key: v, "reason": where} for v in values]
                    calls = _v4(world.calls(world.admin, "POST", path, bodies))
                    audit.answers(where, await burst(calls))
                    async with world.db.connection() as conn:
                        rows = await conn.fetch_all(
                            sa.select(table)
                            .join(m.instance, m.instance.c.id == table.c.instance_id)
                            .where(m.instance.c.domain == domain)
                        )
                        instances = await conn.fetch_all(
                            sa.select(m.instance.c.id).where(m.instance.c.domain == domain)
                        )
                    audit.expect(len(rows) <= 1, f"{where}: {len(rows)} entries for one instance")
                    audit.expect(len(instances) == 1, f"{where}: {len(instances)} instance rows")
                    if where == "identical":
                        audit.expect(len(rows) == 1, f"{where}: not listed")
            finally:
                # An allowlist would limit the other tests' federation.
                world.admin.api.http.post(
                    f"{world.server.url}/api/v4{path}",
                    json={"instance": domain, key: False, "reason": "done"},
                ).raise_for_status()
