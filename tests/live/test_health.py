"""`GET /health` says whether the process can serve (database, Redis, picture store), for
load balancers; `GET /health/live` only that it runs. Redis going away costs the shared
limits, not the service: requests are still answered and limited per process."""

from __future__ import annotations

import httpx

from tests.conftest import Api
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server


def test_a_ready_instance(server: Server) -> None:
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "redis": "not configured",
            "storage": "ok",
            "replica": "not configured",
        },
    }
    assert httpx.get(f"{server.url}/health/live").json() == {"status": "ok"}


def test_without_its_redis_an_instance_is_not_ready_but_still_serves() -> None:
    server = make_server("postgresql")
    server.start_env = {"MOOT_REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing listens there
    try:
        server.start()
        response = httpx.get(f"{server.url}/health")
        assert response.status_code == 503
        assert response.json()["checks"] == {
            "database": "ok",
            "redis": "unavailable",
            "storage": "ok",
            "replica": "not configured",
        }
        assert httpx.get(f"{server.url}/health/live").status_code == 200
        login = {"username_or_email": ADMIN_NAME, "password": ADMIN_PASSWORD}
        token = Api(server).ok("POST", "/user/login", login)["jwt"]  # limited, per process
        assert Api(server, token).ok("GET", "/site")["my_user"] is not None
        assert "Redis is unreachable" in server.log_path.read_text()
    finally:
        destroy(server)
