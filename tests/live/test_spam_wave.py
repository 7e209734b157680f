"""The spam-wave drill (bench/spam_wave.py) at a tiny scale, on both backends: its counts of
what got through and what was stopped agree with what the server's API and tables say."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.spam.drill import run_drill
from bench.spam.wave import LOG_IN, POST_NO_TOKEN, SIGN_UP, Scale
from moot.ratelimit import DEFAULT_LIMITS, RateLimitBucket
from tests.conftest import BACKENDS
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server, destroy, make_server

# Two addresses with 8 post attempts each: more than the 6 a post bucket holds.
TINY = Scale(
    signups=6, posts=16, addresses=2, duration=2, calm=0.5, reader_rps=2.0, members=1,
    member_posts=2, fooled=1, name_reuse=0.2, login_sample=1, seed=3,
)  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def drill_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server of its own: the shared one runs with raised limits and open registration."""
    server = make_server(request.param)
    try:
        server.start()
        yield server
    finally:
        destroy(server)


async def test_drill_counts_agree_with_the_server(drill_server: Server) -> None:
    report = await run_drill(
        drill_server.api, drill_server.database_url, ADMIN_NAME, ADMIN_PASSWORD, TINY
    )
    assert [c for c in report["checks"] if not c["ok"]] == []

    limits = report["site"]["rate_limits"]
    for bucket in (RateLimitBucket.POST, RateLimitBucket.REGISTER, RateLimitBucket.MESSAGE):
        default = DEFAULT_LIMITS[bucket]
        assert (limits[bucket.value], limits[f"{bucket.value}_per_second"]) == (
            default.capacity,
            default.interval_seconds,
        )
    assert report["site"]["registration_mode"] == "RequireApplication"

    attempts = report["wave"]["attempts"]
    for kind, row in attempts.items():
        assert row["attempts"] == sum(row["outcomes"].values()), kind
    anonymous = attempts[POST_NO_TOKEN]["outcomes"]
    assert anonymous["rate_limit_error"] > 0
    assert set(anonymous) <= {"rate_limit_error", "incorrect_login"}
    assert attempts[SIGN_UP]["outcomes"]["ok"] == report["wave"]["accounts created"] > 0
    assert attempts[LOG_IN]["outcomes"].get("registration_application_is_pending", 0) > 0

    before, after = report["audit before clean-up"], report["audit after clean-up"]
    assert report["clean-up"]["denied"] == before["api pending applications"] > 0
    assert len(report["clean-up"]["banned"]) == len(report["wave"]["mistaken approvals"]) == 1
    assert before["log-in sample"]["answers"] == {
        "ok": 1,
        "registration_application_is_pending": 1,
    }
    assert after["log-in sample"]["answers"] == {"site_ban": 1, "registration_denied": 1}
    assert report["reader"]["during"]["requests"] > 0
    assert all(phase["errors"] == 0 for phase in report["reader"].values())
    assert report["reader empty pages"] == 0
