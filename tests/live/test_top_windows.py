"""Windowed Top sorts read one index per age tier; the answer must be exactly "the posts
published inside the window, by score", whether the stored tiers are fresh or stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from moot import ranking
from tests.conftest import Api, register, unique
from tests.servers import Server

# One post at each age, so every tier and every window edge has something on either side.
AGES = [
    timedelta(minutes=10),
    timedelta(hours=3),
    timedelta(hours=8),
    timedelta(hours=20),
    timedelta(days=3),
    timedelta(days=20),
    timedelta(days=60),
    timedelta(days=150),
    timedelta(days=200),
    timedelta(days=300),
    timedelta(days=400),
    timedelta(days=800),
]
# Votes of three readers on each post (the author's own upvote comes on top).
VOTES = [
    (1, 1, 0),
    (-1, 0, 0),
    (1, 1, 1),
    (0, 0, 0),
    (1, 1, 1),
    (-1, -1, 0),
    (1, 0, 0),
    (1, 1, 1),
    (0, 0, 0),
    (1, 1, 0),
    (1, 1, 1),
    (-1, 0, 0),
]
FEATURED = 7  # featured in its community: first in every window that contains it


def _stamp(server: Server, moment: datetime) -> str:
    """A SQL literal of a UTC time as each backend stores it (moot.db.types.UtcDateTime)."""
    if server.backend == "sqlite":
        return "'" + moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + "'"
    return f"'{moment.isoformat()}'::timestamptz"


@pytest.fixture(scope="module")
def aged(server: Server) -> tuple[Api, int, list[dict[str, Any]]]:
    author = register(server)
    readers = [register(server) for _ in range(3)]
    community = author.ok("POST", "/community", {"name": unique("aged"), "title": "Aged"})
    cid = community["community_view"]["community"]["id"]
    now = datetime.now(UTC)
    posts = []
    for i, (age, votes) in enumerate(zip(AGES, VOTES, strict=True)):
        created = author.ok("POST", "/post", {"name": f"Aged post {i}", "community_id": cid})
        post_id = created["post_view"]["post"]["id"]
        for reader, score in zip(readers, votes, strict=True):
            if score:
                reader.ok("POST", "/post/like", {"post_id": post_id, "score": score})
        published = now - age
        # Posts cannot be backdated through the API: age them behind its back. Their stored
        # tiers stay 0 (stale) until the scheduler's pass.
        server.sql(f"UPDATE post SET published = {_stamp(server, published)} WHERE id = {post_id}")
        posts.append(
            {"id": post_id, "age": age, "score": 1 + sum(votes), "featured": i == FEATURED}
        )
    server.sql(f"UPDATE post SET featured_community = true WHERE id = {posts[FEATURED]['id']}")
    return author, cid, posts


def _expected(posts: list[dict[str, Any]], window: timedelta | None) -> list[int]:
    inside = [p for p in posts if window is None or p["age"] < window]
    # featured first, then score, then published (younger first), then id.
    inside.sort(key=lambda p: (p["featured"], p["score"], -p["age"], p["id"]), reverse=True)
    return [p["id"] for p in inside]


def _walk(api: Api, limit: int, **params: Any) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _ in range(200):
        page = api.ok(
            "GET",
            "/post/list",
            limit=limit,
            **params,
            **({"page_cursor": cursor} if cursor else {}),
        )
        if not page["posts"]:
            return ids
        ids += [v["post"]["id"] for v in page["posts"]]
        cursor = page["next_page"]
    raise AssertionError("the cursor walk did not end")


def _check_every_window(api: Api, cid: int, posts: list[dict[str, Any]]) -> None:
    ours = {p["id"] for p in posts}
    for sort, window in ranking.TOP_WINDOWS.items():
        expected = _expected(posts, window)
        listed = api.ok("GET", "/post/list", community_id=cid, sort=sort, limit=50)["posts"]
        assert [v["post"]["id"] for v in listed] == expected, sort
        assert _walk(api, 2, community_id=cid, sort=sort) == expected, f"{sort} by cursor"
        by_page = [
            v["post"]["id"]
            for page in (1, 2, 3)
            for v in api.ok("GET", "/post/list", community_id=cid, sort=sort, limit=3, page=page)[
                "posts"
            ]
        ]
        assert by_page == expected[:9], f"{sort} by page"
        # The front page (featured_local, not featured_community) holds other tests' posts
        # too; ours must come in the window's score order among them.
        front = [i for i in _walk(api, 50, type_="All", sort=sort) if i in ours]
        unfeatured = _expected([{**p, "featured": False} for p in posts], window)
        assert front == unfeatured, f"{sort} on the front page"


def test_top_windows_with_stale_tiers(aged: tuple[Api, int, list[dict[str, Any]]]) -> None:
    api, cid, posts = aged
    _check_every_window(api, cid, posts)


def test_top_windows_after_the_scheduler_moves_tiers(
    aged: tuple[Api, int, list[dict[str, Any]]], server: Server
) -> None:
    api, cid, posts = aged
    done = server.moot("admin", "refresh-ranks")
    moved = int(done.stdout.rsplit(";", 1)[1].split()[0])
    # All but the youngest post (tier 0) left tier 0, whatever other tests left behind.
    assert moved >= len(AGES) - 1
    _check_every_window(api, cid, posts)


def test_age_tiers() -> None:
    now = datetime.now(UTC)
    assert ranking.age_tier(now - timedelta(minutes=59), now) == 0
    assert ranking.age_tier(now - timedelta(hours=2), now) == 1
    assert ranking.age_tier(now - timedelta(days=2), now) == 4
    assert ranking.age_tier(now - timedelta(days=3000), now) == ranking.OLDEST_TIER
    assert list(ranking.tiers_within(timedelta(days=1))) == [0, 1, 2, 3]
    assert len(ranking.tiers_within(timedelta(days=365))) == ranking.OLDEST_TIER
