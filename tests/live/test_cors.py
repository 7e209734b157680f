"""CORS as Lemmy 0.19 answers it by default: a page from any origin may call the API and
upload pictures (preflights answered, answers readable), never with credentials; the web
interface's pages and forms get no CORS headers. The operator's list is tested in a browser
(tests/web/test_cors.py)."""

from __future__ import annotations

import httpx

from tests.servers import Server

ELSEWHERE = "https://photon.example"


def _preflight(server: Server, path: str, method: str = "POST") -> httpx.Response:
    return httpx.options(
        server.url + path,
        headers={
            "Origin": ELSEWHERE,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


def test_api_and_uploads_are_open_to_any_origin(server: Server) -> None:
    for path, method in (
        ("/api/v3/user/login", "POST"),
        ("/api/v3/post/like", "POST"),
        ("/api/v3/user/save_user_settings", "PUT"),
        ("/pictrs/image", "POST"),
    ):
        answer = _preflight(server, path, method)
        assert answer.status_code == 200, (path, answer.status_code)
        headers = answer.headers
        assert headers["access-control-allow-origin"] == ELSEWHERE
        assert method in headers["access-control-allow-methods"].split(", ")
        assert headers["access-control-allow-headers"] == "authorization,content-type"
        assert headers["access-control-max-age"] == "3600"
        assert "access-control-allow-credentials" not in headers

    listed = httpx.get(
        f"{server.api}/post/list", params={"limit": 1}, headers={"Origin": ELSEWHERE}
    )
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == ELSEWHERE
    assert "Origin" in listed.headers.get_list("vary")
    assert "access-control-allow-credentials" not in listed.headers
    # An error answer is readable too (the client shows Lemmy's error code).
    refused = httpx.post(f"{server.api}/post/like", json={}, headers={"Origin": ELSEWHERE})
    assert refused.status_code >= 400
    assert refused.headers["access-control-allow-origin"] == ELSEWHERE


def test_web_forms_get_no_cors(server: Server) -> None:
    for path in ("/login", "/create_post", "/settings"):
        answer = _preflight(server, path)
        assert not any(h.startswith("access-control-") for h in answer.headers), path
    page = httpx.get(f"{server.url}/login", headers={"Origin": ELSEWHERE})
    assert page.status_code == 200
    assert "access-control-allow-origin" not in page.headers
