"""Communities some viewers may not see, against a live server: a removed or deleted
community opens only for its moderators and the admins (API and web; its posts leave the
listings), and /community/list leaves out what the viewer blocked, a community or a whole
instance, for the blocker only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from moot.errors import ErrorCode
from tests.conftest import Api, register, unique
from tests.servers import Server

MISSING = ErrorCode.COULDNT_FIND_COMMUNITY.value


@dataclass(frozen=True)
class Gone:
    owner: Api  # creates and moderates every community here
    member: Api
    admin: Api
    names: dict[str, str]  # removed, deleted, kept
    ids: dict[str, int]  # the same keys, and f"{key}_post"


def _token(api: Api) -> str:
    return str(api.http.headers["Authorization"]).removeprefix("Bearer ")


@pytest.fixture(scope="module")
def gone(server: Server, admin: Api) -> Gone:
    owner, member = register(server), register(server)
    names: dict[str, str] = {}
    ids: dict[str, int] = {}
    for key in ("removed", "deleted", "kept"):
        names[key] = unique(f"g{key[:3]}")
        made = owner.ok("POST", "/community", {"name": names[key], "title": f"The {key} one"})
        ids[key] = int(made["community_view"]["community"]["id"])
        post = owner.ok(
            "POST", "/post", {"name": f"Post in {names[key]}", "community_id": ids[key]}
        )
        ids[f"{key}_post"] = int(post["post_view"]["post"]["id"])
    admin.ok("POST", "/community/remove", {"community_id": ids["removed"], "removed": True})
    owner.ok("POST", "/community/delete", {"community_id": ids["deleted"], "deleted": True})
    return Gone(owner, member, admin, names, ids)


def test_removed_and_deleted_communities_are_gone_for_others(gone: Gone, server: Server) -> None:
    anon = Api(server)
    for key in ("removed", "deleted"):
        for api in (anon, gone.member):
            assert api.error("GET", "/community", id=gone.ids[key]) == (404, MISSING), key
            assert api.error("GET", "/community", name=gone.names[key]) == (404, MISSING), key
    for api in (anon, gone.member):
        view = api.ok("GET", "/community", id=gone.ids["kept"])["community_view"]
        assert view["community"]["name"] == gone.names["kept"]


def test_moderators_and_admins_still_open_them(gone: Gone) -> None:
    for api in (gone.owner, gone.admin):
        removed = api.ok("GET", "/community", id=gone.ids["removed"])
        assert removed["community_view"]["community"]["removed"] is True
        assert [m["moderator"]["id"] for m in removed["moderators"]] == [
            gone.owner.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
        ]
        deleted = api.ok("GET", "/community", name=gone.names["deleted"])
        assert deleted["community_view"]["community"]["deleted"] is True


def _post_ids(api: Api, **params: Any) -> set[int]:
    data = api.ok("GET", "/post/list", type_="All", sort="New", limit=50, **params)
    return {int(v["post"]["id"]) for v in data["posts"]}


def test_their_posts_leave_the_listings(gone: Gone, server: Server) -> None:
    for api in (Api(server), gone.member, gone.owner):
        shown = _post_ids(api)
        assert gone.ids["kept_post"] in shown
        assert gone.ids["removed_post"] not in shown
        assert gone.ids["deleted_post"] not in shown
        listed = api.ok("GET", "/community/list", type_="All", sort="New", limit=50)
        listed_ids = {int(v["community"]["id"]) for v in listed["communities"]}
        assert gone.ids["kept"] in listed_ids
        assert not listed_ids & {gone.ids["removed"], gone.ids["deleted"]}


def _page(server: Server, path: str, api: Api | None = None) -> httpx.Response:
    cookies = {"jwt": _token(api)} if api is not None else {}
    return httpx.get(
        server.url + path, headers={"Accept": "text/html"}, cookies=cookies, timeout=30
    )


def test_the_web_page_is_a_404_for_others(gone: Gone, server: Server) -> None:
    for key in ("removed", "deleted"):
        path = f"/c/{gone.names[key]}"
        for api in (None, gone.member):
            response = _page(server, path, api)
            assert response.status_code == 404, (key, api)
            assert f"There is no community called {gone.names[key]} here." in response.text
            assert f"The {key} one" not in response.text
        for api in (gone.owner, gone.admin):
            response = _page(server, path, api)
            assert response.status_code == 200, (key, api)
            assert f"The {key} one" in response.text
            assert f"This community has been {key}" in response.text
    kept = _page(server, f"/c/{gone.names['kept']}", gone.member)
    assert kept.status_code == 200
    assert "This community has been" not in kept.text


# Blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocks:
    blocker: Api
    onlooker: Api
    ids: dict[str, int]  # plain, blocked (a community), far (on another instance)
    far_instance: int


@pytest.fixture(scope="module")
def blocks(server: Server) -> Blocks:
    owner, blocker, onlooker = register(server), register(server), register(server)
    token = unique("cblk")
    ids: dict[str, int] = {}
    for key in ("plain", "blocked", "far"):
        made = owner.ok("POST", "/community", {"name": f"{token}_{key}", "title": key})
        ids[key] = int(made["community_view"]["community"]["id"])
    # The "far" community becomes another server's, as federation would leave it.
    domain = f"{token}.example"
    server.make_remote(
        f"INSERT INTO instance (domain, published) "
        f"SELECT '{domain}', published FROM instance ORDER BY id LIMIT 1",
        f"UPDATE community SET local = false, "
        f"instance_id = (SELECT id FROM instance WHERE domain = '{domain}') "
        f"WHERE id = {ids['far']}",
    )
    far = owner.ok("GET", "/community", id=ids["far"])["community_view"]["community"]
    return Blocks(blocker, onlooker, ids, int(far["instance_id"]))


def _listed(api: Api) -> set[int]:
    data = api.ok("GET", "/community/list", type_="All", sort="New", limit=50)
    return {int(v["community"]["id"]) for v in data["communities"]}


def test_blocked_communities_and_instances_leave_the_blockers_list(blocks: Blocks) -> None:
    ours = set(blocks.ids.values())
    assert _listed(blocks.blocker) >= ours
    done = blocks.blocker.ok(
        "POST", "/community/block", {"community_id": blocks.ids["blocked"], "block": True}
    )
    assert done["blocked"] is True
    blocks.blocker.ok("POST", "/site/block", {"instance_id": blocks.far_instance, "block": True})
    try:
        assert _listed(blocks.blocker) & ours == {blocks.ids["plain"]}
        assert _listed(blocks.onlooker) >= ours
        # Blocking hides it from the list; it still opens when asked for.
        view = blocks.blocker.ok("GET", "/community", id=blocks.ids["blocked"])
        assert view["community_view"]["blocked"] is True
    finally:
        blocks.blocker.ok(
            "POST", "/community/block", {"community_id": blocks.ids["blocked"], "block": False}
        )
        blocks.blocker.ok(
            "POST", "/site/block", {"instance_id": blocks.far_instance, "block": False}
        )
    assert _listed(blocks.blocker) >= ours
