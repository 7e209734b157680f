"""The account settings page, `/settings/account`: email address, password, two-factor
login, the settings backup (download and upload) and deleting the account.

Each form calls what the API route of the same change calls: `accounts.save_settings`
(PUT /user/save_user_settings, with only the email), `accounts.change_password` (PUT
/user/change_password), the `two_factor` actions (POST /user/totp/generate and /update),
`backup.export` and `backup.apply` (GET /user/export_settings, POST /user/import_settings)
and `accounts.delete_account` (POST /user/delete_account). A refusal comes back as the page
with the words beside the field concerned, and that field focused.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from moot import totp
from moot.actions import accounts, two_factor
from moot.actions.settings_backup import ImportReport
from moot.api.v3 import backup, forms
from moot.auth import Viewer
from moot.errors import ApiError, ErrorCode
from moot.mail import send
from moot.request_context import client_ip, required_viewer, user_agent
from moot.web.errors import words
from moot.web.pages import AnyRequest, flag, go, load_page, render, state, text
from moot.web.sessions import TOKEN_COOKIE, signed_in

HERE = "/settings/account"
# What the page says after a change it was sent back to.
DONE = {
    "email": "Your email address is saved.",
    "email_sent": "We mailed a link to the new address: it counts once you follow it.",
    "password": "Your password is changed. Your other sessions are logged out.",
    "two_factor": "Two-factor login is changed.",
}
# The form field a refusal belongs beside.
_FIELD = {
    ErrorCode.INVALID_PASSWORD: "new_password",
    ErrorCode.PASSWORDS_DO_NOT_MATCH: "new_password_verify",
    ErrorCode.INCORRECT_LOGIN: "old_password",
}
WRONG_PASSWORD = "That is not your password."
NOT_A_BACKUP = "That is not a settings file: choose one exported from Lemmy or moot."
BACKUP_MAX_BYTES = 10 * 1024 * 1024  # a backup of 10,000 ids, with room to spare


async def _viewer(request: AnyRequest) -> Viewer:
    """The member, or the login page: a refusal of the login itself is no field's error."""
    async with state(request).db.connection() as conn:
        return await required_viewer(conn, request)


async def _form(
    request: AnyRequest,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    done: str | None = None,
    report: ImportReport | None = None,
    **values: Any,
) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    person, user = page.viewer.person, page.viewer.local_user
    # A secret stored but not yet confirmed with a code is a setup under way: show it.
    pending = user["totp_2fa_secret"] if not user["totp_2fa_enabled"] else None
    return render(
        "account.html",
        page,
        status=status,
        title="Account settings",
        errors=errors or {},
        done=done,
        report=report,
        values={"email": user["email"] or "", "delete_content": False} | values,
        email_required=bool(page.local_site["require_email_verification"]),
        two_factor_on=bool(user["totp_2fa_enabled"]),
        two_factor_secret=pending,
        two_factor_url=totp.provisioning_url(pending, str(page.site["name"]), str(person["name"]))
        if pending
        else None,
    )


@get(HERE, media_type=MediaType.HTML, include_in_schema=False)
async def account_page(request: AnyRequest, done: str | None = None) -> Template:
    return await _form(request, done=DONE.get(done or ""))


