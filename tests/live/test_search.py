"""GET /search against a live server: every search type, its filters and sorts, and what a
listing hides (deleted, removed, nsfw, blocked people) kept hidden; then pythorhead's call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pythorhead import Lemmy
from pythorhead.types import SearchType, SortType

from tests.conftest import Api, register, unique
from tests.servers import Server

PASSWORD = "password-123"


@dataclass(frozen=True)
class World:
    """Content whose every searchable text carries `token`, which nothing else contains."""

    token: str
    anon: Api
    author: Api
    fan: Api
    blocker: Api
    nsfw_reader: Api
    ids: dict[str, int]


def _id(data: dict[str, Any], kind: str) -> int:
    return int(data[f"{kind}_view"][kind]["id"])


@pytest.fixture(scope="module")
def world(server: Server, admin: Api) -> World:
    # A digit before the "x" ends the token, so "srch12x" is not inside "srch123x".
    token = f"{unique('srch')}x"
    author_name, spammer_name, remote_name = f"{token}a", f"{token}s", f"{token}r"
    author = register(server, author_name)
    fan, blocker, nsfw_reader = register(server), register(server), register(server)
    spammer = register(server, spammer_name)
    remote = register(server, remote_name)
    shown = register(server)
    shown.ok("PUT", "/user/save_user_settings", {"display_name": f"Shown {token.upper()}"})
    nsfw_reader.ok("PUT", "/user/save_user_settings", {"show_nsfw": True})
    ids: dict[str, int] = {}
    ids["author"] = _person_id(author)
    ids["spammer"] = _person_id(spammer)
    ids["remote"] = _person_id(remote)
    ids["shown"] = _person_id(shown)

    one = author.ok("POST", "/community", {"name": f"{token}_one", "title": "First place"})
    two = author.ok("POST", "/community", {"name": "elsewhere" + token[4:], "title": f"{token} 2"})
    ids["one"], ids["two"] = _id(one, "community"), _id(two, "community")
    fan.ok("POST", "/community/follow", {"community_id": ids["one"], "follow": True})

    def post(key: str, who: Api, name: str, **extra: Any) -> int:
        body = {"name": name, "community_id": extra.pop("community_id", ids["one"]), **extra}
        ids[key] = _id(who.ok("POST", "/post", body), "post")
        return ids[key]

    post("alpha", author, f"Alpha {token}")
    post("beta", author, f"BETA {token.upper()} in capitals")
    post("gamma", author, "Gamma", body=f"the word {token} only in the body")
    post("link", author, "A link", url=f"https://example.com/{token}/page")
    post("elsewhere", author, f"Elsewhere {token}", community_id=ids["two"])
    post("nsfw", author, f"Unsafe {token}", nsfw=True)
    gone = post("deleted", author, f"Gone {token}")
    author.ok("POST", "/post/delete", {"post_id": gone, "deleted": True})
    admin.ok(
        "POST",
        "/post/remove",
        {"post_id": post("removed", author, f"Removed {token}"), "removed": True, "reason": "x"},
    )
    post("spam", spammer, f"Spam {token}")
    blocker.ok("POST", "/user/block", {"person_id": ids["spammer"], "block": True})
    # Top: beta +2, alpha +1 (both by voters other than the author, whose own vote is +1).
    for voter, key in ((fan, "beta"), (blocker, "beta"), (fan, "alpha")):
        voter.ok("POST", "/post/like", {"post_id": ids[key], "score": 1})

    def comment(key: str, who: Api, content: str, post_key: str = "alpha") -> int:
        body = {"post_id": ids[post_key], "content": content}
        ids[key] = _id(who.ok("POST", "/comment", body), "comment")
        return ids[key]

    comment("c_first", fan, f"first {token}")
    comment("c_second", author, f"second {token.upper()}")
    comment("c_third", fan, f"third {token}", post_key="elsewhere")
    comment("c_spam", spammer, f"spam {token}")
    gone = comment("c_deleted", fan, f"deleted {token}")
    fan.ok("POST", "/comment/delete", {"comment_id": gone, "deleted": True})
    comment("c_nsfw", fan, f"under nsfw {token}", post_key="nsfw")
    blocker.ok("POST", "/comment/like", {"comment_id": ids["c_second"], "score": 1})

    # A remote community and person, as federation would leave them (cheaper than a peer).
    server.make_remote(
        f"UPDATE community SET local = false WHERE id = {ids['two']}",
        f"UPDATE person SET local = false WHERE id = {ids['remote']}",
    )
    return World(token, Api(server), author, fan, blocker, nsfw_reader, ids)


def _person_id(api: Api) -> int:
    site = api.ok("GET", "/site")
    return int(site["my_user"]["local_user_view"]["person"]["id"])


def _search(api: Api, q: str, **params: Any) -> dict[str, Any]:
    return api.ok("GET", "/search", q=q, **params)


def _posts(data: dict[str, Any]) -> list[int]:
    return [int(v["post"]["id"]) for v in data["posts"]]


def _comments(data: dict[str, Any]) -> list[int]:
    return [int(v["comment"]["id"]) for v in data["comments"]]


def _communities(data: dict[str, Any]) -> list[int]:
    return [int(v["community"]["id"]) for v in data["communities"]]


def _users(data: dict[str, Any]) -> list[int]:
    return [int(v["person"]["id"]) for v in data["users"]]


def test_posts_match_title_and_body_in_any_case(world: World) -> None:
    i = world.ids
    found = _search(world.anon, world.token.upper(), type_="Posts", sort="New")
    assert found["type_"] == "Posts"
    assert _posts(found) == [i["spam"], i["elsewhere"], i["gamma"], i["beta"], i["alpha"]]
    assert found["comments"] == found["communities"] == found["users"] == []
    titles = _search(world.anon, world.token, type_="Posts", sort="New", post_title_only=True)
    assert i["gamma"] not in _posts(titles) and i["beta"] in _posts(titles)
    # Lemmy's fuzzy match: a space stands for any run of characters.
    assert _posts(_search(world.anon, f"beta {world.token}", type_="Posts")) == [i["beta"]]


def test_posts_sort_new_old_top(world: World) -> None:
    i = world.ids
    old = _posts(_search(world.anon, world.token, type_="Posts", sort="Old"))
    assert old == [i["alpha"], i["beta"], i["gamma"], i["elsewhere"], i["spam"]]
    top = _posts(_search(world.anon, world.token, type_="Posts", sort="TopAll"))
    # Score, then newest first among equals.
    assert top == [i["beta"], i["alpha"], i["spam"], i["elsewhere"], i["gamma"]]
    day = _posts(_search(world.anon, world.token, type_="Posts", sort="TopDay"))
    assert day == top


def test_hidden_content_stays_hidden(world: World) -> None:
    i = world.ids
    for api in (world.anon, world.author, world.fan):
        found = _posts(_search(api, world.token, type_="Posts"))
        assert not {i["deleted"], i["removed"], i["nsfw"]} & set(found)
    assert i["nsfw"] in _posts(_search(world.nsfw_reader, world.token, type_="Posts"))
    assert i["c_nsfw"] in _comments(_search(world.nsfw_reader, world.token, type_="Comments"))
    comments = _comments(_search(world.fan, world.token, type_="Comments"))
    assert i["c_first"] in comments
    assert i["c_deleted"] not in comments and i["c_nsfw"] not in comments


def test_a_blocked_person_is_hidden_from_the_blocker_only(world: World) -> None:
    i = world.ids
    blocker = _search(world.blocker, world.token, type_="All")
    assert i["spam"] not in _posts(blocker) and i["c_spam"] not in _comments(blocker)
    assert i["alpha"] in _posts(blocker) and i["c_first"] in _comments(blocker)
    anon = _search(world.anon, world.token, type_="All")
    assert i["spam"] in _posts(anon) and i["c_spam"] in _comments(anon)


def test_comments_match_content_and_sort(world: World) -> None:
    i = world.ids
    new = _search(world.anon, world.token, type_="Comments", sort="New")
    assert new["posts"] == [] and new["type_"] == "Comments"
    assert _comments(new) == [i["c_spam"], i["c_third"], i["c_second"], i["c_first"]]
    old = _comments(_search(world.anon, world.token, type_="Comments", sort="Old"))
    assert old == [i["c_first"], i["c_second"], i["c_third"], i["c_spam"]]
    # TopDay maps to the comment sort Top: score, then the newest id first.
    top = _comments(_search(world.anon, world.token, type_="Comments", sort="TopDay"))
    assert top == [i["c_second"], i["c_spam"], i["c_third"], i["c_first"]]


def test_communities_match_name_or_title_and_sort(world: World) -> None:
    i = world.ids
    new = _search(world.anon, world.token, type_="Communities", sort="New")
    assert _communities(new) == [i["two"], i["one"]] and new["posts"] == []
    old = _communities(_search(world.anon, world.token, type_="Communities", sort="Old"))
    assert old == [i["one"], i["two"]]
    # TopAll orders communities by subscribers: one has the author and the fan.
    top = _communities(_search(world.anon, world.token, type_="Communities", sort="TopAll"))
    assert top == [i["one"], i["two"]]


def test_users_match_name_or_display_name_and_sort(world: World) -> None:
    i = world.ids
    new = _search(world.anon, world.token, type_="Users", sort="New")
    assert _users(new) == [i["shown"], i["remote"], i["spammer"], i["author"]]
    old = _users(_search(world.anon, world.token, type_="Users", sort="Old"))
    assert old == [i["author"], i["spammer"], i["remote"], i["shown"]]
    # Top sorts map to comment score: the author's comment has +2, the spammer's +1.
    top = _users(_search(world.anon, world.token, type_="Users", sort="TopAll"))
    assert top[:2] == [i["author"], i["spammer"]]


def test_url_search_is_an_exact_match(world: World) -> None:
    url = f"https://example.com/{world.token}/page"
    found = _search(world.anon, url, type_="Url")
    assert found["type_"] == "Url" and _posts(found) == [world.ids["link"]]
    assert _search(world.anon, f"example.com/{world.token}", type_="Url")["posts"] == []


def test_all_searches_every_kind(world: World) -> None:
    i = world.ids
    found = _search(world.anon, world.token, limit=50)
    assert found["type_"] == "All"
    assert set(_posts(found)) == {i["alpha"], i["beta"], i["gamma"], i["elsewhere"], i["spam"]}
    assert set(_comments(found)) == {i["c_first"], i["c_second"], i["c_third"], i["c_spam"]}
    assert set(_communities(found)) == {i["one"], i["two"]}
    assert set(_users(found)) == {i["author"], i["spammer"], i["remote"], i["shown"]}


def test_community_and_creator_filters(world: World) -> None:
    i = world.ids
    inside = _search(world.anon, world.token, community_id=i["two"])
    assert _posts(inside) == [i["elsewhere"]] and _comments(inside) == [i["c_third"]]
    assert inside["communities"] == inside["users"] == []  # All skips them when narrowed
    by_name = _search(world.anon, world.token, community_name=f"{world.token}_one", sort="New")
    assert _posts(by_name) == [i["spam"], i["gamma"], i["beta"], i["alpha"]]
    mine = _search(world.anon, world.token, creator_id=i["spammer"])
    assert _posts(mine) == [i["spam"]] and _comments(mine) == [i["c_spam"]]
    assert mine["communities"] == mine["users"] == []
    # A type of its own still lists communities with a creator given.
    with_creator = _search(world.anon, world.token, type_="Communities", creator_id=i["spammer"])
    assert set(_communities(with_creator)) == {i["one"], i["two"]}
    code, error = world.anon.error("GET", "/search", q=world.token, community_name="nowhere_x")
    assert (code, error) == (404, "couldnt_find_community")


def test_listing_type_local_leaves_remote_out(world: World) -> None:
    i = world.ids
    every = _search(world.anon, world.token, listing_type="All", limit=50)
    local = _search(world.anon, world.token, listing_type="Local", limit=50)
    assert i["elsewhere"] in _posts(every) and i["elsewhere"] not in _posts(local)
    assert i["c_third"] in _comments(every) and i["c_third"] not in _comments(local)
    assert _communities(local) == [i["one"]] and i["two"] in _communities(every)
    assert i["remote"] in _users(every) and i["remote"] not in _users(local)
    assert set(_posts(local)) == {i["alpha"], i["beta"], i["gamma"], i["spam"]}
    subscribed = _search(world.fan, world.token, type_="Communities", listing_type="Subscribed")
    assert _communities(subscribed) == [i["one"]]


def test_page_and_limit(world: World) -> None:
    i = world.ids
    second = _search(world.anon, world.token, type_="Posts", sort="Old", limit=2, page=2)
    assert _posts(second) == [i["gamma"], i["elsewhere"]]
    assert len(_search(world.anon, world.token, limit=50)["posts"]) == 5
    for bad in ({"limit": 51}, {"limit": 0}, {"page": 0}, {"page": -3}):
        code, error = world.anon.error("GET", "/search", q=world.token, **bad)
        assert (code, error) == (400, "unknown"), bad


def test_empty_or_missing_q_is_answered(world: World) -> None:
    everything = world.anon.ok("GET", "/search", type_="Communities", sort="New", limit=50)
    assert world.ids["two"] in _communities(everything)
    empty = _search(world.anon, "", creator_id=world.ids["spammer"])
    assert _posts(empty) == [world.ids["spam"]]
    # LIKE wildcards in q are literal text: as patterns, both would find the author.
    assert _search(world.anon, f"{world.token}%", type_="All")["posts"] == []
    underscore = _search(world.anon, f"{world.token}_", type_="All")
    assert underscore["users"] == [] and _communities(underscore) == [world.ids["one"]]


def test_pythorhead_search(server: Server, world: World) -> None:
    lemmy = Lemmy(server.url, raise_exceptions=True, request_timeout=30)
    found = lemmy.search(world.token, type_=SearchType.Posts, sort=SortType.Old, limit=3)
    assert found is not None
    assert [p["post"]["id"] for p in found["posts"]] == [
        world.ids["alpha"],
        world.ids["beta"],
        world.ids["gamma"],
    ]
    people = lemmy.search(world.token, type_=SearchType.Users, sort=SortType.New)
    assert people is not None
    assert people["users"][-1]["person"]["name"] == f"{world.token}a"
