"""Lemmy 1.0's member filters against a live server, on both backends: keyword filters
(PUT /user/save_user_settings `blocking_keywords`, v4's field accepted by v3) and blocks of
an instance's persons (the web form that calls `instance_blocks.block_instance_persons`,
which v4's /account/block/instance/persons will call). Each hides what it names from the
member who set it, in every listing, and from nobody else; limits are refused with Lemmy
1.0's codes; saving or blocking twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from moot.actions.keyword_blocks import MAX_KEYWORDS
from moot.errors import ErrorCode as E
from tests.conftest import Api, register, unique
from tests.servers import Server

SORTS = ("New", "Hot", "Old", "TopDay", "MostComments")


@dataclass(frozen=True)
class World:
    server: Server
    token: str
    member: Api
    onlooker: Api
    member_jwt: str
    far_instance: int
    far_domain: str
    ids: dict[str, int]


def _id(data: dict[str, Any], kind: str) -> int:
    return int(data[f"{kind}_view"][kind]["id"])


def _jwt(api: Api) -> str:
    return str(api.http.headers["Authorization"]).removeprefix("Bearer ")


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    token = f"{unique('kw')}x"
    author, member, onlooker, far = (register(server) for _ in range(4))
    ids: dict[str, int] = {}
    ids["community"] = _id(
        author.ok("POST", "/community", {"name": f"{token}_c", "title": "Filters"}), "community"
    )
    posts = {
        "title": {"name": f"All about Cats {token}"},
        "body": {"name": f"Pets {token}", "body": "I like DOGS a lot"},
        "url": {"name": f"Read {token}", "url": "https://news.example/zebra-story"},
        "literal": {"name": f"axb and 1000 {token}"},  # not matched by a_b nor 100%
        "plain": {"name": f"Nothing to hide {token}", "body": "calm"},
    }
    for key, fields in posts.items():
        made = author.ok("POST", "/post", {**fields, "community_id": ids["community"]})
        ids[key] = _id(made, "post")
    # A person of another server: a post, a comment, a reply to the member, a message.
    ids["far_post"] = _id(
        far.ok("POST", "/post", {"name": f"Far {token}", "community_id": ids["community"]}),
        "post",
    )
    mine = member.ok("POST", "/comment", {"post_id": ids["plain"], "content": f"me {token}"})
    ids["mine"] = _id(mine, "comment")
    ids["far_comment"] = _id(
        far.ok(
            "POST",
            "/comment",
            {"post_id": ids["plain"], "content": f"far {token}", "parent_id": ids["mine"]},
        ),
        "comment",
    )
    member_id = int(member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"])
    far_id = int(far.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"])
    far.ok("POST", "/private_message", {"content": f"hello {token}", "recipient_id": member_id})
    for api in (member, onlooker):
        api.ok("POST", "/community/follow", {"community_id": ids["community"], "follow": True})
    domain = f"{token}.example"
    server.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE person SET local = false, "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') WHERE id = {far_id}",
        f"UPDATE post SET instance_id = (SELECT id FROM instance WHERE domain = '{domain}') "
        f"WHERE creator_id = {far_id}",
    )
    far_view = onlooker.ok("GET", "/user", person_id=far_id)["person_view"]["person"]
    assert far_view["local"] is False
    return World(
        server, token, member, onlooker, _jwt(member), int(far_view["instance_id"]), domain, ids
    )


def _posts(api: Api, **params: Any) -> set[int]:
    """The ids a listing shows, every page of it: on a server other tests share, this
    test's posts may come after the first page (oldest first, fewest comments first)."""
    query = {"type_": "All", "sort": "New", **params}
    found: set[int] = set()
    for _ in range(200):
        data = api.ok("GET", "/post/list", limit=50, **query)
        found |= {int(v["post"]["id"]) for v in data["posts"]}
        if len(data["posts"]) < 50:
            return found
        query["page_cursor"] = data["next_page"]
    raise AssertionError("more than 10,000 posts listed")


def _keywords(w: World, keywords: list[str]) -> None:
    assert w.member.ok("PUT", "/user/save_user_settings", {"blocking_keywords": keywords}) == {
        "success": True
    }


