"""Errors as a person reads them: the action's code in words, on a page or in place."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.response import Template

from moot.errors import ApiError, ErrorCode
from moot.web.pages import AnyRequest, is_htmx, login_first

_WORDS: dict[ErrorCode, str] = {
    ErrorCode.INCORRECT_LOGIN: "That name or password is not right.",
    ErrorCode.NOT_LOGGED_IN: "You need to log in first.",
    ErrorCode.PASSWORDS_DO_NOT_MATCH: "The two passwords are not the same.",
    ErrorCode.INVALID_PASSWORD: "A password has 10 to 60 characters.",
    ErrorCode.INVALID_NAME: "Names are 3 to 20 letters, digits or underscores.",
    ErrorCode.INVALID_DISPLAY_NAME: "That display name (or those pronouns) cannot be used.",
    ErrorCode.USER_ALREADY_EXISTS: "Somebody already has that name.",
    ErrorCode.EMAIL_ALREADY_EXISTS: "That email address is already in use.",
    ErrorCode.EMAIL_REQUIRED: "This instance needs an email address.",
    ErrorCode.EMAIL_NOT_VERIFIED: "Please confirm your email address first: follow the link "
    "in the mail we sent you.",
    ErrorCode.NO_EMAIL_SETUP: "This instance cannot send mail.",
    ErrorCode.EMAIL_SEND_FAILED: "The mail could not be sent; please try again later.",
    ErrorCode.TOKEN_NOT_FOUND: "That link has been used already or has expired.",
    ErrorCode.REGISTRATION_CLOSED: "This instance is not taking new members.",
    ErrorCode.MISSING_INVITE_TOKEN: "Signing up here needs an invite code from a member.",
    ErrorCode.INVALID_INVITE_TOKEN: "That invite code is unknown, used up or past its end.",
    ErrorCode.TOO_MANY_INVITES: "You hold as many invitations as one member may.",
    ErrorCode.REGISTRATION_APPLICATION_ANSWER_REQUIRED: "Please answer the question.",
    ErrorCode.REGISTRATION_APPLICATION_IS_PENDING: "Your application is waiting for an admin.",
    ErrorCode.REGISTRATION_DENIED: "Your application was turned down.",
    ErrorCode.MISSING_TOTP_TOKEN: "This account asks for a two-factor code as well.",
    ErrorCode.INCORRECT_TOTP_TOKEN: "That two-factor code is not right (or has expired).",
    ErrorCode.SITE_BAN: "You are banned from this instance.",
    ErrorCode.DELETED: "That has been deleted.",
    ErrorCode.BANNED_FROM_COMMUNITY: "You are banned from this community.",
    ErrorCode.COULDNT_FIND_COMMUNITY: "There is no such community.",
    ErrorCode.COULDNT_FIND_PERSON: "There is nobody by that name.",
    ErrorCode.COULDNT_FIND_POST: "There is no such post.",
    ErrorCode.COULDNT_FIND_COMMENT: "There is no such comment.",
    ErrorCode.COULDNT_FIND_OBJECT: "There is nothing here.",
    ErrorCode.COMMUNITY_ALREADY_EXISTS: "A community by that name already exists.",
    ErrorCode.ONLY_ADMINS_CAN_CREATE_COMMUNITIES: "Only admins can make communities here.",
    ErrorCode.ONLY_MODS_CAN_POST_IN_COMMUNITY: "Only moderators can post in this community.",
    ErrorCode.NOT_A_MOD_OR_ADMIN: "Only its moderators can do that.",
    ErrorCode.NOT_AN_ADMIN: "Only admins can do that.",
    ErrorCode.NO_POST_EDIT_ALLOWED: "Only its author can change that post.",
    ErrorCode.NO_COMMENT_EDIT_ALLOWED: "Only its author can change that comment.",
    ErrorCode.INVALID_POST_TITLE: "A title has 3 to 200 characters on one line.",
    ErrorCode.INVALID_BODY_FIELD: "That text is empty or too long.",
    ErrorCode.INVALID_URL: "That is not a web address.",
    ErrorCode.INVALID_URL_SCHEME: "Web addresses start with http:// or https://.",
    ErrorCode.BLOCKED_URL: "Links to that site are not allowed here.",
    ErrorCode.SLURS: "That text has words this instance does not allow.",
    ErrorCode.LOCKED: "This post is locked.",
    ErrorCode.MAX_COMMENT_DEPTH_REACHED: "This thread cannot go any deeper.",
    ErrorCode.DOWNVOTES_ARE_DISABLED: "Downvotes are off on this instance.",
    ErrorCode.RATE_LIMIT_ERROR: "Too many at once: wait a little and try again.",
    ErrorCode.SITE_NAME_REQUIRED: "The site needs a name.",
    ErrorCode.BIO_LENGTH_OVERFLOW: "The bio is too long.",
    ErrorCode.NOT_HIGHER_MOD: "Someone ranked above you in this community is involved.",
    ErrorCode.NOT_HIGHER_ADMIN: "An admin appointed before you is involved.",
    ErrorCode.BAN_EXPIRATION_IN_PAST: "That date has already passed.",
    ErrorCode.COMMUNITY_MODERATOR_ALREADY_EXISTS: "They already moderate this community.",
    ErrorCode.REPORT_REASON_REQUIRED: "Please say what is wrong with it.",
    ErrorCode.COULDNT_CREATE_REPORT: "You have already reported that.",
    ErrorCode.APPLICATION_QUESTION_REQUIRED: "Applications need a question to answer.",
    ErrorCode.PERSON_IS_BLOCKED: "They have blocked you.",
    ErrorCode.EDIT_PRIVATE_MESSAGE_NOT_ALLOWED: "Only its author can change that message.",
    ErrorCode.OBJECT_NOT_LOCAL: "They are not a member of this instance.",
    ErrorCode.CANNOT_LEAVE_ADMIN: "The last admin cannot step down.",
    ErrorCode.CANT_BLOCK_LOCAL_INSTANCE: "You cannot block your own server.",
    ErrorCode.INSTANCE_BLOCK_ALREADY_EXISTS: "That server is not known here.",
    ErrorCode.BLOCK_KEYWORD_TOO_SHORT: "A keyword has at least 3 characters.",
    ErrorCode.BLOCK_KEYWORD_TOO_LONG: "A keyword has at most 50 characters.",
    ErrorCode.CANNOT_CREATE_POST_OR_COMMENT_IN_DELETED_OR_REMOVED_COMMUNITY: (
        "That community is gone: nothing more can be posted there."
    ),
}


def words(exc: ApiError) -> str:
    """A sentence for a refused action; unusual codes are spelled out as they are."""
    said = _WORDS.get(exc.code)
    if said is None:
        said = exc.code.value.replace("_", " ").capitalize() + "."
    if exc.message and exc.code not in _WORDS:
        said = f"{said} ({exc.message})"
    return said


def problem(request: AnyRequest, status: int, what: str) -> Response[Any]:
    if is_htmx(request):
        # In place: the page's script shows this in its message area.
        return Response(
            f'<p class="error">{_escape(what)}</p>', status_code=status, media_type=MediaType.HTML
        )
    return Template(
        template_name="error.html",
        context={"title": "Not done", "what": what, "me": None, "page": None},
        status_code=status,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def on_api_error(request: AnyRequest, exc: ApiError) -> Response[Any]:
    if exc.code in (
        ErrorCode.INCORRECT_LOGIN,
        ErrorCode.NOT_LOGGED_IN,
        ErrorCode.INSTANCE_IS_PRIVATE,
    ):
        # A page or action that needs a member: log in, then come back.
        if is_htmx(request):
            return problem(request, 401, "You are logged out: log in again to do that.")
        return login_first(request)
    return problem(request, exc.status, words(exc))


def on_http_error(request: AnyRequest, exc: HTTPException) -> Response[Any]:
    if isinstance(exc, PermissionDeniedException):
        return problem(
            request, 403, "This form has expired. Go back, reload the page and try again."
        )
    if isinstance(exc, NotFoundException):
        return problem(request, 404, "There is nothing here.")
    return problem(request, exc.status_code, "That request could not be read.")
