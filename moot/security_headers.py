"""Headers that tell a browser what a response may do, on every response.

Pages get a Content-Security-Policy that fits them: scripts and styles from this instance
only (the templates have no inline script or style), pictures from anywhere (other
instances' avatars and thumbnails), forms posted only here, and no framing, so nobody can
lay an instance's one-click forms under a decoy page. Every other response (API JSON,
ActivityPub, pictures, feeds) gets the strictest policy, which also sandboxes a picture or
document opened on its own. HSTS only when the public address is https.
"""

from __future__ import annotations

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


# What a response gets, by (is a page, https): each header added unless a route set it.
_EXTRA = {
    (page, https): (
        *_ALWAYS,
        (b"content-security-policy", (PAGE_POLICY if page else OTHER_POLICY).encode()),
        *((_HSTS,) if https else ()),
    )
    for page in (False, True)
    for https in (False, True)
}


def missing(headers: list[tuple[bytes, bytes]], *, https: bool) -> list[tuple[bytes, bytes]]:
    """The headers to add to a response's `headers` (those a route did not set itself),
    added by the front door (moot/front_door.py) to every HTTP response."""
    present = set()
    content_type = None
    for name, value in headers:
        lowered = name.lower()
        present.add(lowered)
        if content_type is None and lowered == b"content-type":
            content_type = bytes(value)
    page = content_type is not None and content_type.startswith(b"text/html")
    return [(name, value) for name, value in _EXTRA[page, https] if name not in present]
