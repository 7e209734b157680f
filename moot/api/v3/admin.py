"""Admins' routes: site bans, admins, hiding and removing communities, purges,
registration applications and custom emoji."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Router, get, post, put

from moot import auth
from moot.actions import admin, bans, emoji, purge, registrations
from moot.actions.authority import require_admin
from moot.actions.site import custom_emoji_views, load_site
from moot.api.v3 import mod_forms, mod_views, views
from moot.api.v3.forms import OptionalQueryInt32, QueryInt32
from moot.api.v3.shapes import Json
from moot.api.v3.site import site_response
from moot.db import applications
from moot.db import bans as bans_list
from moot.db import models as m
from moot.db.engine import Connection
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

SUCCESS: Json = {"success": True}


@post("/user/ban", status_code=200)
async def ban_person(request: AnyRequest, data: mod_forms.BanPerson) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await bans.ban_from_site(
            tx,
            viewer,
            data.person_id,
            data.ban,
            remove_data=bool(data.remove_data),
            reason=data.reason,
            expires=data.expires,
        )
        return {"person_view": await mod_views.person_view(tx, data.person_id), "banned": data.ban}


@get("/user/banned")
async def banned_persons(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        rows = await bans_list.site_banned(conn)
        return {"banned": await views.person_views(conn, rows)}


async def _admins(conn: Connection) -> list[Json]:
    rows = await conn.fetch_all(
        sa.select(m.person)
        .join(m.local_user, m.local_user.c.person_id == m.person.c.id)
        .where(m.local_user.c.admin)
        .order_by(m.local_user.c.id)
    )
    return await views.person_views(conn, rows)


@post("/admin/add", status_code=200)
async def add_admin(request: AnyRequest, data: mod_forms.AddAdmin) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.set_admin(tx, viewer, data.person_id, data.added)
        return {"admins": await _admins(tx)}


@post("/user/leave_admin", status_code=200)
async def leave_admin(request: AnyRequest) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.leave_admin(tx, viewer)
        # The answer shows the site as the former admin now sees it.
        return await site_response(tx, await auth.viewer_for_token(tx, viewer.token))


@put("/community/hide")
async def hide_community(request: AnyRequest, data: mod_forms.HideCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.hide_community(tx, viewer, data.community_id, data.hidden, data.reason)
    return SUCCESS


@post("/community/remove", status_code=200)
async def remove_community(request: AnyRequest, data: mod_forms.RemoveCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.remove_community(tx, viewer, data.community_id, data.removed, data.reason)
        return await mod_views.community_response(tx, data.community_id, viewer)


@post("/admin/purge/person", status_code=200)
async def purge_person(request: AnyRequest, data: mod_forms.PurgePerson) -> Json:
    async with state(request).db.transaction() as tx:
        await purge.purge_person(
            tx, await required_viewer(tx, request), data.person_id, data.reason
        )
    return SUCCESS


@post("/admin/purge/community", status_code=200)
async def purge_community(request: AnyRequest, data: mod_forms.PurgeCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        await purge.purge_community(
            tx, await required_viewer(tx, request), data.community_id, data.reason
        )
    return SUCCESS


@post("/admin/purge/post", status_code=200)
async def purge_post(request: AnyRequest, data: mod_forms.PurgePost) -> Json:
    async with state(request).db.transaction() as tx:
        await purge.purge_post(tx, await required_viewer(tx, request), data.post_id, data.reason)
    return SUCCESS


@post("/admin/purge/comment", status_code=200)
async def purge_comment(request: AnyRequest, data: mod_forms.PurgeComment) -> Json:
    async with state(request).db.transaction() as tx:
        await purge.purge_comment(
            tx, await required_viewer(tx, request), data.comment_id, data.reason
        )
    return SUCCESS


@get("/admin/registration_application/count")
async def count_applications(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        _, local = await load_site(conn)
        count = await applications.count_pending(conn, local)
    return {"registration_applications": count}


@get("/admin/registration_application/list")
async def list_applications(
    request: AnyRequest,
    unread_only: bool | None = None,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_REGISTRATION_APPLICATION)
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        _, local = await load_site(conn)
        rows = await applications.list_applications(
            conn, local, unread_only=bool(unread_only), page=page_no, limit=page_size
        )
        views_ = await mod_views.registration_application_views(conn, rows)
    return {"registration_applications": views_}


@put("/admin/registration_application/approve")
async def approve_application(
    request: AnyRequest, data: mod_forms.ApproveRegistrationApplication
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await registrations.decide(tx, viewer, data.id, data.approve, data.deny_reason)
        view = (await mod_views.registration_application_views(tx, [row]))[0]
    return {"registration_application": view}


@get("/admin/registration_application")
async def get_application(request: AnyRequest, person_id: QueryInt32) -> Json:
    async with state(request).db.connection() as conn:
        require_admin(await required_viewer(conn, request))
        row = await conn.fetch_one(
            applications.applications().where(m.local_user.c.person_id == person_id)
        )
        if row is None:
            raise ApiError(ErrorCode.COULDNT_FIND_REGISTRATION_APPLICATION)
        view = (await mod_views.registration_application_views(conn, [row]))[0]
    return {"registration_application": view}


async def _emoji_response(conn: Connection, emoji_id: int) -> Json:
    for view in await custom_emoji_views(conn):
        shown = view["custom_emoji"]
        if isinstance(shown, dict) and shown["id"] == emoji_id:
            return {"custom_emoji": view}
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)


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
async def edit_custom_emoji(request: AnyRequest, data: mod_forms.EditCustomEmoji) -> Json:
    async with state(request).db.transaction() as tx:
        await emoji.edit(
            tx,
            await required_viewer(tx, request),
            data.id,
            data.image_url,
            data.alt_text,
            data.category,
            data.keywords,
        )
        return await _emoji_response(tx, data.id)


@post("/custom_emoji/delete", status_code=200)
async def delete_custom_emoji(request: AnyRequest, data: mod_forms.DeleteCustomEmoji) -> Json:
    async with state(request).db.transaction() as tx:
        await emoji.delete(tx, await required_viewer(tx, request), data.id)
    return SUCCESS


router = Router(
    path="/",
    route_handlers=[
        ban_person,
        banned_persons,
        add_admin,
        leave_admin,
        hide_community,
        remove_community,
        purge_person,
        purge_community,
        purge_post,
        purge_comment,
        count_applications,
        list_applications,
        approve_application,
        get_application,
        create_custom_emoji,
        edit_custom_emoji,
        delete_custom_emoji,
    ],
)
