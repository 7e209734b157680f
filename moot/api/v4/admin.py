"""API v4's admin routes over the site: creating and editing it, leaving the admins,
custom emoji, registration applications and the list of local users — each the action
v3's route of the same purpose calls, answered in v4's shapes."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from litestar import Router, get, post, put

from moot.actions import admin, emoji, registrations, site_state
from moot.actions.authority import require_admin
from moot.actions.site import load_site
from moot.api.v3 import forms as v3_forms
from moot.api.v3 import mod_forms
from moot.api.v3.forms import Form, Int32, QueryInt32
from moot.api.v3.shapes import Json
from moot.api.v3.site import save_site
from moot.api.v4 import cursors, my_user, shapes, site, site_forms
from moot.db import applications
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

SUCCESS: Json = {"success": True}
# v4 says it invalid_fetch_limit (errors.py).
_BAD_LIMIT = ErrorCode.COULDNT_GET_POSTS


async def _saved(request: AnyRequest, data: site_forms.EditSite, *, creating: bool) -> Json:
    max_bytes = state(request).settings.image_max_bytes

    async def answer(tx: Connection) -> Json:
        return {"site_view": await site.site_view(tx, max_bytes)}

    return await save_site(request, site_forms.changes(data), answer, creating=creating)


@post("/site", status_code=200)
async def create_site(request: AnyRequest, data: site_forms.CreateSite) -> Json:
    return await _saved(request, data, creating=True)


@put("/site")
async def edit_site(request: AnyRequest, data: site_forms.EditSite) -> Json:
    return await _saved(request, data, creating=False)


@post("/admin/leave", status_code=200)
async def leave_admin(request: AnyRequest) -> Json:
    moot = state(request)
    async with moot.db.transaction() as tx:
        await admin.leave_admin(tx, await required_viewer(tx, request))
        return await site.site_response(tx, moot.settings.image_max_bytes)


# Custom emoji.


class EditCustomEmoji(Form, kw_only=True):
    id: Int32
    category: str | None = None
    shortcode: str | None = None
    image_url: str | None = None
    alt_text: str | None = None
    keywords: list[str] | None = None


def _emoji_views(current: site_state.SiteState, category: str | None = None) -> list[Json]:
    out = []
    for row in current.custom_emojis:
        if category is not None and row["category"] != category:
            continue
        shown: Json = {
            key: row[key] for key in ("id", "shortcode", "image_url", "alt_text", "category")
        }
        shown["published_at"] = shapes.moment(row["published"])
        if row["updated"] is not None:
            shown["updated_at"] = shapes.moment(row["updated"])
        keywords = [
            {"custom_emoji_id": k["custom_emoji_id"], "keyword": k["keyword"]}
            for k in current.emoji_keywords
            if k["custom_emoji_id"] == row["id"]
        ]
        out.append({"custom_emoji": shown, "keywords": keywords})
    return out


async def _emoji_response(conn: Connection, emoji_id: int) -> Json:
    for view in _emoji_views(await site_state.current(conn)):
        if view["custom_emoji"]["id"] == emoji_id:
            return {"custom_emoji": view}
    raise ApiError(ErrorCode.NOT_FOUND)


def _not_found(exc: ApiError) -> ApiError:
    """The emoji actions say a missing emoji is `couldnt_find_object` (0.19 has no code of
    its own for it), which 1.0 spells `resolve_object_failed`; v4 says `not_found`."""
    return ApiError(ErrorCode.NOT_FOUND) if exc.code is ErrorCode.COULDNT_FIND_OBJECT else exc


@post("/custom_emoji", status_code=200)
async def create_custom_emoji(request: AnyRequest, data: mod_forms.CreateCustomEmoji) -> Json:
    async with state(request).db.transaction() as tx:
        emoji_id = await emoji.create(
            tx,
            await required_viewer(tx, request),
            data.shortcode,
            data.image_url,
            data.alt_text,
            data.category,
            data.keywords,
        )
        return await _emoji_response(tx, emoji_id)


@put("/custom_emoji")
async def edit_custom_emoji(request: AnyRequest, data: EditCustomEmoji) -> Json:
    """v4 sends only what changes; moot's edit takes the whole emoji, so the rest is read
    back from the row. A shortcode is an emoji's name in every text that uses it: it stays."""
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        require_admin(viewer)
        now = await _emoji_response(tx, data.id)
        current = now["custom_emoji"]
        if data.shortcode is not None and data.shortcode != current["custom_emoji"]["shortcode"]:
            raise ApiError(ErrorCode.INVALID_BODY_FIELD, "a custom emoji keeps its shortcode")
        row = current["custom_emoji"]
        try:
            await emoji.edit(
                tx,
                viewer,
                data.id,
                data.image_url if data.image_url is not None else row["image_url"],
                data.alt_text if data.alt_text is not None else row["alt_text"],
                data.category if data.category is not None else row["category"],
                data.keywords
                if data.keywords is not None
                else [k["keyword"] for k in current["keywords"]],
            )
        except ApiError as exc:
            raise _not_found(exc) from None
        return await _emoji_response(tx, data.id)


