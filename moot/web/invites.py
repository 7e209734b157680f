"""A member's invitations on the web (/settings/invites): make one (a number of uses and
an end are optional), see theirs with how often each was used and the sign-up link it
opens, and revoke one. The action is moot/actions/invites.py, as API v4's /account/invite
calls it; the sign-up form takes the code (moot/web/sessions.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import invites
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.errors import words
from moot.web.pages import AnyRequest, go, load_page, render, state, text

HERE = "/settings/invites"
SHOWN = 100


async def _page(request: AnyRequest, *, status: int = 200, error: str | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        viewer = await required_viewer(conn, request)
        rows = await invites.list_mine(conn, viewer, 0, SHOWN)
    return render(
        "invites.html",
        page,
        status=status,
        title="Invitations",
        invites=rows,
        error=error,
        by_invitation=page.local_site["registration_mode"] == "RequireInvitation",
        origin=str(request.base_url).rstrip("/"),
    )


@get(HERE, media_type=MediaType.HTML, include_in_schema=False)
async def invites_page(request: AnyRequest) -> Template:
    return await _page(request)


def _terms(uses: str, until: str) -> tuple[int | None, datetime | None]:
    try:
        max_uses = int(uses) if uses.strip() else None
        day = datetime.fromisoformat(until).date() if until.strip() else None
    except ValueError as exc:
        raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a number of uses, a day") from exc
    # An invitation ends as its day begins (UTC), as a ban's does.
    return max_uses, datetime.combine(day, time(), UTC) if day else None


@post(HERE, media_type=MediaType.HTML, include_in_schema=False)
async def create_invite(request: AnyRequest) -> Template | Redirect:
    form = await request.form()
    try:
        max_uses, expires = _terms(text(form, "max_uses"), text(form, "expires"))
        async with state(request).db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            await invites.create(tx, viewer, max_uses, expires)
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        return await _page(request, status=exc.status, error=words(exc))
    return go(HERE)


@post(f"{HERE}/revoke", media_type=MediaType.HTML, include_in_schema=False)
async def revoke_invite(request: AnyRequest) -> Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await invites.revoke(tx, viewer, text(form, "token"))
    return go(HERE)


handlers = [invites_page, create_invite, revoke_invite]
