"""Small pure pieces of federation: pronouns, backoff, ordering keys, dead instances,
signatures, the host map, allow and block lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moot.errors import ErrorCode
from moot.federation import signatures
from moot.federation.delivery_state import DEAD_AFTER, backoff_seconds, is_dead
from moot.federation.keys import generate_keypair
from moot.federation.objects.common import display_with_pronouns, split_pronouns
from moot.federation.policy import Policy, clean_domain
from moot.federation.transport import parse_host_map
from moot.workers.delivery import _ordering_key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("JoeySteel [comrade/them]", ("JoeySteel", "comrade/them")),
        ("Name [they/them]", ("Name", "they/them")),
        ("Plain Name", ("Plain Name", None)),
        ("", (None, None)),
        ("[he/him]", (None, "he/him")),
        ("Odd [a] b", ("Odd [a] b", None)),
    ],
)
def test_hexbear_display_names_split_into_name_and_pronouns(
    name: str, expected: tuple[str | None, str | None]
) -> None:
    assert split_pronouns(name) == expected


def test_own_pronouns_go_out_hexbear_style() -> None:
    assert display_with_pronouns("Gee", "they/them") == "Gee [they/them]"
    assert split_pronouns(display_with_pronouns("Gee", "they/them")) == ("Gee", "they/them")
    assert display_with_pronouns(None, "she/her") is None


def test_backoff_is_lemmys_and_fast_in_test_mode() -> None:
    assert backoff_seconds(1, fast=False) == 0
    assert backoff_seconds(2, fast=False) == pytest.approx(1.25)
    assert backoff_seconds(10, fast=False) == pytest.approx(1.25**9)
    assert backoff_seconds(200, fast=False) == 86400
    assert backoff_seconds(200, fast=True) == 2.0


def test_dead_after_three_days_without_contact() -> None:
    now = datetime.now(UTC)
    assert not is_dead({"updated": now - DEAD_AFTER + timedelta(hours=1), "published": now})
    assert is_dead({"updated": None, "published": now - DEAD_AFTER - timedelta(hours=1)}, now)


def test_ordering_key_is_the_innermost_object() -> None:
    announce = {
        "id": "a",
        "object": {"id": "c", "type": "Create", "object": {"id": "note-1", "type": "Note"}},
    }
    assert _ordering_key(announce) == "note-1"
    assert _ordering_key({"id": "l", "type": "Like", "object": "post-1"}) == "post-1"
    undo = {"id": "u", "object": {"id": "l2", "type": "Like", "object": "post-1"}}
    assert _ordering_key(undo) == "post-1"  # a vote and its undo go out in order


def test_signature_round_trip_and_tampering() -> None:
    private, public = generate_keypair()
    body = b'{"id": "x"}'
    headers = signatures.sign("http://moot-beta:8551/inbox", body, private, "k")
    assert headers["signature"].startswith('keyId="k",algorithm="hs2019"')
    signatures.verify("POST", "/inbox", headers, body, public)
    with pytest.raises(signatures.SignatureError, match="Digest"):
        signatures.verify("POST", "/inbox", headers, body + b" ", public)
    with pytest.raises(signatures.SignatureError, match="does not verify"):
        signatures.verify("POST", "/c/main/inbox", headers, body, public)
    # rsa-sha256 labels are checked the same way; ed25519 is refused.
    relabelled = {**headers, "signature": headers["signature"].replace("hs2019", "rsa-sha256")}
    signatures.verify("POST", "/inbox", relabelled, body, public)
    ed = {**headers, "signature": headers["signature"].replace("hs2019", "ed25519")}
    with pytest.raises(signatures.SignatureError, match="not supported"):
        signatures.verify("POST", "/inbox", ed, body, public)


def test_signed_get_round_trip() -> None:
    private, public = generate_keypair()
    headers = signatures.sign_get("http://moot-beta:8551/c/main", "application/json", private, "k")
    assert 'headers="(request-target) accept date digest host"' in headers["signature"]
    signatures.verify("GET", "/c/main", headers, b"", public)
    with pytest.raises(signatures.SignatureError, match="does not verify"):
        signatures.verify("GET", "/c/other", headers, b"", public)
    # A POST's body is what its Digest protects: never optional there.
    without = {k: v for k, v in headers.items() if k != "digest"}
    with pytest.raises(signatures.SignatureError, match="Digest header is required"):
        signatures.verify("POST", "/c/main", without, b"", public)


def test_host_map_and_list_entries() -> None:
    assert parse_host_map("moot-alpha=127.0.0.1, moot-beta=127.0.0.2") == {
        "moot-alpha": "127.0.0.1",
        "moot-beta": "127.0.0.2",
    }
    assert clean_domain(" https://Lemmy.World:443/ ") == "lemmy.world"
    assert clean_domain("example.org.") == "example.org"


def test_allowlist_and_blocklist() -> None:
    open_policy = Policy(local_domain="here", blocked=frozenset({"bad.example"}))
    assert open_policy.refusal("bad.example") is ErrorCode.DOMAIN_BLOCKED
    assert open_policy.refusal("ok.example") is None
    strict = Policy(local_domain="here", allowed=frozenset({"friend.example"}))
    assert strict.refusal("friend.example") is None
    assert strict.refusal("stranger.example") is ErrorCode.DOMAIN_NOT_IN_ALLOW_LIST
    assert strict.refusal("here") is None
    off = Policy(local_domain="here", enabled=False)
    assert off.refusal("friend.example") is ErrorCode.FEDERATION_DISABLED
