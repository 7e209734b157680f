"""Content negotiation: the same URL is a web page for browsers and ActivityPub JSON for
servers (reference §2), without the web routes knowing anything about federation.

A pure ASGI wrapper in front of the router: a GET for one of the shared paths whose Accept
header asks for ActivityPub is routed to the federation handler mounted under AP_PREFIX.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.types import ASGIApp, Receive, Send

AP_PREFIX = "/_ap"
# Paths that are both a web page and an actor or object.
_SHARED = re.compile(r"^/(u/[^/]+|c/[^/]+|post/\d+|comment/\d+|private_message/\d+)?$")
_AP_TYPES = ("application/activity+json", "application/ld+json")


def wants_activitypub(accept: str) -> bool:
    return any(kind in accept.lower() for kind in _AP_TYPES)


def _accept(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return str(value.decode("latin-1"))
    return ""


def negotiate(app: ASGIApp) -> ASGIApp:
    async def handler(scope: Any, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and _SHARED.match(scope["path"])
            and wants_activitypub(_accept(scope))
        ):
            path = AP_PREFIX + scope["path"].rstrip("/")
            sent = scope.get("raw_path") or scope["path"].encode()
            # The path as sent stays known: a signed fetch signs it.
            scope = {**scope, "path": path, "raw_path": path.encode(), "moot.raw_path": sent}
        await app(scope, receive, send)

    return handler
