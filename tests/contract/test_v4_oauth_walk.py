"""lemmy-js-client 1.0.0-beta.2 walks a live server's OAuth sign-in (API v4) against a
real OpenID Connect provider running on loopback (tests/oidc_provider.py):
tests/contract/js/walk_v4_oauth.mjs adds the provider as the admin, goes through the
provider's own login and consent forms with PKCE, and trades the codes through
authenticateWithOAuth — a new account, the same account again, closed registration, wrong,
reused and unproven codes, a banned member, a sign-up as an application, a provider that
answers wrong, a disabled and a deleted provider. Every answer is asserted and
checked field by field against the package's types. Without Node.js and the npm packages
(tests/contract/js, tests/oidc) the test fails: a client test that skips proves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import unique
from tests.contract.contract import run_walk
from tests.contract.test_v3_shapes import _diff_text
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, callback_url
from tests.servers import ADMIN_NAME, ADMIN_PASSWORD, Server

STEPS = 11


@pytest.fixture(scope="module")
def oidc(server: Server) -> Iterator[OidcProvider]:
    provider = OidcProvider([callback_url(server)])
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="module")
def oauth_walk(server: Server, oidc: OidcProvider) -> dict[str, Any]:
    return run_walk(
        "walk_v4_oauth.mjs",
        server.url,
        server.backend,
        unique("o"),
        ADMIN_NAME,
        ADMIN_PASSWORD,
        oidc.issuer,
        CLIENT_ID,
        CLIENT_SECRET,
        callback_url(server),
    )


def test_oauth_walk_steps_succeed(oauth_walk: dict[str, Any]) -> None:
    assert oauth_walk["ok"] is True
    assert oauth_walk["steps"] == STEPS, oauth_walk["names"]


def test_oauth_responses_match_types(oauth_walk: dict[str, Any]) -> None:
    """Every v4 answer of the walk, a success or a refusal, is of its declared type."""
    assert oauth_walk["unknown"] == []
    assert oauth_walk["diffs"] == [], _diff_text(oauth_walk["diffs"])
