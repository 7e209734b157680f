"""What every HTTP request passes through before Litestar routes it, and every answer on
its way out, in one ASGI wrapper.

In, in this order: the request's id and log line (moot/request_log.py, moot/request_id.py)
and the count of its statements; a CORS preflight answered here (moot/cors.py), before rate
limits and routing; the `jwt` cookie dropped from another origin's form (moot/cookie_guard.py);
an ActivityPub GET of a shared path sent to the federation routes
(moot/federation/negotiation.py); then the app, whose lost races are replayed
(moot/replay.py). Out, on the answer's first message: the CORS headers of an allowed origin,
the security headers a route did not set (moot/security_headers.py), then `X-Request-Id`.

One wrapper rather than one per concern: each layer of a pure ASGI stack costs a call and a
closure per request and per message, and five of them were a tenth of a cheap request's CPU
(docs/decisions.md, "One front door"). The rules stay in their modules; this only runs them.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Send

from moot import cookie_guard, cors, request_id, request_log, security_headers
from moot.asgi_headers import header
from moot.client_address import trusted_networks
from moot.config import Settings
from moot.db.statement_count import counting
from moot.federation import negotiation
from moot.replay import replay_conflicts


def front_door(app: ASGIApp, settings: Settings) -> ASGIApp:
    trusted = trusted_networks(settings.trusted_proxies)
    level = settings.request_log_levelno
    policy = cors.CorsPolicy.of(settings)
    https = settings.origin.startswith("https:")
    replayed = replay_conflicts(app)

    async def enter(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        client = scope.get("client")
        peer = client[0] if client else None
        headers = scope["headers"]
        rid = request_log.incoming_id(headers, peer, trusted) or request_id.new()
        status = 500  # what the client gets if the app fails before answering
        origin = header(headers, b"origin")
        with_cors: bytes | None = None  # the allowed origin whose answer gets CORS headers
        preflight = False
        if origin is not None and cors.applies(scope["path"]):
            allowed = policy.allows(origin.decode("latin-1"))
            preflight = scope["method"] == "OPTIONS" and (
                header(headers, b"access-control-request-method") is not None
            )
            with_cors = origin if allowed else None

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = list(message.get("headers", ()))
                if with_cors is not None and not preflight:
                    out += cors.answer_headers(with_cors)
                out += security_headers.missing(out, https=https)
                out.append((request_log.HEADER, rid.encode()))
                message = {**message, "headers": out}
            await send(message)

        token = request_id.current.set(rid)
        try:
            with counting() as statements:
                if preflight:
                    await cors.preflight(scope, answer, with_cors)
                else:
                    routed = negotiation.routed(cookie_guard.guarded(scope))
                    await replayed(routed, receive, answer)
        finally:
            request_log.write(
                level,
                scope,
                status=status,
                started=started,
                rid=rid,
                peer=peer,
                trusted=trusted,
                statements=len(statements),
            )
            request_id.current.reset(token)

    return enter
