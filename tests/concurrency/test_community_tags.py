"""Community post tags at the same moment (API v4): one tag created by several requests,
a post tagged while its tag is deleted and brought back, and its author's and a moderator's
tag edits of one post at once. Every answer is a 200 or a clear refusal, the rows hold what
one of the requests sent, and `moot admin recount` finds nothing to correct."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from moot.db import models as m
from tests.concurrency.burst import Call, burst
from tests.concurrency.checks import mix
from tests.concurrency.world import ROUNDS, Member, N, World


def _v4(calls: list[Call]) -> list[Call]:
    return [replace(c, base=c.base.replace("/api/v3", "/api/v4")) for c in calls]


async def _post_tags(world: World, post_id: int) -> tuple[bool, set[int]]:
    """The post's `tagged` flag and the tags linked to it."""
    async with world.db.connection() as conn:
        tagged = await conn.scalar(sa.select(m.post.c.tagged).where(m.post.c.id == post_id))
        rows = await conn.fetch_all(
            sa.select(m.post_tag.c.tag_id).where(m.post_tag.c.post_id == post_id)
        )
    return bool(tagged), {int(r["tag_id"]) for r in rows}


def _v4_ok(world: World, who: Member, method: str, path: str, **kw: Any) -> dict[str, Any]:
    """A v4 request by `who` for set-up and checks; it must succeed."""
    response = who.api.http.request(method, f"{world.server.url}/api/v4{path}", **kw)
    assert response.status_code == 200, f"{method} {path}: {response.text}"
    data: dict[str, Any] = response.json()
    return data


def _tag(world: World, community_id: int, name: str) -> int:
    body = {"community_id": community_id, "name": name}
    return int(_v4_ok(world, world.mod, "POST", "/community/tag", json=body)["id"])


async def test_same_tag_created_at_once(world: World) -> None:
    """N creates of one name (with different colours) at once: one 200, the rest
    `already_exists`, and one row."""
    community = world.community()
    async with world.audit("POST /community/tag (v4)") as audit:
        for r in range(ROUNDS):
            name = f"tag{r}"
            bodies = [
                {"community_id": community, "name": name, "color": f"color0{1 + k % 9}"}
                for k in range(N)
            ]
            answers = await burst(_v4(world.calls(world.mod, "POST", "/community/tag", bodies)))
            where = f"round {r}"
            audit.answers(where, answers, allowed=["already_exists"])
            made = [a for a in answers if a.status == 200]
            audit.expect(len(made) == 1, f"{where}: {len(made)} creates succeeded")
            async with world.db.connection() as conn:
                rows = await conn.fetch_all(
                    sa.select(m.community_tag).where(
                        m.community_tag.c.community_id == community, m.community_tag.c.name == name
                    )
                )
            audit.expect(len(rows) == 1, f"{where}: {len(rows)} rows for one tag")
            if made and rows:
                audit.expect(
                    made[0].data["color"] == rows[0]["color"], f"{where}: another colour stored"
                )


async def test_tagging_while_the_tag_is_deleted(world: World) -> None:
    """The author tags a post, a moderator edits its tags, and the tag is deleted and
    undeleted, all at once: each answer a 200 or `tag_not_in_community` (the tag was
    deleted when the edit looked), and the post's flag agrees with its links."""
    author = world.members[0]
    community = world.community()
    post_id = world.post(author, community, "Tagged at once")
    sent: set[int] = set()
    async with world.audit("PUT /post tags, PUT /post/mod_edit, DELETE /community/tag") as audit:
        for r in range(ROUNDS):
            news, meta = _tag(world, community, f"n{r}"), _tag(world, community, f"m{r}")
            sent |= {news, meta}
            half = N // 2
            edits = world.calls(
                author, "PUT", "/post", [{"post_id": post_id, "tags": [news]}] * half
            )
            mod_edits = world.calls(
                world.mod,
                "PUT",
                "/post/mod_edit",
                [{"post_id": post_id, "tags": [news, meta]}] * half,
            )
            deletes = world.calls(
                world.mod,
                "DELETE",
                "/community/tag",
                [{"tag_id": news, "delete": k % 2 == 0} for k in range(half)],
            )
            answers = await burst(_v4(mix(edits, mod_edits, deletes)))
            where = f"round {r}"
            audit.answers(where, answers, allowed=["tag_not_in_community"])
            tagged, linked = await _post_tags(world, post_id)
            audit.expect(tagged == bool(linked), f"{where}: tagged={tagged}, links {linked}")
            # An earlier round's tag may stay linked: deleted when this round's edits ran,
            # its link is kept, hidden, for an undelete to show again.
            audit.expect(linked <= sent, f"{where}: links to tags nobody sent: {linked}")
            view = _v4_ok(world, world.mod, "GET", "/post", params={"id": post_id})["post_view"]
            shown = {t["id"] for t in view["tags"]}
            audit.expect(shown <= linked, f"{where}: shows {shown}, linked {linked}")
            audit.expect(
                all(not t["deleted"] for t in view["tags"]), f"{where}: a deleted tag shown"
            )
