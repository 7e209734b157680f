"""Signing in through an OAuth provider from the web pages, without a script.

A "Sign in with …" link on the login page comes here (`/oauth/login/ID`): moot sends the
browser to the provider with a fresh `state` and PKCE verifier, kept in a sealed cookie
(signed with the site's token secret, ten minutes, path /oauth). The provider sends the
browser back to `/oauth/callback` with a code; the code goes to the same action the API
calls (`oauth_sign_in.identify`, `sign_in`), and the session is the API's token in the
`jwt` cookie, as a password login makes it. A person the provider knows but moot does not
yet is asked for a name: who they are at the provider is kept in a second sealed cookie
until they choose it (`/oauth/signup`), so the code is not needed twice.

The links are links, not forms: the pages' Content-Security-Policy lets forms post only to
this instance, and a browser holds a form's redirects to that too.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any, Final
from urllib.parse import urlencode

import jwt
from litestar import MediaType, get, post
from litestar.response import Redirect, Response, Template

from moot import auth
from moot.actions import oauth_providers, oauth_sign_in
from moot.actions.accounts import LoginResult
from moot.errors import ApiError, ErrorCode
from moot.request_context import client_ip, user_agent
from moot.web.pages import AnyRequest, flag, load_page, render, state, text
from moot.web.sessions import login_form, next_page, refusal, signed_in

FLOW_COOKIE: Final = "oauth_flow"
IDENTITY_COOKIE: Final = "oauth_identity"
SEALED_SECONDS: Final = 600
_EXPIRED = "The sign-in through the provider expired or was not started here. Please try again."


def callback_url(request: AnyRequest) -> str:
    """Where the provider sends the browser back: the public address when the instance has
    one (https), else the address the browser used (a test or LAN instance)."""
    settings = state(request).settings
    if settings.is_https:
        return f"{settings.origin}/oauth/callback"
    return f"{str(request.base_url).rstrip('/')}/oauth/callback"


async def _seal(request: AnyRequest, purpose: str, claims: dict[str, Any]) -> str:
    async with state(request).db.connection() as conn:
        secret = await auth.jwt_secret(conn)
    sealed = {**claims, "purpose": purpose, "exp": int(time.time()) + SEALED_SECONDS}
    return jwt.encode(sealed, secret, algorithm="HS256")


async def _opened(request: AnyRequest, name: str) -> dict[str, Any] | None:
    """The sealed cookie's claims, if it is there, ours, for this purpose and not expired."""
    raw = request.cookies.get(name)
    if not raw:
        return None
    async with state(request).db.connection() as conn:
        secret = await auth.jwt_secret(conn)
    try:
        claims: dict[str, Any] = jwt.decode(raw, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    return claims if claims.get("purpose") == name else None


def _with_cookie(response: Response[Any], name: str, value: str | None) -> Response[Any]:
    if value is None:
        response.delete_cookie(name, path="/oauth")
    else:
        response.set_cookie(
            key=name,
            value=value,
            max_age=SEALED_SECONDS,
            path="/oauth",
            httponly=True,
            # Lax: the provider's redirect back is a top-level GET, which carries it.
            samesite="lax",
        )
    return response


@get("/oauth/login/{provider_id:int}", media_type=MediaType.HTML, include_in_schema=False)
async def start(request: AnyRequest, provider_id: int, next: str | None = None) -> Response[Any]:
    to = next_page(request, next)
    async with state(request).db.connection() as conn:
        try:
            provider = await oauth_providers.get(conn, provider_id)
        except ApiError:
            provider = None
    if provider is None or not provider["enabled"]:
        return await login_form(request, to, status=404, error="That sign-in is not offered.")
    flow = {"p": provider_id, "s": secrets.token_urlsafe(16), "n": to}
    params = {
        "response_type": "code",
        "client_id": provider["client_id"],
        "redirect_uri": callback_url(request),
        "scope": provider["scopes"],
        "state": flow["s"],
    }
    if provider["use_pkce"]:
        flow["v"] = secrets.token_urlsafe(48)
        digest = hashlib.sha256(str(flow["v"]).encode()).digest()
        params["code_challenge"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        params["code_challenge_method"] = "S256"
    endpoint = str(provider["authorization_endpoint"])
    target = f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
    sealed = await _seal(request, FLOW_COOKIE, flow)
    return _with_cookie(Redirect(path=target, status_code=303), FLOW_COOKIE, sealed)


@get("/oauth/callback", media_type=MediaType.HTML, include_in_schema=False)
async def callback(
    request: AnyRequest,
    code: str | None = None,
    error: str | None = None,
) -> Response[Any]:
    came_back = request.query_params.get("state") or ""
    flow = await _opened(request, FLOW_COOKIE)
    if flow is None or not secrets.compare_digest(str(flow["s"]), came_back):
        return _with_cookie(
            await login_form(request, "/", status=400, error=_EXPIRED), FLOW_COOKIE, None
        )
    to = str(flow["n"])
    if error or not code:
        said = "The provider did not sign you in."
        return _with_cookie(
            await login_form(request, to, status=400, error=said), FLOW_COOKIE, None
        )
    moot = state(request)
    assert moot.http is not None
    form = oauth_sign_in.OAuthSignIn(
        code=code,
        oauth_provider_id=int(flow["p"]),
        redirect_uri=callback_url(request),
        pkce_code_verifier=flow.get("v"),
        accept_language=request.headers.get("accept-language"),
    )
    try:
        identity = await oauth_sign_in.identify(moot.db, moot.http, form)
    except ApiError as exc:
        page = await login_form(request, to, status=exc.status, error=refusal(exc))
        return _with_cookie(page, FLOW_COOKIE, None)
    try:
        result = await oauth_sign_in.sign_in(
            moot.db, moot.settings, identity, form, client_ip(request), user_agent(request)
        )
    except ApiError as exc:
        if exc.code is not ErrorCode.REGISTRATION_USERNAME_REQUIRED:
            page = await login_form(request, to, status=exc.status, error=refusal(exc))
            return _with_cookie(page, FLOW_COOKIE, None)
        kept = {
            "p": identity.provider_id,
            "x": identity.external_id,
            "e": identity.email,
            "ev": identity.email_verified,
            "n": to,
        }
        sealed = await _seal(request, IDENTITY_COOKIE, kept)
        chooser = await _name_form(request, int(flow["p"]))
        return _with_cookie(_with_cookie(chooser, FLOW_COOKIE, None), IDENTITY_COOKIE, sealed)
    return _with_cookie(await _signed_in(request, result, to), FLOW_COOKIE, None)


@post("/oauth/signup", media_type=MediaType.HTML, include_in_schema=False)
async def choose_name(request: AnyRequest) -> Response[Any]:
    """A new member's name (and application answer), for the identity the callback kept."""
    kept = await _opened(request, IDENTITY_COOKIE)
    if kept is None:
        return await login_form(request, "/", status=400, error=_EXPIRED)
    moot = state(request)
    form = await request.form()
    identity = oauth_sign_in.Identity(
        int(kept["p"]), str(kept["x"]), kept.get("e"), bool(kept.get("ev"))
    )
    choice = oauth_sign_in.OAuthSignIn(
        code="",
        oauth_provider_id=identity.provider_id,
        redirect_uri="",
        username=text(form, "username").strip(),
        answer=text(form, "answer") or None,
        show_nsfw=flag(form, "show_nsfw"),
        accept_language=request.headers.get("accept-language"),
    )
    try:
        result = await oauth_sign_in.sign_in(
            moot.db, moot.settings, identity, choice, client_ip(request), user_agent(request)
        )
    except ApiError as exc:
        return await _name_form(
            request,
            identity.provider_id,
            status=exc.status,
            error=refusal(exc),
            name=choice.username or "",
            answer=choice.answer or "",
        )
    return _with_cookie(await _signed_in(request, result, str(kept["n"])), IDENTITY_COOKIE, None)


async def _name_form(
    request: AnyRequest, provider_id: int, status: int = 200, **context: Any
) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        provider = await oauth_providers.get(conn, provider_id)
    local = page.local_site
    return render(
        "oauth_signup.html",
        page,
        status=status,
        title="Choose your name",
        provider=provider,
        question=local["application_question"]
        if local["registration_mode"] == "RequireApplication"
        else None,
        **{"error": None, "name": "", "answer": "", **context},
    )


async def _signed_in(request: AnyRequest, result: LoginResult, to: str) -> Response[Any]:
    if result.jwt is not None:
        return signed_in(request, result.jwt, to)
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    return render(
        "signup_pending.html",
        page,
        title="Check your email" if result.verify_email_sent else "Application sent",
        verify_email_sent=result.verify_email_sent,
        registration_created=result.registration_created,
        email=None,
    )


handlers = [start, callback, choose_name]
