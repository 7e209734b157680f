"""Two-factor codes computed by the tests themselves (RFC 6238, SHA-1, six digits, 30 s),
written apart from moot.totp so a mistake there cannot hide in both."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qs, urlsplit

from tests.conftest import register, unique
from tests.servers import Server

PASSWORD = "password-123"


def code(secret: str, step: int) -> str:
    """RFC 6238 with SHA-1 and six digits, written here apart from moot's own."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, step.to_bytes(8, "big"), hashlib.sha1).digest()
    start = mac[19] & 15
    return f"{(int.from_bytes(mac[start : start + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def now_code(secret: str) -> str:
    return code(secret, int(time.time()) // 30)


def wrong_code(secret: str) -> str:
    """Six digits that match none of the steps the server accepts right now."""
    step = int(time.time()) // 30
    near = {code(secret, s) for s in range(step - 2, step + 3)}
    return next(c for c in (f"{d}" * 6 for d in range(10)) if c not in near)


def secret_of(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    return parse_qs(parts.query)["secret"][0]


def with_two_factor(server: Server) -> tuple[str, str]:
    """A new member with 2FA on: (name, secret)."""
    name = unique("tfa")
    member = register(server, name, PASSWORD)
    secret = secret_of(member.ok("POST", "/user/totp/generate")["totp_secret_url"])
    member.ok("POST", "/user/totp/update", {"totp_token": now_code(secret), "enabled": True})
    return name, secret
