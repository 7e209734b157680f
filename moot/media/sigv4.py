"""AWS Signature Version 4 for S3 requests: the headers that authenticate one request.

Written here rather than taken from botocore: moot needs five S3 calls (put, get, head,
delete, list), and httpx already carries them; the signature is a published algorithm of
a few hashes (docs/decisions.md, "Pictures on S3-compatible storage").
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import quote, urlsplit

__all__ = ["EMPTY_SHA256", "sign"]

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _encode(text: str) -> str:
    """URI-encodes a query name or value as SigV4 wants it (RFC 3986 unreserved kept)."""
    return quote(text, safe="-_.~")


def sign(
    method: str,
    url: str,
    params: dict[str, str],
    payload_sha256: str,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    now: datetime,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """The headers to send with the request: `headers` plus `host`, `x-amz-date`,
    `x-amz-content-sha256` and `authorization`, all of them signed.

    `url` has no query string (the query is `params`) and its path is already encoded as it
    goes on the wire; S3 signs that path as is, without encoding it again."""
    parts = urlsplit(url)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    signed = {k.lower(): v.strip() for k, v in (headers or {}).items()}
    signed.update(
        {"host": parts.netloc, "x-amz-date": stamp, "x-amz-content-sha256": payload_sha256}
    )
    names = sorted(signed)
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    canonical = "\n".join(
        [
            method,
            parts.path or "/",
            query,
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(f"AWS4{secret_key}".encode(), day)
    for part in (region, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    signed["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return signed
