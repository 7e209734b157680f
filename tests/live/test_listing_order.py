"""Every post sort orders as Lemmy's formulas say, and cursors page through the same order."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from moot import ranking
from tests.conftest import Api, register, unique
from tests.servers import Server

RANKED = ("Hot", "Active", "Scaled", "Controversial")


def _published(view: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(view["post"]["published"].replace("Z", "+00:00"))


def _formula(sort: str, view: dict[str, Any], now: datetime, users_active_month: int) -> float:
    counts = view["counts"]
    if sort == "Hot":
        return ranking.hot_rank(counts["score"], _published(view), now)
    if sort == "Active":
        # Every comment here is by someone other than the author, within two days, so the
        # "necro" time Active uses is the newest comment's time.
        newest = datetime.fromisoformat(counts["newest_comment_time"].replace("Z", "+00:00"))
        return ranking.hot_rank(counts["score"], newest, now)
    if sort == "Scaled":
        return ranking.scaled_rank(counts["score"], _published(view), users_active_month, now)
    return ranking.controversy_rank(counts["upvotes"], counts["downvotes"])


@pytest.fixture(scope="module")
def scored_community(server: Server) -> tuple[Api, int, dict[str, int]]:
    """Five posts with scores 3, 2, 1, 0 and a 2-up/1-down controversial one."""
    author, fan, critic = register(server), register(server), register(server)
    community = author.ok("POST", "/community", {"name": unique("order"), "title": "Order"})
    cid = community["community_view"]["community"]["id"]
    ids = {}
    for title in ("one", "two", "three", "zero", "mixed"):
        created = author.ok("POST", "/post", {"name": f"Post {title}", "community_id": cid})
        ids[title] = created["post_view"]["post"]["id"]
    for voter, title, score in (
        (fan, "two", 1),
        (fan, "three", 1),
        (critic, "three", 1),
        (critic, "zero", -1),
        (fan, "mixed", 1),
        (critic, "mixed", -1),
    ):
        voter.ok("POST", "/post/like", {"post_id": ids[title], "score": score})
    comments = {"one": 3, "two": 1}
    for title, n in comments.items():
        for i in range(n):
            fan.ok("POST", "/comment", {"post_id": ids[title], "content": f"comment {i}"})
    return fan, cid, ids


@pytest.mark.parametrize("sort", RANKED)
def test_ranked_sorts_follow_the_formulas(
    scored_community: tuple[Api, int, dict[str, int]], sort: str
) -> None:
    reader, cid, _ = scored_community
    # Stored ranks are each computed when their post last changed; bring them all to one
    # moment, as the scheduler does every few minutes, so they compare like the formula.
    reader.server.moot("admin", "refresh-ranks")
    listed = reader.ok("GET", "/post/list", community_id=cid, sort=sort, limit=50)["posts"]
    now = datetime.now(UTC)
    expected = sorted(
        listed,
        key=lambda v: (
            round(_formula(sort, v, now, 0), 6),
            v["post"]["published"],
            v["post"]["id"],
        ),
        reverse=True,
    )
    assert [v["post"]["id"] for v in listed] == [v["post"]["id"] for v in expected]
    assert len(listed) == 5


def test_plain_sorts(scored_community: tuple[Api, int, dict[str, int]]) -> None:
    reader, cid, ids = scored_community

    def order(sort: str) -> list[int]:
        posts = reader.ok("GET", "/post/list", community_id=cid, sort=sort, limit=50)["posts"]
        return [p["post"]["id"] for p in posts]

    created = [ids[t] for t in ("one", "two", "three", "zero", "mixed")]
    assert order("New") == created[::-1]
    assert order("Old") == created
    assert order("MostComments")[:2] == [ids["one"], ids["two"]]
    assert order("NewComments")[:2] == [ids["two"], ids["one"]]
    for top in ("TopHour", "TopDay", "TopWeek", "TopAll"):
        assert order(top)[0] == ids["three"]
        assert order(top)[-1] == ids["zero"]
    # 1 up, 1 down is (1+1)^1 = 2; 2 up, 1 down is (2+1)^(1/2) ≈ 1.73; the rest have no downs.
    assert math.isclose(ranking.controversy_rank(2, 1), 3**0.5)
    assert order("Controversial")[:2] == [ids["zero"], ids["mixed"]]


@pytest.mark.parametrize("sort", ["Hot", "New", "Old", "TopAll", "MostComments", "Active"])
def test_cursor_pages_walk_the_same_order(
    scored_community: tuple[Api, int, dict[str, int]], sort: str
) -> None:
    reader, cid, _ = scored_community
    whole = [
        p["post"]["id"]
        for p in reader.ok("GET", "/post/list", community_id=cid, sort=sort, limit=50)["posts"]
    ]
    walked: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"community_id": cid, "sort": sort, "limit": 2}
        if cursor:
            params["page_cursor"] = cursor
        page = reader.ok("GET", "/post/list", **params)
        if not page["posts"]:
            break
        walked += [p["post"]["id"] for p in page["posts"]]
        cursor = page["next_page"]
    assert walked == whole


def test_bad_cursor_is_a_clear_error(server: Server) -> None:
    assert Api(server).error("GET", "/post/list", page_cursor="nonsense") == (400, "unknown")


def test_moderator_view_lists_what_one_moderates(server: Server) -> None:
    alice, bob = register(server), register(server)

    def community_of(owner: Api) -> int:
        made = owner.ok("POST", "/community", {"name": unique("modview"), "title": "Mod view"})
        return int(made["community_view"]["community"]["id"])

    def post_in(author: Api, cid: int) -> int:
        made = author.ok("POST", "/post", {"name": "Seen by its moderators", "community_id": cid})
        return int(made["post_view"]["post"]["id"])

    alices, bobs = community_of(alice), community_of(bob)
    # Each writes in the other's community: what a moderator sees is by community, not author.
    in_alices, in_bobs = post_in(bob, alices), post_in(alice, bobs)

    def moderated(api: Api) -> set[int]:
        posts = api.ok("GET", "/post/list", type_="ModeratorView", limit=50)["posts"]
        return {p["post"]["id"] for p in posts}

    assert moderated(alice) == {in_alices}
    assert moderated(bob) == {in_bobs}

    # Comments too, and a moderator's own blocks do not hide what is in their communities.
    def comment_on(author: Api, post_id: int) -> int:
        made = author.ok("POST", "/comment", {"post_id": post_id, "content": "Moderated"})
        return int(made["comment_view"]["comment"]["id"])

    on_alices, on_bobs = comment_on(bob, in_alices), comment_on(alice, in_bobs)
    bob_id = bob.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    alice.ok("POST", "/user/block", {"person_id": bob_id, "block": True})

    def moderated_comments(api: Api) -> set[int]:
        listed = api.ok("GET", "/comment/list", type_="ModeratorView", limit=50)["comments"]
        return {c["comment"]["id"] for c in listed}

    assert moderated_comments(alice) == {on_alices}
    assert moderated_comments(bob) == {on_bobs}


def test_a_thread_is_a_tree_only_with_max_depth(server: Server) -> None:
    """With max_depth, parents come before their replies; without it, a post's comments
    are a plain page in the sort asked for (Lemmy 0.19)."""
    author = register(server)
    made = author.ok("POST", "/community", {"name": unique("thread"), "title": "Thread"})
    cid = made["community_view"]["community"]["id"]
    post = author.ok("POST", "/post", {"name": "A thread", "community_id": cid})
    post_id = post["post_view"]["post"]["id"]

    def comment(content: str, parent: int | None = None) -> int:
        body: dict[str, Any] = {"post_id": post_id, "content": content}
        if parent is not None:
            body["parent_id"] = parent
        return int(author.ok("POST", "/comment", body)["comment_view"]["comment"]["id"])

    first = comment("First")
    reply = comment("A reply to the first", first)
    last = comment("Last")

    def listed(**params: Any) -> list[int]:
        found = author.ok(
            "GET", "/comment/list", post_id=post_id, sort="New", type_="All", **params
        )
        return [c["comment"]["id"] for c in found["comments"]]

    assert listed() == [last, reply, first]
    assert listed(max_depth=5) == [last, first, reply]
    assert listed(limit=2, page=2) == [first]  # a plain page pages
    assert listed(parent_id=first) == [reply, first]
    assert listed(parent_id=first, max_depth=5) == [first, reply]


SUBSCRIBED_SORTS = (
    "Hot",
    "Active",
    "Scaled",
    "Controversial",
    "New",
    "Old",
    "NewComments",
    "MostComments",
    "TopHour",
    "TopDay",
    "TopWeek",
    "TopYear",
    "TopAll",
)


@pytest.fixture(scope="module")
def subscribed_feed(server: Server, admin: Api) -> Iterator[tuple[Api, set[int], int]]:
    """A member following three communities of 1, 3 and 6 posts (not a fourth, with posts of
    its own), one post featured on the site and one in its community, some votes. The
    site-wide pin is taken back afterwards: the server's front page is shared."""
    author, member = register(server), register(server)
    followed: set[int] = set()
    featured_local = 0
    for size, follow in ((1, True), (3, True), (6, True), (4, False)):
        made = author.ok("POST", "/community", {"name": unique("subs"), "title": "Subscribed"})
        cid = made["community_view"]["community"]["id"]
        if follow:
            member.ok("POST", "/community/follow", {"community_id": cid, "follow": True})
        ids = []
        for i in range(size):
            created = author.ok("POST", "/post", {"name": f"Post {i}", "community_id": cid})
            ids.append(created["post_view"]["post"]["id"])
        if follow:
            followed.update(ids)
        for i, post_id in enumerate(ids):
            if i % 3 == 1:
                member.ok("POST", "/post/like", {"post_id": post_id, "score": 1})
            if i % 3 == 2:
                member.ok("POST", "/post/like", {"post_id": post_id, "score": -1})
                member.ok("POST", "/comment", {"post_id": post_id, "content": "a comment"})
        if size == 3:
            featured_local = ids[0]
            admin.ok(
                "POST",
                "/post/feature",
                {"post_id": ids[0], "featured": True, "feature_type": "Local"},
            )
        if size == 6:
            author.ok(
                "POST",
                "/post/feature",
                {"post_id": ids[2], "featured": True, "feature_type": "Community"},
            )
    yield member, followed, featured_local
    admin.ok(
        "POST",
        "/post/feature",
        {"post_id": featured_local, "featured": False, "feature_type": "Local"},
    )


