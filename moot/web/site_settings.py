"""The site settings form, `/admin/site`: saved by `site.edit_site`, the action PUT /site
calls, with the rate limits and the federation lists put into effect at once as the API
does. The icon and banner may be files, stored as the API's uploads are (web/uploads.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import MediaType, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from moot.actions import site as site_actions
from moot.actions.authority import require_admin
from moot.db import models as m
from moot.db.engine import Connection
from moot.errors import ApiError, ErrorCode
from moot.federation.policy import read_policy
from moot.request_context import required_viewer
from moot.web import uploads
from moot.web.choices import POST_SORTS, pick
from moot.web.errors import words
from moot.web.pages import AnyRequest, Page, flag, go, load_page, optional_int, render, state, text

REGISTRATION_MODES = {
    "Open": "Open: anyone may sign up",
    "RequireApplication": "By application: an admin approves each sign-up",
    "RequireInvitation": "By invitation: a member's invite code is needed",
    "Closed": "Closed: nobody new",
}
FRONT_PAGE_LISTINGS = {"Local": "Local", "All": "All"}
# (bucket, label) in the order the form shows them; the API's rate-limit buckets.
RATE_LIMITS = (
    ("message", "Messages, votes and other actions"),
    ("post", "Posts"),
    ("register", "Sign-ups"),
    ("image", "Image uploads"),
    ("comment", "Comments"),
    ("search", "Searches"),
)
_TEXTS = ("name", "description", "icon", "banner", "slur_filter_regex")
_PICTURES = ("icon", "banner")
_AREAS = ("sidebar", "application_question", "legal_information")
_CHECKS = (
    "enable_nsfw",
    "enable_downvotes",
    "community_creation_admin_only",
    "hide_modlog_mod_names",
)


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


async def _current(conn: Connection, page: Page, hostname: str) -> dict[str, Any]:
    site, local = page.site, page.local_site
    values: dict[str, Any] = {key: site[key] or "" for key in ("name", "description", "icon")}
    values |= {"banner": site["banner"] or "", "sidebar": site["sidebar"] or ""}
    values |= {key: local[key] or "" for key in ("slur_filter_regex", *_AREAS[1:])}
    values |= {key: bool(local[key]) for key in _CHECKS}
    values |= {
        key: local[key]
        for key in ("registration_mode", "default_post_listing_type", "default_sort_type")
    }
    for bucket, _ in RATE_LIMITS:
        for key in (f"rate_limit_{bucket}", f"rate_limit_{bucket}_per_second"):
            values[key] = local[key]
    taglines = await conn.fetch_all(sa.select(m.tagline.c.content).order_by(m.tagline.c.id))
    values["taglines"] = "\n".join(str(t["content"]) for t in taglines)
    blocked = await conn.fetch_all(sa.select(m.url_blocklist.c.url).order_by(m.url_blocklist.c.id))
    values["blocked_urls"] = "\n".join(str(b["url"]) for b in blocked)
    chosen = await conn.fetch_all(
        sa.select(m.site_language.c.language_id).where(m.site_language.c.site_id == site["id"])
    )
    values["discussion_languages"] = {int(r["language_id"]) for r in chosen}
    policy = await read_policy(conn, hostname)
    values["allowed_instances"] = "\n".join(sorted(policy.allowed))
    values["blocked_instances"] = "\n".join(sorted(policy.blocked))
    return values


def _changes(form: FormMultiDict) -> dict[str, Any]:
    changes: dict[str, Any] = {key: text(form, key).strip() for key in _TEXTS}
    for key in _PICTURES:
        if flag(form, f"remove_{key}"):
            changes[key] = ""
    changes |= {key: text(form, key).replace("\r\n", "\n").strip() for key in _AREAS}
    changes |= {key: flag(form, key) for key in _CHECKS}
    changes["registration_mode"] = pick(text(form, "registration_mode"), REGISTRATION_MODES)
    changes["default_post_listing_type"] = pick(
        text(form, "default_post_listing_type"), FRONT_PAGE_LISTINGS
    )
    changes["default_sort_type"] = pick(text(form, "default_sort_type"), POST_SORTS)
    for bucket, _ in RATE_LIMITS:
        for key in (f"rate_limit_{bucket}", f"rate_limit_{bucket}_per_second"):
            changes[key] = optional_int(form, key)
    changes["taglines"] = _lines(text(form, "taglines"))
    changes["blocked_urls"] = _lines(text(form, "blocked_urls"))
    changes["allowed_instances"] = _lines(text(form, "allowed_instances"))
    changes["blocked_instances"] = _lines(text(form, "blocked_instances"))
    languages = [v for v in form.getall("discussion_languages", []) if isinstance(v, str)]
    if not all(v.isdigit() for v in languages):
        raise ApiError(ErrorCode.LANGUAGE_NOT_ALLOWED)
    # None chosen leaves the list as it is: a site discusses in at least one language.
    changes["discussion_languages"] = [int(v) for v in languages] or None
    # A menu left at nothing, or a number left empty, is not changed.
    return {key: value for key, value in changes.items() if value is not None}


async def _form(
    conn: Connection,
    page: Page,
    hostname: str,
    *,
    status: int = 200,
    error: str | None = None,
    saved: bool = False,
    **values: Any,
) -> Template:
    current = await _current(conn, page, hostname)
    if "discussion_languages" in values:
        values["discussion_languages"] = set(values["discussion_languages"])
    for key in ("taglines", "blocked_urls", "allowed_instances", "blocked_instances"):
        if key in values:
            values[key] = "\n".join(values[key])
    languages = await conn.fetch_all(sa.select(m.language).order_by(m.language.c.id))
    return render(
        "admin_site.html",
        page,
        status=status,
        title="Site settings",
        values=current | values,
        languages=languages,
        modes=REGISTRATION_MODES,
        listings=FRONT_PAGE_LISTINGS,
        sorts=POST_SORTS,
        rate_limits=RATE_LIMITS,
        error=error,
        saved=saved,
    )


@get("/admin/site", media_type=MediaType.HTML, include_in_schema=False)
async def site_page(request: AnyRequest, saved: str | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        if not page.viewer.is_admin:
            raise ApiError(ErrorCode.NOT_AN_ADMIN)
        return await _form(conn, page, state(request).settings.hostname, saved=saved == "1")


@post(
    "/admin/site",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def save_site(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    changes: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    chosen: list[uploads.Uploaded] = []
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    # Checked before any file is stored: nobody else's upload is kept even for a moment.
    require_admin(viewer)
    try:
        changes = _changes(form)
        typed = {key: changes[key] for key in _PICTURES}
        chosen = await uploads.pictures_from(moot, viewer, form, _PICTURES, changes)
        async with moot.db.transaction() as tx:
            before = await site_actions.edit_site(tx, viewer, changes, creating=False)
            _, local = await site_actions.load_site(tx)
    except ApiError as exc:
        for picture in chosen:
            await uploads.discard(moot, viewer, picture)
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            return await _form(
                conn,
                page,
                moot.settings.hostname,
                status=exc.status,
                error=words(exc),
                **(changes | typed),
            )
    for key in _PICTURES:
        await uploads.release_replaced(moot, viewer, before[key], changes.get(key) or None)
    moot.limiter.set_limits(site_actions.rate_limits(local))
    if moot.federation is not None:
        moot.federation.policy.forget()  # allow and block lists apply at once, as PUT /site
    return go("/admin/site?saved=1")


handlers = [site_page, save_site]
