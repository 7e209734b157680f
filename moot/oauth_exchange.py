"""The server's half of an OAuth 2.0 authorization-code sign-in (RFC 6749 4.1, RFC 7636,
OpenID Connect Core 5.3): trade the code for an access token at the provider's token
endpoint, then read the person's claims at its userinfo endpoint.

Both requests go through moot's outbound client (`moot.outbound.checked_transport`: checked
addresses, loopback only in federation test mode) with a deadline for each exchange, no
redirects and a cap on what is read: the endpoints are an admin's, but the answers are the
provider's. Every failure is an `ApiError`: a code the provider refuses is
`oauth_authorization_invalid`; anything else that goes wrong is `oauth_login_failed`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote_plus

import httpx
import msgspec

from moot.errors import ApiError, ErrorCode

log = logging.getLogger(__name__)

TIMEOUT_SECONDS: Final = 10.0
MAX_ANSWER_BYTES: Final = 64 * 1024


async def exchange_code(
    client: httpx.AsyncClient,
    provider: Mapping[str, Any],
    code: str,
    redirect_uri: str,
    code_verifier: str | None,
) -> str:
    """The access token the provider gives for `code` (client authentication: HTTP Basic,
    which RFC 6749 2.3.1 requires every provider to accept)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if code_verifier is not None:
        form["code_verifier"] = code_verifier
    auth = httpx.BasicAuth(
        _form_escaped(str(provider["client_id"])), _form_escaped(str(provider["client_secret"]))
    )
    status, answer = await _call(
        client, "POST", str(provider["token_endpoint"]), data=form, auth=auth
    )
    if status in (400, 401):
        # invalid_grant (a used, expired or foreign code, a wrong verifier or redirect URI).
        raise ApiError(ErrorCode.OAUTH_AUTHORIZATION_INVALID)
    token = answer.get("access_token") if status == 200 else None
    if not isinstance(token, str) or not token:
        log.warning("oauth token endpoint %s answered %s", provider["token_endpoint"], status)
        raise ApiError(ErrorCode.OAUTH_LOGIN_FAILED)
    return token


async def read_userinfo(
    client: httpx.AsyncClient, provider: Mapping[str, Any], access_token: str
) -> dict[str, Any]:
    """The claims the userinfo endpoint answers for the token's person."""
    headers = {"Authorization": f"Bearer {access_token}"}
    status, answer = await _call(client, "GET", str(provider["userinfo_endpoint"]), headers=headers)
    if status != 200:
        log.warning("oauth userinfo %s answered %s", provider["userinfo_endpoint"], status)
        raise ApiError(ErrorCode.OAUTH_LOGIN_FAILED)
    return answer


async def _call(
    client: httpx.AsyncClient, method: str, url: str, **options: Any
) -> tuple[int, dict[str, Any]]:
    """The status and JSON object of one request; an answer that is not a JSON object reads
    as empty (the caller decides by the status)."""
    headers = {"Accept": "application/json", **options.pop("headers", {})}
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            auth = options.pop("auth", None)
            request = client.build_request(
                method, url, headers=headers, timeout=TIMEOUT_SECONDS, **options
            )
            response = await client.send(request, auth=auth, stream=True, follow_redirects=False)
            try:
                body = await _read_capped(response)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.HTTPError, OSError) as exc:
        log.warning("oauth %s %s failed: %s", method, url, type(exc).__name__)
        raise ApiError(ErrorCode.OAUTH_LOGIN_FAILED) from None
    try:
        answer = msgspec.json.decode(body)
    except msgspec.DecodeError:
        answer = None
    return response.status_code, answer if isinstance(answer, dict) else {}


async def _read_capped(response: httpx.Response) -> bytes:
    buffer = bytearray()
    async for chunk in response.aiter_bytes():
        buffer += chunk
        if len(buffer) > MAX_ANSWER_BYTES:
            raise ApiError(ErrorCode.OAUTH_LOGIN_FAILED)
    return bytes(buffer)


def _form_escaped(value: str) -> str:
    """RFC 6749 2.3.1: the id and secret are form-encoded before they go into Basic."""
    return quote_plus(value, safe="")
