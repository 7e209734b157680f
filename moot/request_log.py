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

from litestar.types import ASGIApp, Message, Receive, Send

from moot import request_id
from moot.asgi_headers import header
from moot.client_address import Network, client_address, is_trusted, trusted_networks
from moot.config import Settings
from moot.db.statement_count import counting

log = logging.getLogger("moot.requests")

_HEADER = b"x-request-id"


def request_log(app: ASGIApp, settings: Settings) -> ASGIApp:
    trusted = trusted_networks(settings.trusted_proxies)
    level = settings.request_log_levelno

    async def logged(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        peer = scope["client"][0] if scope.get("client") else None
        rid = _incoming_id(scope["headers"], peer, trusted) or request_id.new()
        status = 500  # what the client gets if the app fails before answering

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, rid.encode())]
            await send(message)

        token = request_id.current.set(rid)
        try:
            with counting() as statements:
                await app(scope, receive, answer)
        finally:
            if level is not None and log.isEnabledFor(level):
                fields = {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "request_id": rid,
                    "client": _client(scope, peer, trusted),
                    "statements": len(statements),
                }
                log.log(level, _line(fields), extra=fields)
            request_id.current.reset(token)

    return logged


def _incoming_id(
    headers: list[tuple[bytes, bytes]], peer: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """A proxy's id, if the peer is a proxy we trust and the id is well formed: a client's
    own would let it plant lines that look like another request's."""
    raw = header(headers, _HEADER)
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
