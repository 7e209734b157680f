"""A member's settings: profile fields and how pages are shown, saved by the same
`accounts.save_settings` the API's PUT /user/save_user_settings calls (an avatar or banner
may come as a file, stored as /pictrs uploads are). The account's own settings (email,
password, two-factor login, backup, deletion) are in `account`, blocks in `blocks`."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import accounts
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web import uploads
from moot.web.choices import LISTING_TYPES, POST_SORTS, pick
from moot.web.errors import words
from moot.web.pages import (
    THEMES,
    AnyRequest,
    Page,
    flag,
    go,
    load_page,
    render,
    state,
    text,
)

_PROFILE_FIELDS = ("display_name", "pronouns", "avatar", "banner")
_PICTURES = ("avatar", "banner")


async def _page(request: AnyRequest) -> Page:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    return page


def _form(
    page: Page,
    *,
    status: int = 200,
    error: str | None = None,
    saved: bool = False,
    **values: Any,
) -> Template:
    assert page.viewer is not None
    person, user = page.viewer.person, page.viewer.local_user
    current: dict[str, Any] = {key: person[key] or "" for key in (*_PROFILE_FIELDS, "bio")}
    current |= {
        "default_sort_type": user["default_sort_type"],
        "default_listing_type": user["default_listing_type"],
        "theme": user["theme"],
        "show_nsfw": user["show_nsfw"],
        "blur_nsfw": user["blur_nsfw"],
        "show_avatars": user["show_avatars"],
        "show_scores": user["show_scores"],
    }
    return render(
        "settings.html",
        page,
        status=status,
        title="Settings",
        values=current | values,
        sorts=POST_SORTS,
        listing_types=LISTING_TYPES,
        themes=THEMES,
        error=error,
        saved=saved,
    )


@get("/settings", media_type=MediaType.HTML, include_in_schema=False)
async def settings_page(request: AnyRequest, saved: str | None = None) -> Template:
    return _form(await _page(request), saved=saved == "1")


@post(
    "/settings",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def save_settings(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    # Every field is on the form, so each is sent: an empty text field clears it.
    changes: dict[str, Any] = {key: text(form, key) for key in _PROFILE_FIELDS}
    for key in _PICTURES:
        if flag(form, f"remove_{key}"):
            changes[key] = ""
    changes["bio"] = text(form, "bio").replace("\r\n", "\n")
    changes["default_sort_type"] = pick(text(form, "default_sort_type"), POST_SORTS)
    changes["default_listing_type"] = pick(text(form, "default_listing_type"), LISTING_TYPES)
    changes["theme"] = text(form, "theme") if text(form, "theme") in THEMES else None
    changes["show_nsfw"] = flag(form, "show_nsfw")
    changes["blur_nsfw"] = flag(form, "blur_nsfw")
    changes["show_avatars"] = flag(form, "show_avatars")
    changes["show_scores"] = flag(form, "show_scores")
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    typed = {key: changes[key] for key in _PICTURES}
    chosen: list[uploads.Uploaded] = []
    try:
        # A file chosen wins over the address field and the remove box.
        for key in _PICTURES:
            picture = await uploads.picture_from(moot, viewer, form, f"{key}_file")
            if picture is not None:
                chosen.append(picture)
                changes[key] = picture.url
        async with moot.db.transaction() as tx:
            # The page has no email field, so no address is left to confirm by mail.
            await accounts.save_settings(tx, moot.settings, viewer, changes)
    except ApiError as exc:
        for picture in chosen:
            await uploads.discard(moot, viewer, picture)
        page = await _page(request)
        return _form(page, status=exc.status, error=words(exc), **(changes | typed))
    for key in _PICTURES:
        await uploads.release_replaced(moot, viewer, viewer.person[key], changes[key] or None)
    return go("/settings?saved=1")


handlers = [settings_page, save_settings]
