"""Signing up, in and out: what API v3's /user/register|login|logout and API v4's
/account/auth/… answer, written once for both generations (their forms differ only in
fields the actions do not read)."""

from __future__ import annotations

from typing import Any

from litestar import Response

from moot.actions import accounts
from moot.auth import revoke_token, viewer_for_token
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, client_ip, state, token_of, user_agent

Json = dict[str, Any]


def login_json(result: accounts.LoginResult) -> Json:
    """LoginResponse: the token only when the account may sign in now."""
    out: Json = {
        "registration_created": result.registration_created,
        "verify_email_sent": result.verify_email_sent,
    }
    if result.jwt is not None:
        out["jwt"] = result.jwt
    return out


async def register(request: AnyRequest, fields: dict[str, Any]) -> Json:
    """`fields`: the Register form's (v3's names; v4's are the same)."""
    moot = state(request)
    form = accounts.Registration(**fields, accept_language=request.headers.get("accept-language"))
    result = await accounts.register(
        moot.db, moot.settings, form, client_ip(request), user_agent(request)
    )
    return login_json(result)


async def log_in(request: AnyRequest, name: str, password: str, totp: str | None) -> Json:
    moot = state(request)
    result = await accounts.login(
        moot.db,
        moot.settings,
        name,
        password,
        client_ip(request),
        user_agent(request),
        moot.login_throttle,
        totp,
    )
    return login_json(result)


async def log_out(request: AnyRequest) -> Response[Json]:
    """Revoke the request's token (the browser's cookie goes too)."""
    token = token_of(request)
    async with state(request).db.transaction() as tx:
        if token is None or await viewer_for_token(tx, token) is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        await revoke_token(tx, token)
    response = Response({"success": True})
    response.delete_cookie("jwt")
    return response