@post("/custom_emoji/delete", status_code=200)
async def delete_custom_emoji(request: AnyRequest, data: mod_forms.DeleteCustomEmoji) -> Json:
    try:
        async with state(request).db.transaction() as tx:
            await emoji.delete(tx, await required_viewer(tx, request), data.id)
    except ApiError as exc:
        raise _not_found(exc) from None
    return SUCCESS


@get("/custom_emoji/list")
async def list_custom_emojis(request: AnyRequest, category: str | None = None) -> Json:
    """Everyone may read them (they are in every member's text); v3 shows them in GET /site."""
    async with state(request).db.connection() as conn:
        return {"custom_emojis": _emoji_views(await site_state.current(conn), category)}


# Registration applications.


async def _application_views(conn: Connection, rows: list[Row]) -> list[Json]:
    users = await q.rows_by_id(conn, m.local_user, {int(a["local_user_id"]) for a in rows})
    person_ids = {int(u["person_id"]) for u in users.values()}
    person_ids |= {int(a["admin_id"]) for a in rows if a["admin_id"] is not None}
    persons = await q.rows_by_id(conn, m.person, person_ids)
    out = []
    for a in rows:
        user = users[int(a["local_user_id"])]
        application: Json = {
            "id": a["id"],
            "local_user_id": a["local_user_id"],
            "answer": a["answer"],
            "published_at": shapes.moment(a["published"]),
        }
        for key in ("admin_id", "deny_reason"):
            if a[key] is not None:
                application[key] = a[key]
        view: Json = {
            "registration_application": application,
            "creator_local_user": my_user.local_user(user),
            "creator": shapes.person(persons[int(user["person_id"])]),
        }
        if a["admin_id"] is not None:
            view["admin"] = shapes.person(persons[int(a["admin_id"])])
        out.append(view)
    return out


@get("/admin/registration_application/list")
async def list_applications(
    request: AnyRequest,
    unread_only: bool | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    _, size = check_page(None, limit, _BAD_LIMIT)
    offset = cursors.offset_of(page_cursor)
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        _, local = await load_site(conn)
        # Few, and read by v3's page: the first `offset + size`, of which this page is the end.
        rows = await applications.list_applications(
            conn, local, unread_only=bool(unread_only), page=1, limit=offset + size
        )
        rows = rows[offset:]
        return cursors.page_of(await _application_views(conn, rows), offset, size)


@put("/admin/registration_application/approve")
async def approve_application(
    request: AnyRequest, data: mod_forms.ApproveRegistrationApplication
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await registrations.decide(tx, viewer, data.id, data.approve, data.deny_reason)
        return {"registration_application": (await _application_views(tx, [row]))[0]}


@get("/admin/registration_application")
async def get_application(request: AnyRequest, person_id: QueryInt32) -> Json:
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        row = await conn.fetch_one(
            applications.applications().where(m.local_user.c.person_id == person_id)
        )
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_REGISTRATION_APPLICATION)
        return {"registration_application": (await _application_views(conn, [row]))[0]}


# Local users.

_PERSON_KEYS = tuple(column.name for column in m.person.columns)


@get("/admin/users")
async def list_users(
    request: AnyRequest,
    banned_only: bool | None = None,
    sort: Literal["new", "old"] | None = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """The local users, newest first (or oldest); `banned_only`: those banned from the site
    now. Read by the local_user primary key, in id order (the order they joined)."""
    _, size = check_page(None, limit, _BAD_LIMIT)
    offset = cursors.offset_of(page_cursor)
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        lu, p = m.local_user.c, m.person.c
        query = sa.select(m.local_user, *[p[c].label(f"p_{c}") for c in _PERSON_KEYS]).join(
            m.person, p.id == lu.person_id
        )
        if banned_only:
            query = query.where(p.banned, sa.or_(p.ban_expires.is_(None), p.ban_expires > utcnow()))
        order = lu.id.asc() if sort == "old" else lu.id.desc()
        rows = await conn.fetch_all(query.order_by(order).limit(size).offset(offset))
        items = []
        for row in rows:
            person = {c: row[f"p_{c}"] for c in _PERSON_KEYS}
            view: Json = {
                "local_user": my_user.local_user(row),
                "person": shapes.person(person),
                "banned": bool(person["banned"]),
            }
            if person["ban_expires"] is not None:
                view["ban_expires_at"] = shapes.moment(person["ban_expires"])
            items.append(view)
        return cursors.page_of(items, offset, size)


router = Router(
    path="/",
    route_handlers=[
        create_site,
        edit_site,
        leave_admin,
        create_custom_emoji,
        edit_custom_emoji,
        delete_custom_emoji,
        list_custom_emojis,
        list_applications,
        approve_application,
        get_application,
        list_users,
    ],
)
