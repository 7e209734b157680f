"""Which of lemmy-js-client 1.0.0-beta.2's routes moot's API v4 serves: every route of the
package is asked for (with an empty form) and must not be a 404 or 405, except those listed
here as not served yet. The list is exact: a route that starts being served, or one that
stops, fails the test until the list says so — it is the honest state of API v4."""

from __future__ import annotations

from moot.api.v4.errors import v4_body
from moot.errors import FEDERATION_ONLY, ApiError, ErrorCode
from tests.contract.contract import error_shapes, load_contract, unserved_routes
from tests.servers import Server

# Routes of lemmy-js-client 1.0.0-beta.2 moot does not serve (none now: a route added to the
# package, or one dropped here, fails the test until it is listed or served).
NOT_SERVED_YET: set[str] = set()


def test_v4_serves_every_route_but_the_listed_ones(server: Server) -> None:
    unserved = {line.split(":", 1)[0] for line in unserved_routes(server.url, "v4")}
    assert sorted(unserved - NOT_SERVED_YET) == [], "routes the list says are served"
    assert sorted(NOT_SERVED_YET - unserved) == [], "served now: take them off the list"


def test_v4_error_codes_are_lemmy_1s() -> None:
    """Every code moot raises reaches a v4 client as one of LemmyErrorType's (1.0.0-beta.2),
    with a `message` exactly where its variant has one."""
    shapes = error_shapes(load_contract("v4"))
    for code in set(ErrorCode) - FEDERATION_ONLY:
        body = v4_body(ApiError(code, "why"))
        assert body["error"] in shapes, (code, body)
        assert ("message" in body) == ("message" in shapes[body["error"]]["keys"]), (code, body)
