"""The pages behind mailed links: asking for a password reset, choosing the new password,
and confirming an email address; each calls the same `mail_links` action as the API."""

from __future__ import annotations

from litestar import MediaType, get, post
from litestar.response import Template

from moot.actions import mail_links
from moot.errors import ApiError, ErrorCode
from moot.web.errors import words
from moot.web.pages import AnyRequest, load_page, render, state, text


async def _page(
    request: AnyRequest, template: str, title: str, *, status: int = 200, **context: object
) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    return render(template, page, status=status, title=title, **context)


@get("/password_reset", media_type=MediaType.HTML, include_in_schema=False)
async def password_reset_page(request: AnyRequest) -> Template:
    return await _page(request, "password_reset.html", "Forgot password", error=None, email="")


@post("/password_reset", media_type=MediaType.HTML, include_in_schema=False)
async def password_reset(request: AnyRequest) -> Template:
    moot = state(request)
    email = text(await request.form(), "email").strip()
    try:
        await mail_links.request_password_reset(moot.db, moot.settings, email)
    except ApiError as exc:
        # The API's `incorrect_login` would read "name or password" here.
        said = (
            "No account here has that email address."
            if exc.code is ErrorCode.INCORRECT_LOGIN
            else words(exc)
        )
        return await _page(
            request,
            "password_reset.html",
            "Forgot password",
            status=exc.status,
            error=said,
            email=email,
        )
    return await _page(
        request,
        "mail_notice.html",
        "Check your email",
        notice=f"We sent a link to {email}. Open it within a day to choose a new password.",
    )


@get("/password_change/{token:str}", media_type=MediaType.HTML, include_in_schema=False)
async def password_change_page(request: AnyRequest, token: str) -> Template:
    return await _page(
        request, "password_change.html", "Choose a new password", error=None, token=token
    )


@post("/password_change/{token:str}", media_type=MediaType.HTML, include_in_schema=False)
async def password_change(request: AnyRequest, token: str) -> Template:
    form = await request.form()
    try:
        await mail_links.reset_password(
            state(request).db, token, text(form, "password"), text(form, "password_verify")
        )
    except ApiError as exc:
        return await _page(
            request,
            "password_change.html",
            "Choose a new password",
            status=exc.status,
            error=words(exc),
            token=token,
        )
    return await _page(
        request,
        "mail_notice.html",
        "Password changed",
        notice="Your new password is set, and every device that was logged in is logged out.",
        login=True,
    )


@get("/verify_email/{token:str}", media_type=MediaType.HTML, include_in_schema=False)
async def verify_email_page(request: AnyRequest, token: str) -> Template:
    # A button, not a GET that acts: mail scanners open links to look at them.
    return await _page(request, "verify_email.html", "Confirm your email", error=None, token=token)


@post("/verify_email/{token:str}", media_type=MediaType.HTML, include_in_schema=False)
async def verify_email(request: AnyRequest, token: str) -> Template:
    try:
        await mail_links.verify_email(state(request).db, token)
    except ApiError as exc:
        return await _page(
            request,
            "verify_email.html",
            "Confirm your email",
            status=exc.status,
            error=words(exc),
            token=token,
        )
    return await _page(
        request,
        "mail_notice.html",
        "Email confirmed",
        notice="Thank you: your email address is confirmed.",
        login=True,
    )


handlers = [
    password_reset_page,
    password_reset,
    password_change_page,
    password_change,
    verify_email_page,
    verify_email,
]
