"""One log line per request, on the `moot.requests` logger at MOOT_REQUEST_LOG_LEVEL:

    method=GET path=/api/v3/post/list status=200 duration_ms=4.1 request_id=9f0c…
    client=203.0.113.7 statements=2

key=value fields (the same as the record's `extra`, for a JSON formatter): the client as
MOOT_TRUSTED_PROXIES lets X-Forwarded-For name it, the SQL statements the request ran (the
count that matters for a read's cost), the duration until the last byte was handed on.
The request's id comes from a trusted proxy's `X-Request-Id` when it is well formed, else
is made here; it goes back in the response's `X-Request-Id` and onto every log line
written meanwhile (moot/request_id.py). The query string is left out: it can hold tokens.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from moot import request_id
from moot.asgi_headers import header
from moot.client_address import Network, client_address, is_trusted

log = logging.getLogger("moot.requests")

HEADER = b"x-request-id"


def write(
    level: int | None,
    scope: Any,
    *,
    status: int,
    started: float,
    rid: str,
    peer: str | None,
    trusted: tuple[Network, ...],
    statements: int,
) -> None:
    """The request's line, at `level` (None: none), once it was answered (the front door,
    moot/front_door.py, calls it for every HTTP request, in the request's context)."""
    if level is not None and log.isEnabledFor(level):
        fields = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "request_id": rid,
            "client": _client(scope, peer, trusted),
            "statements": statements,
        }
        log.log(level, _line(fields), extra=fields)


def incoming_id(
    headers: list[tuple[bytes, bytes]], peer: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """A proxy's id, if the peer is a proxy we trust and the id is well formed: a client's
    own would let it plant lines that look like another request's. None without trusted
    proxies."""
    if not trusted:
        return None
    raw = header(headers, HEADER)
    if raw is None or peer is None or not is_trusted(peer, trusted):
        return None
    text = raw.decode("latin-1")
    return text if request_id.well_formed(text) else None


def _client(scope: Any, peer: str | None, trusted: tuple[Network, ...]) -> str:
    forwarded = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
    return client_address(peer, forwarded, trusted)


def _line(fields: dict[str, object]) -> str:
    return " ".join(f"{key}={_value(value)}" for key, value in fields.items())


def _value(value: object) -> str:
    """A field's value, quoted when it holds a space, a quote or an equals sign (a path)."""
    text = str(value)
    if not text or any(c in text for c in ' "=\\') or not text.isprintable():
        return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    return text
