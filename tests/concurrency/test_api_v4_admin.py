"""API v4's admin write routes at the same moment as each other and as their v3
namesakes: the site edited, admins leaving, custom emoji made, edited and deleted, a
registration application decided, taglines edited while v3 replaces them all — through
both generations at once, identical and contradicting. Every answer is a 200 or a clear
refusal, the state is one of the requests sent, and `moot admin recount` finds nothing to
correct (`World.audit`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from moot.db.types import utcnow
from tests.concurrency.burst import Answer, Call, burst, judge
from tests.concurrency.checks import mix
from tests.concurrency.world import ROUNDS, Audit, Member, N, World
from tests.conftest import unique


def _v4(calls: list[Call]) -> list[Call]:
    return [replace(c, base=c.base.replace("/api/v3", "/api/v4")) for c in calls]


def _judge(
    audit: Audit, where: str, answers: list[Answer], v3: tuple[str, ...], v4: tuple[str, ...]
) -> None:
    """v3's answers through the burst's judge; v4's, whose codes are 1.0's (not all of them
    0.19's), each a 200 or a 4xx with one of `v4`'s codes."""
    audit.answers(where, [a for a in answers if "/api/v3" in a.call.base], v3)
    for a in answers:
        if "/api/v4" in a.call.base and a.status != 200:
            audit.expect(
                400 <= a.status < 500 and a.error in v4,
                f"{where}: {a.status} {a.text} for v4 {a.call.describe()}",
            )
    audit.problems += [f"{where}: {p}" for p in judge([a for a in answers if a.status >= 500])]


def _v4_get(world: World, who: Member, path: str, **params: Any) -> dict[str, Any]:
    answer = who.api.http.get(
        f"{world.server.url}/api/v4{path}",
        params=params,
        headers={"Authorization": f"Bearer {who.token}"},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_site_edits_through_both_generations(world: World) -> None:
    """The admin edits the site's summary through v3 (`description`) and v4 (`summary`) at
    once: it ends as one of the texts sent, the same through both; creating the site again
    is refused every time."""
    admin = world.admin
    async with world.audit("PUT /site and POST /site (v3 and v4)") as audit:
        for r in range(ROUNDS):
            sent = {f"v3 summary {r}", f"v4 summary {r}"}
            calls = mix(
                world.calls(admin, "PUT", "/site", [{"description": f"v3 summary {r}"}] * (N // 2)),
                _v4(
                    world.calls(admin, "PUT", "/site", [{"summary": f"v4 summary {r}"}] * (N // 2))
                ),
                _v4(world.calls(admin, "POST", "/site", [{"name": "again"}] * 2)),
            )
            where = f"round {r}"
            answers = await burst(calls)
            _judge(audit, where, answers, (), ("already_exists",))
            created = [a for a in answers if a.call.method == "POST"]
            audit.expect(
                all(a.error == "already_exists" for a in created), f"{where}: site made twice"
            )
            v3_text = admin.api.ok("GET", "/site")["site_view"]["site"].get("description")
            v4_text = _v4_get(world, admin, "/site")["site_view"]["site"].get("summary")
            audit.expect(v3_text in sent, f"{where}: the summary is {v3_text!r}")
            audit.expect(v3_text == v4_text, f"{where}: v3 says {v3_text!r}, v4 {v4_text!r}")


async def test_admins_leaving_through_both_generations(world: World) -> None:
    """Two admins leave through v3 and v4 at once, many times over: both end as members,
    the first admin stays, and every extra leave is refused as not an admin's."""
    x, y = await world.new_members(2, "ccadm")
    async with world.audit("POST /admin/leave (v4) and /user/leave_admin (v3)") as audit:
        for r in range(ROUNDS):
            for who in (x, y):
                world.admin.api.ok(
                    "POST", "/admin/add", {"person_id": who.person_id, "added": True}
                )
            calls = mix(
                *(
                    mix(
                        world.calls(who, "POST", "/user/leave_admin", [{}] * (N // 2)),
                        _v4(world.calls(who, "POST", "/admin/leave", [{}] * (N // 2))),
                    )
                    for who in (x, y)
                )
            )
            where = f"round {r}"
            answers = await burst(calls)
            _judge(audit, where, answers, ("not_an_admin",), ("not_an_admin",))
            left = sum(1 for a in answers if a.status == 200)
            audit.expect(left == 2, f"{where}: {left} leaves succeeded, not one each")
            admins = {a["person"]["id"] for a in _v4_get(world, world.admin, "/site")["admins"]}
            audit.expect(admins.isdisjoint({x.person_id, y.person_id}), f"{where}: admins {admins}")
            audit.expect(world.admin.person_id in admins, f"{where}: the first admin left")


async def test_custom_emoji_through_both_generations(world: World) -> None:
    """The same emoji made through v3 and v4 at once is made once; edits that contradict
    leave one of them; deleting it at once deletes it once."""
    admin = world.admin
    async with world.audit("POST/PUT /custom_emoji, /custom_emoji/delete (v3 and v4)") as audit:
        for r in range(ROUNDS):
            code = unique("ccemo").lower()
            emoji = {
                "category": "cc",
                "shortcode": code,
                "image_url": "https://example.com/e.png",
                "alt_text": "made",
                "keywords": ["k"],
            }
            where = f"round {r} create"
            answers = await burst(
                mix(
                    world.calls(admin, "POST", "/custom_emoji", [emoji] * (N // 2)),
                    _v4(world.calls(admin, "POST", "/custom_emoji", [emoji] * (N // 2))),
                )
            )
            _judge(audit, where, answers, ("unknown",), ("unknown",))
            made = [a for a in answers if a.status == 200]
            audit.expect(len(made) == 1, f"{where}: made {len(made)} times")
            listed = _v4_get(world, admin, "/custom_emoji/list", category="cc")["custom_emojis"]
            ours = [e for e in listed if e["custom_emoji"]["shortcode"] == code]
            audit.expect(len(ours) == 1, f"{where}: {len(ours)} stored")
            if len(ours) != 1:
                continue
            emoji_id = ours[0]["custom_emoji"]["id"]
            v3_edit = {"id": emoji_id, **emoji, "alt_text": "v3"}
            v3_edit.pop("shortcode")
            where = f"round {r} edit"
            answers = await burst(
                mix(
                    world.calls(admin, "PUT", "/custom_emoji", [v3_edit] * (N // 2)),
                    _v4(
                        world.calls(
                            admin,
                            "PUT",
                            "/custom_emoji",
                            [{"id": emoji_id, "alt_text": "v4"}] * (N // 2),
                        )
                    ),
                )
            )
            _judge(audit, where, answers, (), ())
            listed = _v4_get(world, admin, "/custom_emoji/list", category="cc")["custom_emojis"]
            shown = [e for e in listed if e["custom_emoji"]["id"] == emoji_id]
            audit.expect(
                shown[0]["custom_emoji"]["alt_text"] in ("v3", "v4")
                and [k["keyword"] for k in shown[0]["keywords"]] == ["k"],
                f"{where}: {shown}",
            )
            where = f"round {r} delete"
            gone = {"id": emoji_id}
            answers = await burst(
                mix(
                    world.calls(admin, "POST", "/custom_emoji/delete", [gone] * (N // 2)),
                    _v4(world.calls(admin, "POST", "/custom_emoji/delete", [gone] * (N // 2))),
                )
            )
            _judge(audit, where, answers, ("couldnt_find_object",), ("not_found",))
            deleted = sum(1 for a in answers if a.status == 200)
            audit.expect(deleted == 1, f"{where}: deleted {deleted} times")
            listed = _v4_get(world, admin, "/custom_emoji/list", category="cc")["custom_emojis"]
            audit.expect(
                all(e["custom_emoji"]["id"] != emoji_id for e in listed), f"{where}: still there"
            )


async def test_application_decided_through_both_generations(world: World) -> None:
    """One registration application approved through v4 and denied through v3 at once: the
    decision stored is one whole decision (accepted with no reason to deny, or refused with
    the reason), read alike through both."""
    member = await world.new_member("ccapp")
    async with world.db.transaction() as tx:
        user_id = await tx.scalar(
            sa.select(m.local_user.c.id).where(m.local_user.c.person_id == member.person_id)
        )
        application_id = await tx.scalar(
            sa.insert(m.registration_application)
            .values(local_user_id=user_id, answer="let me in", published=utcnow())
            .returning(m.registration_application.c.id)
        )
    admin = world.admin
    path = "/admin/registration_application/approve"
    async with world.audit(f"PUT {path} (v3 and v4)") as audit:
        for r in range(ROUNDS):
            approve = {"id": application_id, "approve": True}
            deny = {"id": application_id, "approve": False, "deny_reason": f"no {r}"}
            where = f"round {r}"
            answers = await burst(
                mix(
                    _v4(world.calls(admin, "PUT", path, [approve] * (N // 2))),
                    world.calls(admin, "PUT", path, [deny] * (N // 2)),
                )
            )
            _judge(audit, where, answers, (), ())
            v4_view = _v4_get(
                world, admin, "/admin/registration_application", person_id=member.person_id
            )["registration_application"]
            v3_view = admin.api.ok(
                "GET", "/admin/registration_application", person_id=member.person_id
            )["registration_application"]
            accepted = v4_view["creator_local_user"]["accepted_application"]
            reason = v4_view["registration_application"].get("deny_reason")
            audit.expect(
                (accepted and reason is None) or (not accepted and reason == f"no {r}"),
                f"{where}: accepted {accepted} with the reason {reason!r}",
            )
            audit.expect(
                v3_view["creator_local_user"]["accepted_application"] == accepted
                and v3_view["registration_application"].get("deny_reason") == reason,
                f"{where}: v3 reads {v3_view}",
            )


async def test_taglines_through_both_generations(world: World) -> None:
    """A tagline edited through v4 while v3's EditSite replaces every tagline, then one
    deleted many times at once: the list ends as v3 sent it (an edit came before the
    replacing, or finds nothing, or finds the row that took its id), and a tagline is
    deleted once."""
    admin = world.admin
    async with world.audit("PUT/DELETE /admin/tagline (v4) and PUT /site taglines (v3)") as audit:
        for r in range(ROUNDS):
            made = admin.api.http.post(
                f"{world.server.url}/api/v4/admin/tagline", json={"content": f"to edit {r}"}
            ).json()["tagline"]
            replaced = [f"replaced {r}a", f"replaced {r}b"]
            edit = {"id": made["id"], "content": f"edited {r}"}
            where = f"round {r} edit and replace"
            answers = await burst(
                mix(
                    _v4(world.calls(admin, "PUT", "/admin/tagline", [edit] * (N // 2))),
                    world.calls(admin, "PUT", "/site", [{"taglines": replaced}] * (N // 2)),
                )
            )
            _judge(audit, where, answers, (), ("not_found",))
            listed = _v4_get(world, admin, "/admin/tagline/list", limit=50)["items"]
            contents = sorted(t["content"] for t in listed)
            # SQLite gives a new row the highest id again, so a tagline v3 put in may carry
            # the edited one's id, and an edit after the replacing lands on it.
            edited = [t for t in listed if t["content"] == f"edited {r}"]
            audit.expect(
                len(listed) == 2
                and set(contents) <= {*replaced, f"edited {r}"}
                and all(t["id"] == made["id"] for t in edited),
                f"{where}: the taglines are {listed}",
            )
            where = f"round {r} delete"
            gone = {"id": listed[0]["id"]}
            answers = await burst(_v4(world.calls(admin, "DELETE", "/admin/tagline", [gone] * N)))
            _judge(audit, where, answers, (), ("not_found",))
            deleted = sum(1 for a in answers if a.status == 200)
            audit.expect(deleted == 1, f"{where}: deleted {deleted} times")
    world.admin.api.ok("PUT", "/site", {"taglines": []})