def _listings(w: World, api: Api) -> list[set[int]]:
    """Every post listing the member may read the community's posts in."""
    c = w.ids["community"]
    seen = [_posts(api, sort=sort) for sort in SORTS]
    seen += [_posts(api, type_=t) for t in ("Local", "Subscribed")]
    seen += [_posts(api, community_id=c, sort=sort) for sort in ("New", "Hot")]
    seen.append(_posts(api, type_="Subscribed", sort="TopDay"))
    search = api.ok("GET", "/search", q=w.token, type_="Posts", listing_type="All", limit=50)
    seen.append({int(v["post"]["id"]) for v in search["posts"]})
    return seen


def test_keywords_hide_posts_from_the_member_only(world: World) -> None:
    w, ids = world, world.ids
    every = {ids[k] for k in ("title", "body", "url", "literal", "plain", "far_post")}
    for seen in _listings(w, w.member):
        assert every <= seen
    _keywords(w, ["cats", "  Dogs ", "ZEBRA", "a_b", "100%"])
    try:
        hidden = {ids["title"], ids["body"], ids["url"]}
        for seen in _listings(w, w.member):
            assert not hidden & seen, "a filtered post is listed"
            assert {ids["literal"], ids["plain"], ids["far_post"]} <= seen
        for seen in _listings(w, w.onlooker):
            assert every <= seen
        # A post opened on purpose, and the saved list, still show it.
        assert (
            w.member.ok("GET", "/post", id=ids["title"])["post_view"]["post"]["id"] == ids["title"]
        )
        w.member.ok("PUT", "/post/save", {"post_id": ids["body"], "save": True})
        assert ids["body"] in _posts(w.member, saved_only=True)
        # The same list again changes nothing.
        _keywords(w, ["cats", "Dogs", "zebra", "a_b", "100%"])
        for seen in _listings(w, w.member):
            assert not hidden & seen
    finally:
        _keywords(w, [])
    for seen in _listings(w, w.member):
        assert every <= seen


@pytest.mark.parametrize(
    ("keywords", "code"),
    [
        (["ab"], E.BLOCK_KEYWORD_TOO_SHORT),
        (["  ab   "], E.BLOCK_KEYWORD_TOO_SHORT),
        ([""], E.BLOCK_KEYWORD_TOO_SHORT),
        (["x" * 51], E.BLOCK_KEYWORD_TOO_LONG),
        ([f"word{n}" for n in range(MAX_KEYWORDS + 1)], E.TOO_MANY_ITEMS),
    ],
)
def test_keyword_limits(world: World, keywords: list[str], code: E) -> None:
    _keywords(world, ["cats"])
    try:
        status, error = world.member.error(
            "PUT", "/user/save_user_settings", {"blocking_keywords": keywords}
        )
        assert (status, error) == (400, code.value)
        # Refused as a whole: the list before is kept, and so is every other setting sent.
        assert world.ids["title"] not in _posts(world.member)
    finally:
        _keywords(world, [])


def test_keyword_limits_are_inclusive(world: World) -> None:
    """3 and 50 characters, MAX_KEYWORDS keywords (repeats in another case count once)."""
    fine = ["abc", "y" * 50, *[f"word{n}" for n in range(MAX_KEYWORDS - 2)], "ABC", "Abc"]
    _keywords(world, fine)
    _keywords(world, [])


def _web_form(w: World, path: str, fields: dict[str, str]) -> httpx.Response:
    """A settings form posted as the member's browser posts it (login and CSRF cookies)."""
    with httpx.Client(
        base_url=w.server.url, cookies={"jwt": w.member_jwt}, headers={"Accept": "text/html"}
    ) as client:
        client.get("/login")
        token = client.cookies.get("csrftoken")
        assert token
        return client.post(path, data={**fields, "_csrf_token": token})


def _block_persons(w: World, block: bool) -> None:
    fields = {"instance_id": str(w.far_instance), "block": "1" if block else "0"}
    answer = _web_form(w, "/settings/block_instance_persons", fields)
    assert answer.status_code == 303, answer.text


