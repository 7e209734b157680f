"""Content negotiation: the same URL is a web page for browsers and ActivityPub JSON for
servers (reference §2), without the web routes knowing anything about federation.

Done by the front door (moot/front_door.py), in front of the router: a GET for one of the
shared paths whose Accept header asks for ActivityPub is routed to the federation handler
mounted under AP_PREFIX.
"""

from __future__ import annotations

import re
from typing import Any

AP_PREFIX = "/_ap"
# Paths that are both a web page and an actor or object.
_SHARED = re.compile(r"^/(u/[^/]+|c/[^/]+|m/[^/]+|post/\d+|comment/\d+|private_message/\d+)?$")
_AP_TYPES = ("application/activity+json", "application/ld+json")


def wants_activitypub(accept: str) -> bool:
    return any(kind in accept.lower() for kind in _AP_TYPES)


def _accept(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return str(value.decode("latin-1"))
    return ""


def routed(scope: Any) -> Any:
    """`scope`, sent to the federation handler under AP_PREFIX when it is a GET for one of
    the shared paths whose Accept header asks for ActivityPub (called by the front door,
    moot/front_door.py, for every HTTP request)."""
    if (
        scope.get("method") in ("GET", "HEAD")
        and _SHARED.match(scope["path"])
        and wants_activitypub(_accept(scope))
    ):
        path = AP_PREFIX + scope["path"].rstrip("/")
        sent = scope.get("raw_path") or scope["path"].encode()
        # The path as sent stays known: a signed fetch signs it.
        return {**scope, "path": path, "raw_path": path.encode(), "moot.raw_path": sent}
    return scope
