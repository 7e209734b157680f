"""Sign up, log in, log out, and the first-run setup of an instance without an admin.

A browser session is the API's login token in a `jwt` cookie (as lemmy-ui keeps it), made
by the same `accounts.register` / `accounts.login` actions: the API and the pages see one
session, and logging out revokes the token for both.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import accounts, oauth_providers
from moot.actions import site as site_actions
from moot.auth import revoke_token, viewer_for_token
from moot.db.browse import has_admin
from moot.errors import ApiError, ErrorCode
from moot.request_context import client_ip, token_of, user_agent
from moot.web.errors import words
from moot.web.pages import (
    AnyRequest,
    Page,
    flag,
    go,
    load_page,
    local_path,
    render,
    state,
    text,
)

TOKEN_COOKIE = "jwt"
COOKIE_SECONDS = 365 * 24 * 3600  # the token itself does not expire; lemmy-ui keeps it a year


def signed_in(request: AnyRequest, token: str, to: str) -> Redirect:
    response = go(to)
    response.set_cookie(
        key=TOKEN_COOKIE,
        value=token,
        max_age=COOKIE_SECONDS,
        path="/",
        httponly=True,
        # Lax keeps the cookie off cross-site POSTs, which is what protects the API's
        # CSRF-exempt routes from forged requests made with a member's cookie.
        samesite="lax",
        secure=state(request).settings.is_https,
    )
    return response


def next_page(request: AnyRequest, raw: str | None) -> str:
    target = local_path(request, raw)
    if target is None or target.startswith(("/login", "/signup", "/logout")):
        return "/"
    return target


async def login_form(
    request: AnyRequest, to: str, *, status: int = 200, error: str | None = None, name: str = ""
) -> Template:
    """The login page: the password form, and a link for each OAuth provider offered."""
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        providers = await oauth_providers.listed(conn, enabled_only=True)
    return render(
        "login.html",
        page,
        status=status,
        title="Log in",
        next=to,
        error=error,
        name=name,
        providers=providers,
    )


@get("/login", media_type=MediaType.HTML, include_in_schema=False)
async def login_page(request: AnyRequest, next: str | None = None) -> Template | Redirect:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    if page.viewer is not None:
        return go(next_page(request, next))
    return await login_form(request, next_page(request, next))


def refusal(exc: ApiError) -> str:
    """Why a login was refused; an applicant turned down is told the admin's reason."""
    said = words(exc)
    if exc.code is ErrorCode.REGISTRATION_DENIED and exc.message:
        said = f"{said} The reason given: {exc.message}"
    return said


@post("/login", media_type=MediaType.HTML, include_in_schema=False)
async def login(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    name, to = text(form, "username_or_email"), next_page(request, text(form, "next"))
    try:
        result = await accounts.login(
            moot.db,
            moot.settings,
            name,
            text(form, "password"),
            client_ip(request),
            user_agent(request),
            moot.login_throttle,
            text(form, "totp_2fa_token").strip() or None,
        )
    except ApiError as exc:
        return await login_form(request, to, status=exc.status, error=refusal(exc), name=name)
    assert result.jwt is not None
    return signed_in(request, result.jwt, to)


async def _signup_form(page: Page, status: int = 200, **context: Any) -> Template:
    return render(
        "signup.html",
        page,
        status=status,
        title="Sign up",
        question=page.local_site["application_question"]
        if page.local_site["registration_mode"] == "RequireApplication"
        else None,
        closed=page.local_site["registration_mode"] == "Closed",
        by_invitation=page.local_site["registration_mode"] == "RequireInvitation",
        **{
            "error": None,
            "name": "",
            "email": "",
            "answer": "",
            "invite": "",
            "providers": [],
            **context,
        },
    )


@get("/signup", media_type=MediaType.HTML, include_in_schema=False)
async def signup_page(request: AnyRequest, invite: str | None = None) -> Template | Redirect:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if not await has_admin(conn):
            return go("/setup")
        # Signing up through a provider, when the site allows it: the name is asked after.
        offered = page.local_site["oauth_registration"]
        providers = await oauth_providers.listed(conn, enabled_only=True) if offered else []
    if page.viewer is not None:
        return go("/")
    return await _signup_form(page, providers=providers, invite=(invite or "")[:64])


@post("/signup", media_type=MediaType.HTML, include_in_schema=False)
async def signup(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    registration = accounts.Registration(
        username=text(form, "username").strip(),
        password=text(form, "password"),
        password_verify=text(form, "password_verify"),
        email=text(form, "email").strip() or None,
        show_nsfw=flag(form, "show_nsfw"),
        honeypot=text(form, "honeypot") or None,
        answer=text(form, "answer") or None,
        accept_language=request.headers.get("accept-language"),
        invite_token=text(form, "invite").strip() or None,
    )
    try:
        result = await accounts.register(
            moot.db, moot.settings, registration, client_ip(request), user_agent(request)
        )
    except ApiError as exc:
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
        return await _signup_form(
            page,
            exc.status,
            error=words(exc),
            name=registration.username,
            email=registration.email or "",
            answer=registration.answer or "",
            invite=registration.invite_token or "",
        )
    if result.jwt is None:
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
        return render(
            "signup_pending.html",
            page,
            title="Check your email" if result.verify_email_sent else "Application sent",
            verify_email_sent=result.verify_email_sent,
            registration_created=result.registration_created,
            email=registration.email,
        )
    return signed_in(request, result.jwt, "/")


@post("/logout", media_type=MediaType.HTML, include_in_schema=False)
async def logout(request: AnyRequest) -> Redirect:
    token = token_of(request)
    if token is not None:
        async with state(request).db.transaction() as tx:
            if await viewer_for_token(tx, token) is not None:
                await revoke_token(tx, token)
    response = go("/")
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


@get("/setup", media_type=MediaType.HTML, include_in_schema=False)
async def setup_page(request: AnyRequest) -> Template | Redirect:
    async with state(request).db.connection() as conn:
        if await has_admin(conn):
            return go("/")
        page = await load_page(conn, request)
    return render("setup.html", page, title="Set up this instance", error=None, name="", site="")


@post("/setup", media_type=MediaType.HTML, include_in_schema=False)
async def setup(request: AnyRequest) -> Template | Redirect:
    """The first account of an instance without an admin becomes its admin (as in Lemmy and
    `accounts.register`), then names the site; both in one transaction."""
    moot = state(request)
    form = await request.form()
    name, site_name = text(form, "username").strip(), text(form, "site_name").strip()
    registration = accounts.Registration(
        username=name,
        password=text(form, "password"),
        password_verify=text(form, "password_verify"),
    )
    try:
        async with moot.db.connection() as conn:
            if await has_admin(conn):
                return go("/")
        # The first account becomes the admin (accounts.register decides, in its own
        # transaction); someone who lost a race for it is simply sent home.
        result = await accounts.register(
            moot.db, moot.settings, registration, client_ip(request), user_agent(request)
        )
        token = result.jwt
        async with moot.db.transaction() as tx:
            viewer = await viewer_for_token(tx, token) if token else None
            if token is None or viewer is None or not viewer.is_admin:
                return go("/")
            await site_actions.edit_site(tx, viewer, {"name": site_name}, creating=True)
    except ApiError as exc:
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
        return render(
            "setup.html",
            page,
            status=exc.status,
            title="Set up this instance",
            error=words(exc),
            name=name,
            site=site_name,
        )
    return signed_in(request, token, "/")


handlers = [login_page, login, signup_page, signup, logout, setup_page, setup]
