"""The `jwt` cookie does not authenticate a change that another origin's page sent.

Lemmy reads the login from `Authorization: Bearer` or from the `jwt` cookie. A browser adds
the cookie by itself, also to a form or a simple request another page makes (SameSite=Lax
stops that only between sites, and every origin on the same host, another port say, is the
same site). Such a request can only be form fields, multipart or text/plain, with no custom
header; a script that sends JSON or a header is asked about first (CORS preflight) and
never granted credentials. And a browser names the page's origin on every cross-origin
POST. So a state change on the API or picture routes loses its cookie when a browser says
it comes from another origin and it is neither JSON nor carries a bearer token: it then
runs as anonymous and is answered as such (`incorrect_login` where a login is needed).
Clients that are not browsers send no Origin (pythorhead uploads pictures with the cookie
and multipart) and are unaffected; so are reads, and the web pages, which have their own
CSRF tokens.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from moot.asgi_headers import header

_GUARDED_PATHS = re.compile(r"^/(api|pictrs)/")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_JSON_TYPES = (b"application/json", b"application/activity+json")


def _from_another_origin(headers: list[tuple[bytes, bytes]]) -> bool:
    """A browser says so: its Origin is not the host the request was sent to."""
    origin = header(headers, b"origin")
    if origin is None:
        return False
    host = (header(headers, b"host") or b"").decode("latin-1").lower()
    return urlsplit(origin.decode("latin-1")).netloc.lower() != host


def _from_a_script(headers: list[tuple[bytes, bytes]]) -> bool:
    """JSON, or a bearer token: what no form of another page can send unasked."""
    content_type = (header(headers, b"content-type") or b"").split(b";")[0].strip().lower()
    authorization = header(headers, b"authorization") or b""
    return content_type in _JSON_TYPES or authorization[:7].lower() == b"bearer "


def guarded(scope: Any) -> Any:
    """`scope`, without its cookies when a browser sent it from another origin as a form
    would (called by the front door, moot/front_door.py, for every HTTP request)."""
    if (
        scope["method"] not in _SAFE_METHODS
        and _GUARDED_PATHS.match(scope["path"])
        and _from_another_origin(scope["headers"])
        and not _from_a_script(scope["headers"])
    ):
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"cookie"]
        return {**scope, "headers": headers}
    return scope
