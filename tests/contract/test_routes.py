"""The route tables of lemmy-js-client 0.19.9 and 1.0.0-beta.2, derived from the packages
(tests/contract/contract.py), and moot's coverage of v3's.

v4's live coverage waits for moot's /api/v4 (the module docstring of contract.py says how to
wire it); here the machinery is proved on v4's real package and on a tiny stand-in client
whose routes moot partly does not serve."""

from __future__ import annotations

import json
from pathlib import Path

from moot.errors import FEDERATION_ONLY, V4_ONLY, WITH_MESSAGE, ErrorCode
from tests.contract.contract import (
    JS_DIR,
    PACKAGES,
    PINNED,
    check_answer,
    error_problem,
    error_shapes,
    load_contract,
    package_dir,
    probe,
    route_table,
    unserved,
    unserved_routes,
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


def test_the_checker_reads_v4_answers() -> None:
    """check.mjs on 1.0.0-beta.2's generic answers (`PagedResponse<PostView>`): a page is
    fine, a null cursor or a stray key is a diff, an error is checked by its own variant."""
    assert check_answer("v4", "getPosts", 200, {"items": []}) == []
    (null,) = check_answer("v4", "getPosts", 200, {"items": [], "next_page": None})
    assert (null["path"], null["problem"]) == ("/next_page", "expected string")
    (stray,) = check_answer("v4", "getPosts", 200, {"items": [], "extra": 1})
    assert stray["problem"] == 'unexpected field "extra"'
    assert check_answer("v4", "getPosts", 400, {"error": "not_an_admin"}) == []
    (made_up,) = check_answer("v4", "getPosts", 400, {"error": "made_up"})
    assert made_up["problem"] == 'unknown error code "made_up"'


def test_every_v3_route_is_served(server: Server) -> None:
    assert unserved_routes(server.url, "v3") == []


def test_v3_refusals_of_every_route_are_lemmy_errors(server: Server) -> None:
    """Called anonymously with an empty form, every API route refuses (or answers) in one of
    LemmyErrorType's shapes: a known code, and a `message` exactly where the type has one."""
    contract = load_contract("v3")
    shapes = error_shapes(contract)
    problems = [
        f"{route['name']} ({status}): {problem}"
        for route, status, body in probe(server.url, contract)
        if route["prefixed"] and status >= 400
        for problem in [error_problem(shapes, body)]
        if problem
    ]
    assert problems == []


def test_error_catalogue_is_lemmys() -> None:
    """Every code the API can send is one of LemmyErrorType's (0.19.9), and the codes that
    carry a message are the ones whose variant has one."""
    shapes = error_shapes(load_contract("v3"))
    api_codes = {c.value for c in ErrorCode} - {c.value for c in FEDERATION_ONLY | V4_ONLY}
    assert sorted(api_codes - set(shapes)) == []
    with_message = {code for code, shape in shapes.items() if "message" in shape["keys"]}
    assert with_message == {c.value for c in WITH_MESSAGE}


def test_error_problem_reports_each_kind_of_mistake() -> None:
    shapes = error_shapes(load_contract("v3"))
    assert error_problem(shapes, {"error": "not_an_admin"}) is None
    assert error_problem(shapes, {"error": "registration_denied", "message": None}) is None
    assert error_problem(shapes, {"error": "unknown", "message": "why"}) is None
    assert "keys" in str(error_problem(shapes, {"error": "not_an_admin", "message": "x"}))
    assert "keys" in str(error_problem(shapes, {"error": "unknown"}))
    assert "unknown error code" in str(error_problem(shapes, {"error": "made_up"}))
    assert "strings" in str(error_problem(shapes, {"error": "unknown", "message": None}))
    assert "not an error body" in str(error_problem(shapes, ["error"]))
