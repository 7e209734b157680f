"""Making and editing a community, and subscribing to one (in place or as a plain form).
An icon or banner may come as a file, stored as /pictrs uploads are."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import communities
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web import uploads
from moot.web.errors import words
from moot.web.listings import community_facts, community_or_none
from moot.web.names import handle
from moot.web.pages import (
    AnyRequest,
    Page,
    back,
    flag,
    go,
    is_htmx,
    load_page,
    render,
    state,
    text,
)

_PICTURES = ("icon", "banner")
# The community form's choices (the API's, in v3's spelling; Private: Lemmy 1.0's).
VISIBILITIES = ("Public", "LocalOnly", "Private")


def _changes(form: Any) -> dict[str, Any]:
    changes = {
        "title": text(form, "title"),
        "description": text(form, "description").replace("\r\n", "\n"),
        "icon": text(form, "icon").strip(),
        "banner": text(form, "banner").strip(),
        "nsfw": flag(form, "nsfw"),
        "posting_restricted_to_mods": flag(form, "posting_restricted_to_mods"),
    }
    if text(form, "visibility") in VISIBILITIES:
        changes["visibility"] = text(form, "visibility")
    for key in _PICTURES:
        if flag(form, f"remove_{key}"):
            changes[key] = ""
    return changes


def _form(page: Page, *, status: int = 200, **context: Any) -> Template:
    values = {"error": None, "community": None, "values": {}, "name": "", **context}
    editing = values["community"] is not None
    return render(
        "community_form.html",
        page,
        status=status,
        title="Edit community" if editing else "New community",
        **values,
    )


@get("/create_community", media_type=MediaType.HTML, include_in_schema=False)
async def create_community_page(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
    if page.viewer is None:
        raise ApiError(ErrorCode.NOT_LOGGED_IN)
    return _form(page)


@post(
    "/create_community",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def create_community(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    changes = {"name": text(form, "name").strip(), **_changes(form)}
    typed = {key: changes[key] for key in _PICTURES}
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    chosen: list[uploads.Uploaded] = []
    try:
        chosen = await uploads.pictures_from(moot, viewer, form, _PICTURES, changes)
        async with moot.db.transaction() as tx:
            row = await communities.create_community(tx, moot.settings, viewer, changes)
    except ApiError as exc:
        for picture in chosen:
            await uploads.discard(moot, viewer, picture)
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
        return _form(
            page,
            status=exc.status,
            error=words(exc),
            values=changes | typed,
            name=changes["name"],
        )
    return go(f"/c/{handle(row)}")


@get("/c/{name:str}/edit", media_type=MediaType.HTML, include_in_schema=False)
async def edit_community_page(request: AnyRequest, name: str) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await community_or_none(conn, name)
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        if not (await community_facts(conn, row, page.viewer)).can_moderate:
            raise ApiError(ErrorCode.NOT_A_MOD_OR_ADMIN)
    values = {key: row[key] or "" for key in ("title", "description", "icon", "banner")} | {
        "nsfw": row["nsfw"],
        "posting_restricted_to_mods": row["posting_restricted_to_mods"],
        "visibility": row["visibility"],
    }
    return _form(page, community=row, values=values, name=row["name"])


@post(
    "/c/{name:str}/edit",
    media_type=MediaType.HTML,
    include_in_schema=False,
    request_max_body_size=uploads.FORM_WITH_PICTURE_MAX_BYTES,
)
async def edit_community(request: AnyRequest, name: str) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    changes = _changes(form)
    typed = {key: changes[key] for key in _PICTURES}
    async with moot.db.connection() as conn:
        row = await community_or_none(conn, name)
        viewer = await required_viewer(conn, request)
    if row is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    chosen: list[uploads.Uploaded] = []
    try:
        chosen = await uploads.pictures_from(moot, viewer, form, _PICTURES, changes)
        async with moot.db.transaction() as tx:
            await communities.edit_community(tx, viewer, int(row["id"]), changes)
    except ApiError as exc:
        for picture in chosen:
            await uploads.discard(moot, viewer, picture)
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
        return _form(
            page,
            status=exc.status,
            error=words(exc),
            community=row,
            values=changes | typed,
            name=row["name"],
        )
    for key in _PICTURES:
        await uploads.release_replaced(moot, viewer, row[key], changes[key] or None)
    return go(f"/c/{handle(row)}")


@post("/c/{name:str}/subscribe", media_type=MediaType.HTML, include_in_schema=False)
async def subscribe(request: AnyRequest, name: str) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await community_or_none(tx, name)
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
        row = await communities.follow(tx, viewer, int(row["id"]), flag(form, "follow"))
    if not is_htmx(request):
        return back(request, f"/c/{handle(row)}")
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)
        facts = await community_facts(conn, row, page.viewer)
    return render("fragments/subscribe.html", page, c=facts)


handlers = [
    create_community_page,
    create_community,
    edit_community_page,
    edit_community,
    subscribe,
]
