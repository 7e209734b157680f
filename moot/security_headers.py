"""Headers that tell a browser what a response may do, on every response.

Pages get a Content-Security-Policy that fits them: scripts and styles from this instance
only (the templates have no inline script or style), pictures from anywhere (other
instances' avatars and thumbnails), forms posted only here, and no framing, so nobody can
lay an instance's one-click forms under a decoy page. Every other response (API JSON,
ActivityPub, pictures, feeds) gets the strictest policy, which also sandboxes a picture or
document opened on its own. HSTS only when the public address is https.
"""

from __future__ import annotations

from typing import Any

from litestar.types import ASGIApp, Message, Receive, Send

from moot.asgi_headers import header

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: http: data:",
        "media-src 'self' https: http:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"

_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors' older spelling
)
_HSTS = (b"strict-transport-security", b"max-age=31536000")


def security_headers(app: ASGIApp, *, https: bool) -> ASGIApp:
    """Wrap `app` so that every HTTP response carries the headers (unless a route set one)."""

    async def wrapped(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = header(headers, b"content-type") or b""
                policy = PAGE_POLICY if content_type.startswith(b"text/html") else OTHER_POLICY
                extra = [*_ALWAYS, (b"content-security-policy", policy.encode())]
                if https:
                    extra.append(_HSTS)
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
