"""moot.totp against the published test vectors of RFC 4226 and RFC 6238 (SHA-1)."""

from __future__ import annotations

import base64

import pytest

from moot import totp

RFC_KEY = b"12345678901234567890"
RFC_SECRET = base64.b32encode(RFC_KEY).decode()

# RFC 4226, appendix D: HOTP values for counters 0..9.
HOTP_VECTORS = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
]

# RFC 6238, appendix B, SHA-1 rows: (unix time, eight-digit TOTP).
TOTP_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(HOTP_VECTORS)))
def test_hotp_vectors(counter: int, expected: str) -> None:
    assert totp.hotp(RFC_KEY, counter) == expected


@pytest.mark.parametrize(("unix_time", "expected"), TOTP_VECTORS)
def test_totp_vectors(unix_time: int, expected: str) -> None:
    assert totp.hotp(RFC_KEY, unix_time // totp.STEP_SECONDS, digits=8) == expected
    # The six-digit code Lemmy asks for is the same value's last six digits.
    assert totp.code_at(RFC_SECRET, unix_time) == expected[2:]


def test_verify_allows_one_step_of_skew_either_way() -> None:
    now = 1234567890
    for offset in (-30, 0, 30):
        assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now + offset), now)
    for offset in (-60, 60):
        assert not totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now + offset), now)
    code = totp.code_at(RFC_SECRET, now)
    assert totp.verify(RFC_SECRET, f" {code} ", now)
    for bad in ("", "12345", "1234567", "abcdef", code[:5] + "x"):
        assert not totp.verify(RFC_SECRET, bad, now)
    assert not totp.verify("not base32!", code, now)


def test_new_secrets_and_the_provisioning_url() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20
    assert secret != totp.new_secret()
    url = totp.provisioning_url(secret, "My Site: moot", "ann")
    assert (
        url == f"otpauth://totp/My%20Site%3A%20moot:ann?secret={secret}&issuer=My%20Site%3A%20moot"
    )
