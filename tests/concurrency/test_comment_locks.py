"""Comment locks and warnings at the same moment (API v4's /comment/lock, /post/warn,
/comment/warn): locks and unlocks by a moderator and an admin while a member keeps
replying deep under the locked comment, and warnings given twice at once. A lock is
written on the comment and every comment under it, so a reply that slipped in after the
lock's update, or was refused while the comment was open, would show as a comment whose
flag differs from its locked ancestor's: after every burst the whole sub-thread carries
the comment's flag, replies are refused only as `locked`, and the counts add up
(`World.audit` runs `moot admin recount` too). Each warning is its own modlog entry and
notice: as many as were answered 200."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.errors import ErrorCode as E
from tests.concurrency.burst import Call, burst
from tests.concurrency.checks import alternate, mix, thread_counts
from tests.concurrency.world import ROUNDS, Audit, Member, N, World


def _v4(calls: list[Call]) -> list[Call]:
    return [replace(c, base=c.base.replace("/api/v3", "/api/v4")) for c in calls]


async def _subtree_flags(world: World, top: int) -> dict[int, bool]:
    """Each comment of `top`'s sub-thread (itself included) and its lock flag."""
    t = m.comment
    async with world.db.connection() as conn:
        path = await conn.scalar(sa.select(t.c.path).where(t.c.id == top))
        rows = await conn.fetch_all(
            sa.select(t.c.id, t.c.locked).where(t.c.path.startswith(str(path)))
        )
    return {int(r["id"]): bool(r["locked"]) for r in rows}


async def _consistent(world: World, audit: Audit, where: str, post_id: int, top: int) -> bool:
    """The sub-thread's flags all equal the locked comment's; its flag."""
    flags = await _subtree_flags(world, top)
    odd = {cid: flag for cid, flag in flags.items() if flag != flags[top]}
    audit.expect(not odd, f"{where}: comment {top} locked={flags[top]}, but under it {odd}")
    thread_counts(world, audit, where, post_id)
    return flags[top]


def _locks(world: World, top: int, values: list[bool]) -> list[Call]:
    """Lock requests with these values, from the moderator and the admin in turn."""
    senders = [world.mod, world.admin]
    calls = [
        world.calls(senders[i % 2], "POST", "/comment/lock", [{"comment_id": top, "locked": v}])[0]
        for i, v in enumerate(values)
    ]
    return _v4(calls)


def _replies(world: World, who: Member, post_id: int, parent: int, n: int) -> list[Call]:
    body = {"post_id": post_id, "parent_id": parent, "content": "Quick, before the lock"}
    return world.calls(who, "POST", "/comment", [body] * n)


async def test_lock_comment_while_replies_race(world: World) -> None:
    community = world.community()
    author, replier = world.members[0], world.members[5]
    post_id = world.post(author, community, "Lock a thread")
    top = world.comment(author, post_id, "Lock under me")
    middle = world.comment(replier, post_id, "In the middle", parent=top)
    async with world.audit("POST /comment/lock (v4) with replies racing") as audit:
        current = await _consistent(world, audit, "before", post_id, top)
        for r in range(ROUNDS):
            target = not current
            where = f"round {r} identical {target}"
            calls = mix(
                _locks(world, top, [target] * N), _replies(world, replier, post_id, middle, N)
            )
            answers = await burst(calls)
            audit.answers(where, answers, [E.LOCKED])
            now = await _consistent(world, audit, where, post_id, top)
            audit.expect(now == target, f"{where}: ends locked={now}")
            where = f"round {r} contradicting"
            calls = mix(
                _locks(world, top, alternate((True, False), N, r)),
                _replies(world, replier, post_id, middle, N),
            )
            answers = await burst(calls)
            audit.answers(where, answers, [E.LOCKED])
            current = await _consistent(world, audit, where, post_id, top)
            # A moderator's reply is always taken, and takes the thread's flag.
            world.comment(world.mod, post_id, "A moderator's word", parent=middle)
            await _consistent(world, audit, f"{where}, then a moderator's reply", post_id, top)


async def _warnings_of(world: World, kind: str, key: str, value: int) -> tuple[int, int]:
    """The modlog entries of `kind` about the item, and the notices that name them."""
    log, notice = m.modlog, m.mod_action_notice
    async with world.db.connection() as conn:
        entries = await conn.scalar(
            sa.select(sa.func.count()).where(log.c.kind == kind, log.c[key] == value)
        )
        notices = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(notice.join(log, log.c.id == notice.c.modlog_id))
            .where(log.c.kind == kind, log.c[key] == value)
        )
    return int(entries), int(notices)


async def test_double_warnings(world: World) -> None:
    """The same warning sent many times at once, by a moderator and an admin, about a post
    and a comment: every one answered is one entry and one notice to the author."""
    community = world.community()
    author = world.members[1]
    post_id = world.post(author, community, "Warn me")
    comment_id = world.comment(author, post_id, "Warn me too")
    cases: list[tuple[str, str, str, int]] = [
        ("/post/warn", "ModWarnPost", "post_id", post_id),
        ("/comment/warn", "ModWarnComment", "comment_id", comment_id),
    ]
    answered = {path: 0 for path, *_ in cases}
    async with world.audit("POST /post/warn and /comment/warn (v4)") as audit:
        for r in range(ROUNDS):
            calls: list[list[Call]] = []
            for path, _, key, value in cases:
                body: dict[str, Any] = {key: value, "reason": f"round {r}: mind the rules"}
                calls += [
                    _v4(world.same(who, "POST", path, body)) for who in (world.mod, world.admin)
                ]
            answers = await burst(mix(*calls))
            where = f"round {r}"
            audit.answers(where, answers)
            for path, kind, key, value in cases:
                answered[path] += sum(1 for a in answers if a.status == 200 and a.call.path == path)
                entries, notices = await _warnings_of(world, kind, key, value)
                audit.expect(
                    entries == notices == answered[path],
                    f"{where}: {answered[path]} warnings answered so far for {path}, "
                    f"{entries} modlog entries, {notices} notices",
                )
