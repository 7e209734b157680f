"""Time-based one-time passwords (RFC 6238) as Lemmy 0.19 configures them for 2FA.

SHA-1, six digits, a 30-second step, and one step of clock skew either way: the settings
every authenticator app assumes, so a secret moves between Lemmy and moot unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

DIGITS = 6
STEP_SECONDS = 30
SKEW_STEPS = 1
_SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 key length RFC 4226 recommends


def new_secret() -> str:
    """A fresh secret, base32 without padding (20 bytes need none)."""
    return base64.b32encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def _key(secret: str) -> bytes | None:
    cleaned = secret.strip().replace(" ", "").upper()
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        return None


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226: the dynamically truncated HMAC-SHA1 of the counter."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_at(secret: str, unix_time: float) -> str:
    key = _key(secret)
    if key is None:
        raise ValueError("not a base32 secret")
    return hotp(key, int(unix_time) // STEP_SECONDS)


def verify(secret: str, token: str, unix_time: float | None = None) -> bool:
    """Whether `token` is the code of the current step or of one step before or after."""
    key = _key(secret)
    candidate = token.strip()
    if key is None or len(candidate) != DIGITS or not candidate.isdigit():
        return False
    step = int(time.time() if unix_time is None else unix_time) // STEP_SECONDS
    # Every window is compared, so the time taken does not tell which one matched.
    matches = [
        hmac.compare_digest(hotp(key, step + skew), candidate)
        for skew in range(-SKEW_STEPS, SKEW_STEPS + 1)
    ]
    return any(matches)


def provisioning_url(secret: str, issuer: str, account: str) -> str:
    """The otpauth:// URL an authenticator app reads (usually from a QR code).

    Issuer and account are percent-encoded, a colon included, so a site name with a colon
    cannot move the split between the two.
    """
    label_issuer, label_account = quote(issuer, safe=""), quote(account, safe="")
    return f"otpauth://totp/{label_issuer}:{label_account}?secret={secret}&issuer={label_issuer}"
