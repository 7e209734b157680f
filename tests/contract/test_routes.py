"""The route tables of lemmy-js-client 0.19.9 and 1.0.0-beta.2, derived from the packages
(tests/contract/contract.py), and moot's coverage of v3's.

v4's live coverage waits for moot's /api/v4 (the module docstring of contract.py says how to
wire it); here the machinery is proved on v4's real package and on a tiny stand-in client
whose routes moot partly does not serve."""

from __future__ import annotations

import json
from pathlib import Path

from tests.contract.contract import (
    JS_DIR,
    PACKAGES,
    PINNED,
    load_contract,
    package_dir,
    route_table,
    unserved,
)
from tests.servers import Server

TINY = Path(__file__).resolve().parent / "fixtures" / "tiny-client"


def test_client_packages_are_pinned() -> None:
    manifest = json.loads((JS_DIR / "package.json").read_text())
    lock = json.loads((JS_DIR / "package-lock.json").read_text())
    for api, alias in PACKAGES.items():
        assert manifest["dependencies"][alias] == f"npm:lemmy-js-client@{PINNED[api]}"
        assert lock["packages"][f"node_modules/{alias}"]["version"] == PINNED[api]
        installed = json.loads((package_dir(api) / "package.json").read_text())
        assert installed["version"] == PINNED[api]


def test_route_table_of_a_tiny_client() -> None:
    """Verbs and paths come from running the methods, types from their signatures: a plain
    `Promise<T>`, v4's `Promise<RequestState<T>>`, a generic, and a path outside the API."""
    assert route_table(TINY) == [
        {
            "name": "deleteImage",
            "verb": "GET",
            "path": "/pictrs/image/delete/{token}/{filename}",
            "prefixed": False,
            "form": "DeleteImage",
            "response": "boolean",
        },
        {
            "name": "getNothing",
            "verb": "GET",
            "path": "/nothing/here",
            "prefixed": True,
            "form": "Login",
            "response": "PagedResponse<LoginResponse>",
        },
        {
            "name": "getSite",
            "verb": "GET",
            "path": "/site",
            "prefixed": True,
            "form": None,
            "response": "GetSiteResponse",
        },
        {
            "name": "loginWithPut",
            "verb": "PUT",
            "path": "/user/login",
            "prefixed": True,
            "form": "Login",
            "response": "LoginResponse",
        },
    ]


def test_unserved_finds_what_moot_lacks(server: Server) -> None:
    """A path moot has no route for (404 `unknown`) and a verb it does not take on a path it
    has (405) are reported; a served route is not, nor is one that answers 401 or a
    Lemmy 404 such as `couldnt_find_post`."""
    tiny = {"api": "v3", "routes": route_table(TINY)}
    missing = unserved(server.url, tiny)
    assert [m.split(":")[0] for m in missing] == ["getNothing", "loginWithPut"], missing
    assert missing[0].endswith("-> 404") and missing[1].endswith("-> 405")


def test_v3_contract_covers_every_route() -> None:
    contract = load_contract("v3")
    assert (contract["api"], contract["version"]) == ("v3", "0.19.9")
    definitions = contract["schema"]["definitions"]
    names = [r["name"] for r in contract["routes"]]
    assert len(names) == 102 and len(set(names)) == 102
    assert {"getSite", "uploadImage", "deleteImage", "listLogins", "purgeComment"} <= set(names)
    assert all(f"Route_{n}" in definitions for n in names)
    assert "Route__error" in definitions
    # Optional fields stay optional and no object takes keys it does not declare.
    post = definitions["Post"]
    assert post["additionalProperties"] is False
    assert "url" in post["properties"] and "url" not in post["required"]


def test_v4_contract_is_ready() -> None:
    """1.0.0-beta.2's table and schema, for the day /api/v4 is served."""
    contract = load_contract("v4")
    assert (contract["api"], contract["version"]) == ("v4", "1.0.0-beta.2")
    routes = {r["name"]: r for r in contract["routes"]}
    assert len(routes) >= 150
    assert all(f"Route_{n}" in contract["schema"]["definitions"] for n in routes)
    assert (routes["listNotifications"]["verb"], routes["listNotifications"]["path"]) == (
        "GET",
        "/account/notification/list",
    )
    assert routes["getPosts"]["response"] == "PagedResponse<PostView>"
    assert routes["deletePost"]["verb"] == "DELETE"


def test_every_v3_route_is_served(server: Server) -> None:
    assert unserved(server.url, load_contract("v3")) == []
