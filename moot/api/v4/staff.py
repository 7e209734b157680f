"""API v4's routes for moderators and admins over communities and people: bans, moderators,
transfers, deleting, removing and hiding communities, admins, and purges — each the action
v3 calls, in v4's names (`remove_or_restore_data`, `expires_at`)."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Router, delete, post, put

from moot.actions import admin, bans, communities, lookups, moderation, purge
from moot.api.v3 import forms as v3_forms
from moot.api.v3 import mod_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import views
from moot.api.v4.communities import community_response
from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Connection
from moot.request_context import AnyRequest, required_viewer, state

SUCCESS: Json = {"success": True}


class BanFromCommunity(Form, kw_only=True):
    community_id: Int32
    person_id: Int32
    ban: bool
    remove_or_restore_data: bool | None = None
    reason: str | None = None
    expires_at: int | None = None


class BanPerson(Form, kw_only=True):
    person_id: Int32
    ban: bool
    remove_or_restore_data: bool | None = None
    reason: str | None = None
    expires_at: int | None = None


class RemoveCommunity(Form, kw_only=True):
    community_id: Int32
    removed: bool
    reason: str | None = None


class HideCommunity(Form, kw_only=True):
    community_id: Int32
    hidden: bool
    reason: str | None = None


class Purge(Form, kw_only=True):
    reason: str | None = None


class PurgePerson(Purge, kw_only=True):
    person_id: Int32


class PurgeCommunity(Purge, kw_only=True):
    community_id: Int32


class PurgePost(Purge, kw_only=True):
    post_id: Int32


class PurgeComment(Purge, kw_only=True):
    comment_id: Int32


async def _person_response(conn: Connection, person_id: int, viewer: Viewer) -> Json:
    person = await lookups.get_person(conn, person_id)
    return {"person_view": (await views.person_views(conn, [person], viewer))[0]}


@post("/community/ban_user", status_code=200)
async def ban_from_community(request: AnyRequest, data: BanFromCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await bans.ban_from_community(
            tx,
            viewer,
            data.community_id,
            data.person_id,
            data.ban,
            remove_data=bool(data.remove_or_restore_data),
            reason=data.reason,
            expires=data.expires_at,
        )
        return await _person_response(tx, data.person_id, viewer)


@post("/admin/ban", status_code=200)
async def ban_person(request: AnyRequest, data: BanPerson) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await bans.ban_from_site(
            tx,
            viewer,
            data.person_id,
            data.ban,
            remove_data=bool(data.remove_or_restore_data),
            reason=data.reason,
            expires=data.expires_at,
        )
        return await _person_response(tx, data.person_id, viewer)


@post("/community/mod", status_code=200)
async def add_moderator(request: AnyRequest, data: mod_forms.AddModToCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.set_moderator(tx, viewer, data.community_id, data.person_id, data.added)
        return {"moderators": await views.moderator_views(tx, [data.community_id])}


@post("/community/transfer", status_code=200)
async def transfer_community(request: AnyRequest, data: mod_forms.TransferCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await moderation.transfer_community(tx, viewer, data.community_id, data.person_id)
        row = await lookups.get_community(tx, data.community_id)
        out = await community_response(tx, row, viewer)
        out["moderators"] = await views.moderator_views(tx, [data.community_id])
        return out


async def _community(conn: Connection, community_id: int, viewer: Viewer) -> Json:
    return await community_response(conn, await lookups.get_community(conn, community_id), viewer)


@delete("/community", status_code=200)
async def delete_community(request: AnyRequest, data: v3_forms.DeleteCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await communities.delete(tx, viewer, data.community_id, data.deleted)
        return await _community(tx, data.community_id, viewer)


@post("/community/remove", status_code=200)
async def remove_community(request: AnyRequest, data: RemoveCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.remove_community(tx, viewer, data.community_id, data.removed, data.reason)
        return await _community(tx, data.community_id, viewer)


@put("/community/hide")
async def hide_community(request: AnyRequest, data: HideCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.hide_community(tx, viewer, data.community_id, data.hidden, data.reason)
    return SUCCESS


@post("/admin/add", status_code=200)
async def add_admin(request: AnyRequest, data: mod_forms.AddAdmin) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await admin.set_admin(tx, viewer, data.person_id, data.added)
        rows = await tx.fetch_all(
            sa.select(m.person)
            .join(m.local_user, m.local_user.c.person_id == m.person.c.id)
            .where(m.local_user.c.admin)
            .order_by(m.local_user.c.id)
        )
        return {"admins": await views.person_views(tx, rows, viewer)}


@post("/admin/purge/person", status_code=200)
async def purge_person(request: AnyRequest, data: PurgePerson) -> Json:
    async with state(request).db.transaction() as tx:
        await purge.purge_person(
            tx, await required_viewer(tx, request), data.person_id, data.reason
        )
    return SUCCESS


@post("/admin/purge/community", status_code=200)
async def purge_community(request: AnyRequest, data: PurgeCommunity) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await purge.purge_community(tx, viewer, data.community_id, data.reason)
    return SUCCESS


@post("/admin/purge/post", status_code=200)
async def purge_post(request: AnyRequest, data: PurgePost) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await purge.purge_post(tx, viewer, data.post_id, data.reason)
    return SUCCESS


@post("/admin/purge/comment", status_code=200)
async def purge_comment(request: AnyRequest, data: PurgeComment) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await purge.purge_comment(tx, viewer, data.comment_id, data.reason)
    return SUCCESS


router = Router(
    path="/",
    route_handlers=[
        ban_from_community,
        ban_person,
        add_moderator,
        transfer_community,
        delete_community,
        remove_community,
        hide_community,
        add_admin,
        purge_person,
        purge_community,
        purge_post,
        purge_comment,
    ],
)
