"""HTTP signatures as Lemmy makes and checks them (draft-cavage, reference §5).

Outgoing: RSASSA-PKCS1-v1_5 with SHA-256 over `(request-target) content-type date digest
host` (a GET signs `accept` in place of `content-type`, and the Digest of the empty body),
labelled `hs2019` as Lemmy (and Mastodon) label it. Incoming: a POST's Digest header is
required and must be signed (a GET's is checked when sent), the signature is always checked
as RSA-SHA256 whatever its label, and a signed Date (or `(created)`) must be within an hour
of now.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from moot.federation.protocol.common import ACTIVITY_JSON

WINDOW = timedelta(hours=1)
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*,?')


class SignatureError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


@lru_cache(maxsize=1024)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@lru_cache(maxsize=4096)
def _public_key(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise SignatureError("the actor's public key cannot be read") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the actor's key is not an RSA key")
    return key


def _target(method: str, url: str) -> tuple[str, str]:
    """(`(request-target)` value, Host header) for a URL."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return f"{method.lower()} {path}", parts.netloc


def sign(
    url: str, body: bytes, private_pem: str, key_id: str, now: datetime | None = None
) -> dict[str, str]:
    """The headers of a signed POST of `body` to `url`."""
    return _signed("POST", url, {"content-type": ACTIVITY_JSON}, body, private_pem, key_id, now)


def sign_get(
    url: str, accept: str, private_pem: str, key_id: str, now: datetime | None = None
) -> dict[str, str]:
    """The headers of a signed GET of `url` (a signed fetch)."""
    return _signed("GET", url, {"accept": accept}, b"", private_pem, key_id, now)


def _signed(
    method: str,
    url: str,
    first: dict[str, str],
    body: bytes,
    private_pem: str,
    key_id: str,
    now: datetime | None,
) -> dict[str, str]:
    target, host = _target(method, url)
    headers = {
        **first,
        "date": format_datetime(now or datetime.now(UTC), usegmt=True),
        "digest": digest(body),
        "host": host,
    }
    names = ["(request-target)", *headers]
    lines = [f"(request-target): {target}"] + [f"{h}: {v}" for h, v in headers.items()]
    signature = _private_key(private_pem).sign(
        "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="hs2019",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def parse_signature(value: str) -> dict[str, str]:
    params = {k.lower(): v for k, v in _PARAM.findall(value)}
    for required in ("keyid", "signature"):
        if required not in params:
            raise SignatureError(f"the Signature header has no {required}")
    return params


def key_id_of(headers: Mapping[str, str]) -> str:
    value = headers.get("signature")
    if not value:
        raise SignatureError("the request is not signed (no Signature header)")
    return parse_signature(value)["keyid"]


def check_digest(headers: Mapping[str, str], body: bytes) -> None:
    value = headers.get("digest")
    if not value:
        raise SignatureError("the Digest header is required")
    expected = digest(body).split("=", 1)[1]
    entries = [e.strip() for e in value.split(";", 1)[0].split(",") if e.strip()]
    if not entries or any(e.split("=", 1)[-1] != expected for e in entries):
        raise SignatureError("the Digest header does not match the body")


def _moment(params: Mapping[str, str], headers: Mapping[str, str], signed: list[str]) -> datetime:
    if "(created)" in signed and params.get("created", "").isdigit():
        return datetime.fromtimestamp(int(params["created"]), UTC)
    if "date" not in signed or not headers.get("date"):
        raise SignatureError("the signature covers neither Date nor (created)")
    try:
        moment = parsedate_to_datetime(headers["date"])
    except (TypeError, ValueError) as exc:
        raise SignatureError("the Date header cannot be read") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify(
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    public_pem: str,
    now: datetime | None = None,
) -> None:
    """Raise SignatureError unless `public_pem` signed this request, Digest and all.

    `headers` has lower-case names; `path` is the path and query as the client sent them.
    A GET has no body to protect: its Digest is checked only when sent (Mastodon sends none).
    """
    params = parse_signature(headers.get("signature", ""))
    signed = params.get("headers", "date").lower().split()
    if method.upper() != "GET" or "digest" in headers:
        check_digest(headers, body)
        if "digest" not in signed:
            raise SignatureError("the signature does not cover the Digest header")
    if "(request-target)" not in signed:
        raise SignatureError("the signature does not cover (request-target)")
    moment = _moment(params, headers, signed)
    if abs((now or datetime.now(UTC)) - moment) > WINDOW:
        raise SignatureError("the signature is outside the one-hour window")
    if params.get("algorithm", "hs2019").lower() not in ("hs2019", "rsa-sha256"):
        raise SignatureError(f"signature algorithm {params['algorithm']!r} is not supported")
    lines = []
    for name in signed:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name in ("(created)", "(expires)"):
            lines.append(f"{name}: {params.get(name.strip('()'), '')}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"the signed header {name!r} is missing")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
        _public_key(public_pem).verify(
            raw, "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("the signature does not verify with the actor's key") from exc
