"""What the API says about itself and about bad input (issue 11, item 9): moot's error body
and the 400/401/404 answers in the OpenAPI document, Allow on a 405, and refusals of
out-of-range numbers worded without Python's exception text."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Api
from tests.servers import Server

INT32 = 2**31 - 1
TOO_LARGE = [2**31, 2**63, 10**23]  # past Lemmy's i32, past int64, past anything
# Fragments of Python, driver or framework text that must not reach a client.
LEAKS = (
    "Python",
    "int too large",
    "Traceback",
    "sqlite",
    "asyncpg",
    "$1",
    "[{",
    "<class",
    "<Param",
)


def _clean_refusal(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "unknown", body
    message = str(body.get("message", ""))
    assert not [leak for leak in LEAKS if leak in message], message
    return message


@pytest.mark.parametrize("number", TOO_LARGE)
def test_an_oversized_integer_in_a_json_body(server: Server, number: int) -> None:
    response = Api(server).http.post("/post/like", json={"post_id": number, "score": 1})
    assert _clean_refusal(response).startswith("Json deserialize error: post_id: ")


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize("path", ["/post", "/comment", "/community", "/user"])
def test_an_oversized_integer_in_a_query(server: Server, path: str, number: int) -> None:
    key = "person_id" if path == "/user" else "id"
    response = Api(server).http.get(path, params={key: str(number)})
    assert _clean_refusal(response) == f"Query deserialize error: {key}: Expected `int` <= {INT32}"


def test_a_malformed_query_value_is_worded_cleanly(server: Server) -> None:
    message = _clean_refusal(Api(server).http.get("/post", params={"id": "abc"}))
    assert message.startswith("Query deserialize error: id: ")


def test_a_wrong_method_answers_405_with_allow(server: Server) -> None:
    response = Api(server).http.delete("/site")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST", "PUT"}
    assert response.json()["error"] == "unknown"


@pytest.fixture(scope="module")
def document(server: Server) -> dict[str, Any]:
    response = httpx.get(f"{server.api}/openapi/openapi.json", timeout=30)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def _answers(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][f"/api/v3{path}"][method]["responses"]
    return responses


def test_the_document_bounds_query_ids(document: dict[str, Any]) -> None:
    parameters = document["paths"]["/api/v3/post"]["get"]["parameters"]
    (schema,) = [p["schema"] for p in parameters if p["name"] == "id"]
    assert (schema["minimum"], schema["maximum"]) == (-(2**31), INT32)


def test_the_document_describes_the_error_body(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["Error"]
    assert schema["required"] == ["error"]
    assert set(schema["properties"]) == {"error", "message"}
    reference = {"$ref": "#/components/schemas/Error"}
    operations = [
        op
        for path, item in document["paths"].items()
        if path.startswith("/api/v3/")
        for op in item.values()
        if isinstance(op, dict) and "responses" in op
    ]
    assert len(operations) > 90
    for op in operations:  # every operation may refuse its input, in moot's shape
        assert op["responses"]["400"]["content"]["application/json"]["schema"] == reference


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("post", "/post/like", {"400", "401", "404"}),  # logged in, names a post
        ("post", "/user/login", {"400", "401"}),  # incorrect_login
        ("get", "/user/unread_count", {"400", "401"}),  # logged in, names nothing
        ("get", "/post", {"400", "404"}),  # anonymous may read; names a post
        ("get", "/comment", {"400", "404"}),
        ("get", "/site", {"400"}),
        # The code is held by a module constant (the report kinds' `missing`).
        ("put", "/private_message/report/resolve", {"400", "401", "404"}),
        ("get", "/image_proxy", {"400", "404"}),  # an ApiError subclass with its own 404
    ],
)
def test_401_and_404_where_the_route_gives_them(
    document: dict[str, Any], method: str, path: str, expected: set[str]
) -> None:
    errors = {status for status in _answers(document, method, path) if status >= "400"}
    assert errors == expected
