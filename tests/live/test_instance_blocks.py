"""POST /site/block against a live server: a member's blocked instance hides the posts,
comments and communities of that instance's communities from them (and from nobody else),
in the listings and in search, until they unblock it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Api, register, unique
from tests.servers import Server


@dataclass(frozen=True)
class World:
    token: str
    domain: str
    far_instance: int  # the remote instance's id
    blocker: Api
    onlooker: Api
    ids: dict[str, int]


def _id(data: dict[str, Any], kind: str) -> int:
    return int(data[f"{kind}_view"][kind]["id"])


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    token = f"{unique('iblk')}x"
    author, blocker, onlooker = register(server), register(server), register(server)
    ids: dict[str, int] = {}
    for key in ("home", "far"):
        made = author.ok("POST", "/community", {"name": f"{token}_{key}", "title": f"{key} place"})
        ids[key] = _id(made, "community")
        post = author.ok(
            "POST", "/post", {"name": f"{key.title()} {token}", "community_id": ids[key]}
        )
        ids[f"{key}_post"] = _id(post, "post")
        comment = onlooker.ok(
            "POST", "/comment", {"post_id": ids[f"{key}_post"], "content": f"on {key} {token}"}
        )
        ids[f"{key}_comment"] = _id(comment, "comment")
    # The "far" community becomes one of another server's, as federation would leave it
    # (cheaper than a peer); the published time is copied so each backend stores its own
    # format.
    domain = f"{token}.example"
    server.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE community SET local = false, "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') "
        f"WHERE id = {ids['far']}",
    )
    far = author.ok("GET", "/community", id=ids["far"])["community_view"]["community"]
    assert far["local"] is False
    return World(token, domain, int(far["instance_id"]), blocker, onlooker, ids)


def _block(api: Api, instance_id: int, block: bool) -> None:
    data = api.ok("POST", "/site/block", {"instance_id": instance_id, "block": block})
    assert data == {"blocked": block}


def _posts(api: Api, **params: Any) -> list[int]:
    data = api.ok("GET", "/post/list", type_="All", sort="New", limit=50, **params)
    return [int(v["post"]["id"]) for v in data["posts"]]


def _comments(api: Api, **params: Any) -> list[int]:
    data = api.ok("GET", "/comment/list", type_="All", sort="New", limit=50, **params)
    return [int(v["comment"]["id"]) for v in data["comments"]]


def _search(api: Api, q: str) -> dict[str, list[int]]:
    data = api.ok("GET", "/search", q=q, type_="All", listing_type="All")
    return {
        "posts": [int(v["post"]["id"]) for v in data["posts"]],
        "comments": [int(v["comment"]["id"]) for v in data["comments"]],
        "communities": [int(v["community"]["id"]) for v in data["communities"]],
    }


def _seen(w: World, api: Api) -> dict[str, bool]:
    """Which of the far community's things `api` sees, everywhere they are listed."""
    ids = w.ids
    found = _search(api, w.token)
    return {
        "front": ids["far_post"] in _posts(api),
        "community": _posts(api, community_id=ids["far"]) == [ids["far_post"]],
        "comments": ids["far_comment"] in _comments(api),
        "thread": _comments(api, post_id=ids["far_post"]) == [ids["far_comment"]],
        "search_post": ids["far_post"] in found["posts"],
        "search_comment": ids["far_comment"] in found["comments"],
        "search_community": ids["far"] in found["communities"],
    }


def test_block_hides_that_instance_for_the_blocker_only(world: World) -> None:
    w, ids = world, world.ids
    everywhere = dict.fromkeys(_seen(w, w.blocker), True)
    nowhere = dict.fromkeys(everywhere, False)
    assert _seen(w, w.blocker) == everywhere
    _block(w.blocker, w.far_instance, True)
    try:
        assert _seen(w, w.blocker) == nowhere
        assert _seen(w, w.onlooker) == everywhere
        # The local community's content is untouched.
        assert ids["home_post"] in _posts(w.blocker)
        assert ids["home_comment"] in _comments(w.blocker)
        found = _search(w.blocker, w.token)
        assert found["posts"] == [ids["home_post"]]
        assert found["comments"] == [ids["home_comment"]]
        assert found["communities"] == [ids["home"]]
        _block(w.blocker, w.far_instance, True)  # blocking again changes nothing
        assert _seen(w, w.blocker) == nowhere
    finally:
        _block(w.blocker, w.far_instance, False)
    assert _seen(w, w.blocker) == everywhere
    _block(w.blocker, w.far_instance, False)  # unblocking again is no error


def test_get_site_lists_the_blocks(world: World) -> None:
    w = world
    api = register(w.blocker.server)
    assert api.ok("GET", "/site")["my_user"]["instance_blocks"] == []
    _block(api, w.far_instance, True)
    site = api.ok("GET", "/site")
    me = site["my_user"]["local_user_view"]["person"]
    blocks = site["my_user"]["instance_blocks"]
    assert [(b["person"]["id"], b["instance"]["id"], b["instance"]["domain"]) for b in blocks] == [
        (me["id"], w.far_instance, w.domain)
    ]
    assert "site" not in blocks[0]  # no Site actor of that instance is known here
    # Nobody else's my_user shows it.
    assert w.onlooker.ok("GET", "/site")["my_user"]["instance_blocks"] == []
    _block(api, w.far_instance, False)
    assert api.ok("GET", "/site")["my_user"]["instance_blocks"] == []


def test_refusals(world: World) -> None:
    w = world
    me = w.blocker.ok("GET", "/site")["my_user"]["local_user_view"]["person"]
    local = int(me["instance_id"])
    assert w.blocker.error("POST", "/site/block", {"instance_id": local, "block": True}) == (
        400,
        "cant_block_local_instance",
    )
    assert w.blocker.ok("GET", "/site")["my_user"]["instance_blocks"] == []
    # Lemmy's insert fails on the foreign key with this code; there is no "not found".
    assert w.blocker.error(
        "POST", "/site/block", {"instance_id": 2_000_000_000, "block": True}
    ) == (400, "instance_block_already_exists")
    anonymous = Api(w.blocker.server)
    assert anonymous.error(
        "POST", "/site/block", {"instance_id": w.far_instance, "block": True}
    ) == (401, "incorrect_login")