@post("/settings/email", media_type=MediaType.HTML, include_in_schema=False)
async def change_email(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    email = text(form, "email")
    viewer = await _viewer(request)
    try:
        async with moot.db.transaction() as tx:
            # Only the email is sent: every other setting stays as it is.
            mail = await accounts.save_settings(tx, moot.settings, viewer, {"email": email})
        if mail is not None:
            await send(moot.settings, mail)
    except ApiError as exc:
        # The action answers a malformed address as a missing one (as Lemmy has no code).
        malformed = exc.code is ErrorCode.EMAIL_REQUIRED and email.strip()
        said = "That is not an email address." if malformed else words(exc)
        return await _form(request, status=exc.status, errors={"email": said}, email=email)
    return go(f"{HERE}?done={'email' if mail is None else 'email_sent'}#email")


@post("/settings/password", media_type=MediaType.HTML, include_in_schema=False)
async def change_password(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    viewer = await _viewer(request)
    try:
        async with moot.db.transaction() as tx:
            token = await accounts.change_password(
                tx,
                moot.settings,
                viewer,
                text(form, "old_password"),
                text(form, "new_password"),
                text(form, "new_password_verify"),
                client_ip(request),
                user_agent(request),
            )
    except ApiError as exc:
        field = _FIELD.get(exc.code, "new_password")
        said = WRONG_PASSWORD if exc.code is ErrorCode.INCORRECT_LOGIN else words(exc)
        return await _form(request, status=exc.status, errors={field: said})
    # Every token was revoked, this session's too: it goes on with the new one.
    return signed_in(request, token, f"{HERE}?done=password#password")


@post("/settings/two_factor/generate", media_type=MediaType.HTML, include_in_schema=False)
async def generate_two_factor(request: AnyRequest) -> Template | Redirect:
    viewer = await _viewer(request)
    try:
        async with state(request).db.transaction() as tx:
            await two_factor.generate(tx, viewer)
    except ApiError as exc:
        return await _form(request, status=exc.status, errors={"totp_token": words(exc)})
    return go(f"{HERE}#two-factor")


@post("/settings/two_factor", media_type=MediaType.HTML, include_in_schema=False)
async def update_two_factor(request: AnyRequest) -> Template | Redirect:
    form = await request.form()
    viewer = await _viewer(request)
    try:
        async with state(request).db.transaction() as tx:
            await two_factor.update(
                tx, viewer, text(form, "totp_token").strip(), text(form, "enabled") == "1"
            )
    except ApiError as exc:
        return await _form(request, status=exc.status, errors={"totp_token": words(exc)})
    return go(f"{HERE}?done=two_factor#two-factor")


@get("/settings/export", include_in_schema=False)
async def export_settings(request: AnyRequest) -> Response[bytes]:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        data = await backup.export(conn, viewer)
    name = f"{viewer.person['name']}_{state(request).settings.hostname}_settings.json"
    return Response(
        msgspec.json.encode(data),
        media_type=MediaType.JSON,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@post(
    "/settings/import",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=BACKUP_MAX_BYTES,
)
async def import_settings(request: AnyRequest) -> Template:
    form = await request.form()
    viewer = await _viewer(request)
    upload = form.get("backup")
    raw = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        data = msgspec.json.decode(raw, type=forms.UserSettingsBackup)
    except msgspec.DecodeError:
        said = NOT_A_BACKUP if raw else "Choose a settings file first."
        return await _form(request, status=400, errors={"backup": said})
    try:
        report = await backup.apply(state(request), viewer, data)
    except ApiError as exc:
        return await _form(request, status=exc.status, errors={"backup": words(exc)})
    return await _form(request, report=report)


@post("/settings/delete_account", media_type=MediaType.HTML, include_in_schema=False)
async def delete_account(request: AnyRequest) -> Template:
    moot = state(request)
    form = await request.form()
    viewer = await _viewer(request)
    delete_content = flag(form, "delete_content")
    try:
        async with moot.db.transaction() as tx:
            await accounts.delete_account(tx, viewer, text(form, "delete_password"), delete_content)
    except ApiError as exc:
        said = WRONG_PASSWORD if exc.code is ErrorCode.INCORRECT_LOGIN else words(exc)
        return await _form(
            request,
            status=exc.status,
            errors={"delete_password": said},
            delete_content=delete_content,
        )
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)  # logged out by now: every token is revoked
    gone = render(
        "mail_notice.html",
        page,
        title="Account deleted",
        notice="Your account is deleted"
        + (", with your posts and comments." if delete_content else ".")
        + " Thank you for having been here.",
        login=True,
    )
    gone.delete_cookie(TOKEN_COOKIE, path="/")
    return gone


handlers = [
    account_page,
    change_email,
    change_password,
    generate_two_factor,
    update_two_factor,
    export_settings,
    import_settings,
    delete_account,
]
