"""Who is asking: the peer's address, or the one a trusted proxy in front of moot names.

`X-Forwarded-For` is a list every hop appends to, and its left part is whatever the client
wrote. Only the entries added by proxies the operator named (`MOOT_TRUSTED_PROXIES`) can be
believed, so the client is the right-most address that is not one of them: walk from the
peer leftwards while the hop is trusted. With no trusted proxies the header is ignored, and
a client rotating it gains nothing (rate limits, login throttling, the login list's IPs).
"""

from __future__ import annotations

import functools
import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def trusted_networks(spec: str) -> tuple[Network, ...]:
    """`MOOT_TRUSTED_PROXIES`: addresses or networks, comma-separated ("127.0.0.1,
    10.0.0.0/8, ::1"). Raises ValueError on an entry that is neither."""
    return tuple(ipaddress.ip_network(item.strip()) for item in spec.split(",") if item.strip())


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def is_trusted(peer: str, trusted: tuple[Network, ...]) -> bool:
    """Whether the connection's `peer` is one of the trusted proxies."""
    address = _address(peer)
    return address is not None and _trusted(address, trusted)


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The client's address, from the connection's `peer` and every `X-Forwarded-For`
    header's value in order. A hop that is not an address stops the walk at the proxy
    that wrote it (a misconfigured proxy counts as the client, not its garbage)."""
    current = peer or "127.0.0.1"
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        here = _address(current)
        if here is None or not _trusted(here, trusted):
            return current
        before = _address(hop)
        if before is None:
            return current
        current = str(before)
    return current
