"""URLs as federation compares them: by domain, without the port (as Lemmy does)."""

from __future__ import annotations

import ipaddress
import re
import uuid
from urllib.parse import urlsplit

from moot.federation.protocol.parse import ParseError

_HOST = re.compile(r"^[a-z0-9.-]+$")


def split(url: str) -> tuple[str, str, int | None]:
    """(scheme, domain, port) of an http(s) URL whose host is a domain name."""
    if not isinstance(url, str) or len(url) > 2000:
        raise ParseError(f"not a usable URL: {str(url)[:100]!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ParseError(f"not a valid URL: {url[:100]!r}") from exc
    if parts.scheme not in ("http", "https"):
        raise ParseError(f"not an http(s) URL: {url[:100]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ParseError(f"URL without a host: {url[:100]!r}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise ParseError(f"URL must have a domain, not an IP address: {url[:100]!r}")
    if not _HOST.match(host):
        raise ParseError(f"URL host has characters a domain cannot have: {url[:100]!r}")
    return parts.scheme, host, port


def domain(url: str) -> str:
    """The host, lower-case, without port or trailing dot."""
    return split(url)[1]


def authority(url: str) -> str:
    """host[:port] as written in the URL (how moot's own hostname setting is written)."""
    _, host, port = split(url)
    return f"{host}:{port}" if port is not None else host


def written_authority(url: str) -> str:
    """host[:port] of a URL this instance already holds (a stored actor id), lower-case, an
    IP address included: how a mention names its host, not a federation check (an instance
    on an IP address mentions its own members too)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port is not None else host


def same_domain(a: str, b: str) -> bool:
    return domain(a) == domain(b)


def hostname_domain(hostname: str) -> str:
    """moot's MOOT_HOSTNAME (which may carry a port) as a domain."""
    return hostname.split(":", 1)[0].lower().rstrip(".")


def new_activity_id(origin: str, kind: str) -> str:
    return f"{origin}/activities/{kind.lower()}/{uuid.uuid4()}"
