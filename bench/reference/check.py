"""Whether the reference answers exactly what moot answers: the same bytes, route by route.

`requests` lists what bench/versus.py measures (and tests/bench/test_reference.py checks):
the front page of each sort, a deep page of each through `page_cursor` (the cursor found by
walking moot's own pages), a post's comment tree and the site.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from bench.run import walk_to_page

SORTS = ("Hot", "Active", "New", "TopDay", "Scaled")


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


async def compare(moot_api: str, reference_api: str, paths: dict[str, str]) -> list[str]:
    """One line per request whose answers differ (status or bytes); empty when all agree."""
    problems = []
    async with (
        httpx.AsyncClient(base_url=moot_api, timeout=60) as moot,
        httpx.AsyncClient(base_url=reference_api, timeout=60) as reference,
    ):
        for name, path in paths.items():
            mine, theirs = await moot.get(path), await reference.get(path)
            if mine.status_code != 200 or theirs.status_code != 200:
                problems.append(f"{name}: HTTP {mine.status_code} and {theirs.status_code}")
            elif mine.content != theirs.content:
                problems.append(f"{name}: {difference(mine.content, theirs.content)}")
    return problems
