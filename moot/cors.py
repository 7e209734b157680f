"""CORS for Lemmy's API, so web clients served from elsewhere (Photon, Alexandrite, Voyager's
web build, a bot's dashboard) can call it from a browser.

As Lemmy 0.19: any origin may, unless the operator lists some (MOOT_CORS_ORIGIN, comma
separated; then those and the instance's own); any method and header; a preflight is good
for an hour. Credentials are never allowed: API clients send their token in a header, so a
page elsewhere never rides on a browser's login cookie. Only the API, picture and NodeInfo
routes get CORS headers; the web interface's pages and forms get none.

The front door (moot/front_door.py) answers preflights with `preflight` (before rate limits
and routing), and adds `answer_headers` to the answers of allowed origins; the answers of
other origins run without them (a server cannot stop what a browser already sent, but the
browser keeps the answer from the page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar.types import HTTPResponseStartEvent, Send

from moot.asgi_headers import header
from moot.config import Settings

_PATHS = re.compile(r"^/(api/|pictrs/|nodeinfo/|\.well-known/nodeinfo$)")
_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
_MAX_AGE = b"3600"


@dataclass(frozen=True)
class CorsPolicy:
    # None: every origin (Lemmy's default, and its "*").
    origins: frozenset[str] | None

    @classmethod
    def of(cls, settings: Settings) -> CorsPolicy:
        listed = {_normal(o) for o in settings.cors_origin.split(",") if o.strip()}
        if not listed or "*" in listed:
            return cls(None)
        return cls(frozenset(listed | {_normal(settings.origin)}))

    def allows(self, origin: str) -> bool:
        return self.origins is None or _normal(origin) in self.origins


def _normal(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def applies(path: str) -> bool:
    """Whether a path's answers get CORS headers (the API, pictures, NodeInfo)."""
    return _PATHS.match(path) is not None


def answer_headers(origin: bytes) -> list[tuple[bytes, bytes]]:
    """What an allowed origin's answer carries."""
    return [
        (b"access-control-allow-origin", origin),
        (b"access-control-expose-headers", b"*"),
        (b"vary", b"Origin"),
    ]


async def preflight(scope: dict[str, Any], send: Send, origin: bytes | None) -> None:
    """200 with the permissions for an allowed origin; 403 without any for another, which
    the browser reads as a refusal."""
    headers: list[tuple[bytes, bytes]] = [(b"content-length", b"0"), (b"vary", b"Origin")]
    if origin is not None:
        headers += [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-methods", _METHODS),
            (
                b"access-control-allow-headers",
                header(scope.get("headers", ()), b"access-control-request-headers") or b"*",
            ),
            (b"access-control-max-age", _MAX_AGE),
        ]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 200 if origin else 403,
        "headers": headers,
    }
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})
