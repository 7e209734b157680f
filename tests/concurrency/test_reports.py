"""Reports at the same moment: POST /post/report, /comment/report, /private_message/report,
and their PUT .../resolve. A person reports a thing once (Lemmy's unique report per creator:
the repeats are refused with `couldnt_create_report`); resolving ends as one request left
it; the open-report counts (GET /user/report_count) match the reports listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from moot.errors import ErrorCode as E
from tests.concurrency.burst import Call, burst
from tests.concurrency.checks import alternate, mix
from tests.concurrency.world import ROUNDS, Audit, Member, N, World

REPORTED = [E.COULDNT_CREATE_REPORT]


@dataclass
class Reports:
    """One kind of report (post, comment, private_message), as its resolvers see them."""

    name: str
    resolvers: list[Member]
    scope: dict[str, Any] = field(default_factory=dict)  # the list's and count's filter

    @property
    def key(self) -> str:
        return f"{self.name}_id"

    def listed(self) -> list[dict[str, Any]]:
        data = self.resolvers[0].api.ok("GET", f"/{self.name}/report/list", limit=50, **self.scope)[
            f"{self.name}_reports"
        ]
        assert len(data) < 50, "more reports than a page: the test counts them wrong"
        return [r[f"{self.name}_report"] for r in data]

    def open_count(self) -> int:
        counts = self.resolvers[0].api.ok("GET", "/user/report_count", **self.scope)
        return int(counts[f"{self.name}_reports"])

    def resolve_calls(self, world: World, report_id: int, values: list[bool]) -> list[Call]:
        """One resolve request per value, from the resolvers in turn."""
        calls: list[Call] = []
        for i, v in enumerate(values):
            who = self.resolvers[i % len(self.resolvers)]
            body = {"report_id": report_id, "resolved": v}
            calls += world.calls(who, "PUT", f"/{self.name}/report/resolve", [body])
        return calls


def _check(kind: Reports, audit: Audit, where: str) -> dict[int, dict[str, Any]]:
    """One report per reporter and thing; the open count is the unresolved reports'."""
    reports = kind.listed()
    by: dict[tuple[int, int], list[int]] = {}
    for r in reports:
        by.setdefault((int(r["creator_id"]), int(r[kind.key])), []).append(int(r["id"]))
    audit.expect(
        all(len(ids) == 1 for ids in by.values()),
        f"{where}: several reports by one person of one {kind.name}: {by}",
    )
    unresolved = sum(1 for r in reports if not r["resolved"])
    shown = kind.open_count()
    audit.expect(
        shown == unresolved,
        f"{where}: report_count says {shown} open {kind.name} reports, the list {unresolved}",
    )
    return {int(r["id"]): r for r in reports}


async def _rounds(world: World, kind: Reports, rounds: list[tuple[Member, int]]) -> None:
    """Per round (a reporter and what they report): N identical reports, N identical
    resolutions, then resolving and reopening at once while the reporter reports again."""
    path = f"/{kind.name}/report"
    async with world.audit(f"POST {path} + PUT {path}/resolve") as audit:
        for r, (reporter, target) in enumerate(rounds):
            body = {kind.key: target, "reason": f"bad {r}"}
            answers = await burst(world.same(reporter, "POST", path, body))
            where = f"round {r} identical reports"
            audit.answers(where, answers, REPORTED)
            oks = sum(1 for a in answers if a.status == 200)
            audit.expect(oks == 1, f"{where}: {oks} of {N} identical reports were filed")
            reports = _check(kind, audit, where)
            mine = [
                i
                for i, rep in reports.items()
                if rep["creator_id"] == reporter.person_id and rep[kind.key] == target
            ]
            if not audit.expect(len(mine) == 1, f"{where}: the reporter has {len(mine)} reports"):
                continue
            report_id = mine[0]

            answers = await burst(kind.resolve_calls(world, report_id, [True] * N))
            where = f"round {r} identical resolve"
            audit.answers(where, answers)
            done = _check(kind, audit, where)[report_id]
            resolvers = {m.person_id for m in kind.resolvers}
            audit.expect(
                done["resolved"] is True and done["resolver_id"] in resolvers,
                f"{where}: the report ends {done}",
            )

            again = world.calls(reporter, "POST", path, [body] * 2)
            reopen = kind.resolve_calls(world, report_id, alternate((False, True), N))
            answers = await burst(mix(reopen, again))
            where = f"round {r} contradicting resolve/reopen, and reported again"
            audit.answers(where, answers, REPORTED)
            refiled = sum(1 for a in answers if a.call.path == path and a.status == 200)
            audit.expect(not refiled, f"{where}: {refiled} second reports by one person filed")
            _check(kind, audit, where)
    # Leave no report open for the other tests' report lists and counts.
    for report in kind.listed():
        if not report["resolved"]:
            body = {"report_id": report["id"], "resolved": True}
            kind.resolvers[0].api.ok("PUT", f"{path}/resolve", body)


async def test_post_reports(world: World) -> None:
    community = world.community()
    post_id = world.post(world.members[0], community, "Report me")
    kind = Reports("post", [world.mod, world.admin], {"community_id": community})
    await _rounds(world, kind, [(m, post_id) for m in world.members[1 : 1 + ROUNDS]])


async def test_comment_reports(world: World) -> None:
    community = world.community()
    post_id = world.post(world.members[0], community, "A thread")
    comment_id = world.comment(world.members[0], post_id, "Report me")
    kind = Reports("comment", [world.mod, world.admin], {"community_id": community})
    await _rounds(world, kind, [(m, comment_id) for m in world.members[1 : 1 + ROUNDS]])


async def test_private_message_reports(world: World) -> None:
    """Each round, another recipient of the same spam reports theirs; the admin resolves."""
    sender = world.members[0]
    rounds = []
    for m in world.members[1 : 1 + ROUNDS]:
        sent = sender.api.ok(
            "POST", "/private_message", {"recipient_id": m.person_id, "content": "Buy now"}
        )
        rounds.append((m, int(sent["private_message_view"]["private_message"]["id"])))
    await _rounds(world, Reports("private_message", [world.admin]), rounds)