def _feed_key(sort: str, view: dict[str, Any], now: datetime) -> tuple[Any, ...]:
    """What the Subscribed feed orders by: featured on the site first, then the sort."""
    counts = view["counts"]
    if sort in RANKED:
        key: tuple[Any, ...] = (round(_formula(sort, view, now, 0), 6), view["post"]["published"])
    elif sort == "NewComments":
        key = (counts["newest_comment_time"],)
    elif sort == "MostComments":
        key = (counts["comments"], view["post"]["published"])
    elif sort.startswith("Top"):
        key = (counts["score"], view["post"]["published"])
    else:
        key = (view["post"]["published"],)
    return (view["post"]["featured_local"], *key, view["post"]["id"])


@pytest.mark.parametrize("sort", SUBSCRIBED_SORTS)
def test_subscribed_reads_each_followed_community_in_order(
    subscribed_feed: tuple[Api, set[int], int], sort: str
) -> None:
    member, followed, featured_local = subscribed_feed
    member.server.moot("admin", "refresh-ranks")

    def listed(**params: Any) -> dict[str, Any]:
        return member.ok("GET", "/post/list", type_="Subscribed", sort=sort, **params)

    whole = listed(limit=50)["posts"]
    ids = [v["post"]["id"] for v in whole]
    assert set(ids) == followed
    assert ids[0] == featured_local
    now = datetime.now(UTC)
    descending = sort != "Old"
    expected = sorted(whole, key=lambda v: _feed_key(sort, v, now), reverse=descending)
    if not descending:  # Old still puts the featured post first
        expected = sorted(expected, key=lambda v: not v["post"]["featured_local"])
    assert ids == [v["post"]["id"] for v in expected]

    walked: list[int] = []
    cursor = None
    for _ in range(10):
        page = listed(limit=3, **({"page_cursor": cursor} if cursor else {}))
        walked += [v["post"]["id"] for v in page["posts"]]
        cursor = page.get("next_page")
        if not page["posts"] or not cursor:
            break
    assert walked == ids
    numbered = [v["post"]["id"] for n in range(1, 5) for v in listed(limit=3, page=n)["posts"]]
    assert numbered == ids
