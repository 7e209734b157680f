"""The walk from the peer leftwards through X-Forwarded-For, over trusted hops only."""

from __future__ import annotations

import pytest

from moot.client_address import client_address, trusted_networks

PROXIES = trusted_networks("127.0.0.1, 10.0.0.0/8, ::1")


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        ("198.51.100.1", ["203.0.113.9"], "198.51.100.1"),  # the peer is no proxy of ours
        ("127.0.0.1", [], "127.0.0.1"),  # a trusted peer that forwarded nothing
        ("127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        ("127.0.0.1", ["1.1.1.1, 203.0.113.9"], "203.0.113.9"),  # the left part is forged
        ("127.0.0.1", ["1.1.1.1, 203.0.113.9, 10.2.3.4"], "203.0.113.9"),  # two proxies
        ("127.0.0.1", ["1.1.1.1", "203.0.113.9"], "203.0.113.9"),  # repeated headers, in order
        ("127.0.0.1", ["10.0.0.5, 10.0.0.6"], "10.0.0.5"),  # all trusted: the first
        ("127.0.0.1", ["1.1.1.1, not-an-address"], "127.0.0.1"),  # garbage from the proxy
        ("::1", ["2001:db8::7"], "2001:db8::7"),
        ("127.0.0.1", ["[2001:db8::8]"], "2001:db8::8"),
        ("::ffff:127.0.0.1", ["::ffff:203.0.113.4"], "203.0.113.4"),  # mapped IPv4
        (None, ["203.0.113.9"], "203.0.113.9"),  # no peer (a test client): loopback
    ],
)
def test_client_address(peer: str | None, headers: list[str], client: str) -> None:
    assert client_address(peer, headers, PROXIES) == client


def test_no_trusted_proxy_ignores_the_header() -> None:
    assert client_address("127.0.0.1", ["203.0.113.9"], trusted_networks("")) == "127.0.0.1"


def test_a_bad_proxy_setting_is_refused() -> None:
    with pytest.raises(ValueError, match=r"proxy\.example"):
        trusted_networks("127.0.0.1, proxy.example")