def _far_seen(w: World, api: Api) -> dict[str, bool]:
    ids = w.ids
    comments = api.ok("GET", "/comment/list", post_id=ids["plain"], type_="All")["comments"]
    everywhere = api.ok("GET", "/comment/list", type_="All", sort="New", limit=50)["comments"]
    found = {f"posts {sort}": ids["far_post"] in _posts(api, sort=sort) for sort in SORTS} | {
        "community": ids["far_post"] in _posts(api, community_id=ids["community"]),
        "subscribed": ids["far_post"] in _posts(api, type_="Subscribed"),
        "thread": ids["far_comment"] in {int(c["comment"]["id"]) for c in comments},
        "comments": ids["far_comment"] in {int(c["comment"]["id"]) for c in everywhere},
    }
    if api is w.member:
        pms = api.ok("GET", "/private_message/list", unread_only=False)["private_messages"]
        replies = api.ok("GET", "/user/replies", unread_only=False, sort="New")["replies"]
        found |= {
            "message": any(w.token in m["private_message"]["content"] for m in pms),
            "reply": any(int(r["comment"]["id"]) == ids["far_comment"] for r in replies),
        }
    return found


def test_blocking_an_instances_persons(world: World) -> None:
    w = world
    every = dict.fromkeys(_far_seen(w, w.member), True)
    assert _far_seen(w, w.member) == every
    _block_persons(w, True)
    try:
        assert _far_seen(w, w.member) == dict.fromkeys(every, False)
        assert all(_far_seen(w, w.onlooker).values())
        _block_persons(w, True)  # again: nothing changes
        assert not any(_far_seen(w, w.member).values())
        # The other half is apart: the local community's posts by others stay.
        assert w.ids["plain"] in _posts(w.member)
    finally:
        _block_persons(w, False)
    assert _far_seen(w, w.member) == every
    _block_persons(w, False)  # unblocking again: nothing changes
    assert _far_seen(w, w.member) == every


def test_blocking_communities_is_the_other_half(world: World) -> None:
    """The far instance has no community here: blocking its communities hides none of its
    persons' posts in a local community (Lemmy 0.19's BlockInstance, unchanged)."""
    w = world
    w.member.ok("POST", "/site/block", {"instance_id": w.far_instance, "block": True})
    try:
        assert w.ids["far_post"] in _posts(w.member)
    finally:
        w.member.ok("POST", "/site/block", {"instance_id": w.far_instance, "block": False})


def test_instance_person_block_refusals(world: World) -> None:
    w = world
    local = int(w.member.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["instance_id"])
    answer = _web_form(
        w, "/settings/block_instance_persons", {"instance_id": str(local), "block": "1"}
    )
    assert answer.status_code == 400
    assert "You cannot block your own server." in answer.text
    unknown = _web_form(
        w, "/settings/block_instance_persons", {"domain": "nowhere.invalid", "block": "1"}
    )
    assert unknown.status_code == 400
    assert "That server is not known here." in unknown.text


def _from(api: Api, ip: str) -> Api:
    """`api`'s member from an address of their own (a backup is allowed once a day per
    address)."""
    return Api(api.server, _jwt(api), ip=ip)


def test_a_lemmy_1_backup_brings_the_filters(world: World) -> None:
    """POST /user/import_settings takes Lemmy 1.0's lists too (instances by domain,
    keywords): they are added to the member's own; an unknown server is skipped. v3's
    export carries none of them (its shape is Lemmy 0.19's); `backed_up_filters` is what
    v4's export adds."""
    w, ids = world, world.ids
    newcomer = _from(register(w.server), "203.0.113.41")
    backup = {
        "blocked_instances_persons": [w.far_domain.upper()],
        "blocked_instances_communities": ["unknown-server.invalid"],
        "blocking_keywords": ["cats", "ab"],  # one too short: the keywords are refused
    }
    assert newcomer.ok("POST", "/user/import_settings", backup) == {"success": True}
    seen = _posts(newcomer)
    assert ids["far_post"] not in seen
    assert {ids["title"], ids["plain"]} <= seen  # the keyword list was refused as a whole
    _keywords(w, ["cats"])
    try:
        exported = _from(w.member, "203.0.113.42").ok("GET", "/user/export_settings")
    finally:
        _keywords(w, [])
    assert "blocked_users" in exported
    assert not {"blocked_instances_persons", "blocking_keywords"} & set(exported)
    later = _from(register(w.server), "203.0.113.43")
    later.ok("POST", "/user/import_settings", {"blocking_keywords": ["cats", "dogs"]})
    seen = _posts(later)
    assert ids["title"] not in seen and ids["body"] not in seen and ids["plain"] in seen
