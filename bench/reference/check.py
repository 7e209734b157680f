"""Whether the reference answers exactly what moot answers: the same bytes, route by route.

`requests` lists what bench/versus.py measures (and tests/bench/test_reference.py checks):
the front page of each sort, a deep page of each through `page_cursor` (the cursor found by
walking moot's own pages), a post's comment tree and the site; `member_requests` the post
listings of a signed-in member, whom `make_member` makes and gives things to filter and mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.run import walk_to_page

SORTS = ("Hot", "Active", "New", "TopDay", "Scaled")
MEMBER_SORTS = ("Hot", "New", "TopDay")
MEMBER = ", member"  # ends the name of a member's request


async def requests(
    client: httpx.AsyncClient,
    big_post: int,
    *,
    sorts: Sequence[str] = SORTS,
    limit: int = 20,
    deep_page: int = 50,
) -> dict[str, str]:
    """name → path under /api/v3, for every request compared and measured."""
    out = {
        f"post/list {sort} page 1": f"/post/list?type_=All&sort={sort}&limit={limit}"
        for sort in sorts
    }
    for sort in sorts:
        cursor = await walk_to_page(client, sort, limit, deep_page)
        if cursor is not None:
            out[f"post/list {sort} page {deep_page} (cursor)"] = (
                f"/post/list?type_=All&sort={sort}&limit={limit}&page_cursor={cursor}"
            )
    out["comment/list tree max_depth=8"] = f"/comment/list?post_id={big_post}&max_depth=8&type_=All"
    out["site"] = "/site"
    return out


async def member_requests(
    client: httpx.AsyncClient,
    token: str,
    *,
    sorts: Sequence[str] = MEMBER_SORTS,
    deep_sorts: Sequence[str] = ("Hot",),
    limit: int = 20,
    deep_page: int = 50,
) -> dict[str, str]:
    """name → path of the member's listings: page 1 of `sorts`, and page `deep_page` of
    `deep_sorts` through the cursor found by walking the member's own pages."""
    out = {
        f"post/list {sort} page 1{MEMBER}": f"/post/list?type_=All&sort={sort}&limit={limit}"
        for sort in sorts
    }
    client.headers["Authorization"] = f"Bearer {token}"
    try:
        for sort in deep_sorts:
            cursor = await walk_to_page(client, sort, limit, deep_page)
            if cursor is not None:
                out[f"post/list {sort} page {deep_page} (cursor){MEMBER}"] = (
                    f"/post/list?type_=All&sort={sort}&limit={limit}&page_cursor={cursor}"
                )
    finally:
        del client.headers["Authorization"]
    return out


async def _ok(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json()


@dataclass
class Member:
    """A member `make_member` made, and what it gave them."""

    token: str
    followed: int
    blocked_person: int
    blocked_community: int
    saved: list[int]
    upvoted: list[int]
    downvoted: list[int]
    read: list[int]
    hidden: list[int]


async def make_member(
    client: httpx.AsyncClient, admin: dict[str, str], name: str, languages: Sequence[int]
) -> Member:
    """A new member `name` (registration opened for it), given things through moot's API
    from what an anonymous reader finds on page 1 (50 posts) of each of `MEMBER_SORTS`: the
    first post's community followed, another's author and another community blocked,
    and of the posts in turn one in ten saved, upvoted, downvoted, read (show_read_posts
    stays on: read posts show, marked) and hidden; `languages` as its discussion
    languages. show_nsfw stays off."""
    await _ok(await client.put("/site", json={"registration_mode": "Open"}, headers=admin))
    password = "member-password-1"
    body = {"username": name, "password": password, "password_verify": password}
    token = str((await _ok(await client.post("/user/register", json=body)))["jwt"])
    auth = {"Authorization": f"Bearer {token}"}

    async def post(path: str, **body: Any) -> None:
        await _ok(await client.post(path, json=body, headers=auth))

    views: dict[int, dict[str, Any]] = {}
    for sort in MEMBER_SORTS:
        page = await _ok(await client.get(f"/post/list?type_=All&sort={sort}&limit=50"))
        for view in page["posts"]:
            views.setdefault(view["post"]["id"], view)
    first, *rest = views.values()
    followed = int(first["community"]["id"])
    others = [v for v in rest if v["community"]["id"] != followed]
    person = next(
        int(v["creator"]["id"])
        for v in others
        if not v["creator_is_admin"] and v["creator"]["id"] != first["creator"]["id"]
    )
    community = next(int(v["community"]["id"]) for v in others if v["creator"]["id"] != person)
    await post("/community/follow", community_id=followed, follow=True)
    await post("/user/block", person_id=person, block=True)
    await post("/community/block", community_id=community, block=True)
    ids = list(views)
    member = Member(
        token,
        followed,
        person,
        community,
        ids[1::10],
        ids[2::10],
        ids[5::10],
        ids[7::10],
        ids[3::10],
    )
    for post_id in member.saved:
        await _ok(
            await client.put("/post/save", json={"post_id": post_id, "save": True}, headers=auth)
        )
    for score, voted in ((1, member.upvoted), (-1, member.downvoted)):
        for post_id in voted:
            await post("/post/like", post_id=post_id, score=score)
    await post("/post/mark_as_read", post_ids=member.read, read=True)
    await post("/post/hide", post_ids=member.hidden, hide=True)
    settings = {"discussion_languages": list(languages)}
    await _ok(await client.put("/user/save_user_settings", json=settings, headers=auth))
    return member


def difference(a: bytes, b: bytes) -> str:
    """Where two answers first differ, with some text around it."""
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    start = max(0, at - 120)
    return (
        f"{len(a)} and {len(b)} bytes, first difference at byte {at}:\n"
        f"  moot:      …{a[start : at + 120]!r}\n  reference: …{b[start : at + 120]!r}"
    )


async def compare(
    moot_api: str, reference_api: str, paths: dict[str, str], token: str | None = None
) -> list[str]:
    """One line per request whose answers differ (status or bytes); empty when all agree.
    With `token`, the requests are that member's."""
    problems = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx.AsyncClient(base_url=moot_api, timeout=60, headers=headers) as moot,
        httpx.AsyncClient(base_url=reference_api, timeout=60, headers=headers) as reference,
    ):
        for name, path in paths.items():
            mine, theirs = await moot.get(path), await reference.get(path)
            if mine.status_code != 200 or theirs.status_code != 200:
                problems.append(f"{name}: HTTP {mine.status_code} and {theirs.status_code}")
            elif mine.content != theirs.content:
                problems.append(f"{name}: {difference(mine.content, theirs.content)}")
    return problems
