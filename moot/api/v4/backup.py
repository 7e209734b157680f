"""API v4's settings backup: Lemmy 1.0's UserSettingsBackup out of and into an account.
The same functions as v3's export and import (`actions.settings_backup`), in 1.0's shape:
settings as a v4 LocalUser, the member's filters (instance blocks, keywords) and their
languages by code."""

from __future__ import annotations

import msgspec
from litestar import Router, get, post

from moot.actions import settings_backup, site_state
from moot.api.v3.forms import Form
from moot.api.v3.shapes import Json
from moot.api.v4.account import SaveUserSettings, v3_settings
from moot.api.v4.my_user import local_user
from moot.db import models as m
from moot.request_context import AnyRequest, required_viewer, state


class UserSettingsBackup(Form, kw_only=True):
    display_name: str | None = None
    bio: str | None = None
    avatar: str | None = None
    banner: str | None = None
    matrix_id: str | None = None
    bot_account: bool | None = None
    settings: SaveUserSettings | None = None
    followed_communities: list[str] = msgspec.field(default_factory=list)
    saved_posts: list[str] = msgspec.field(default_factory=list)
    saved_comments: list[str] = msgspec.field(default_factory=list)
    blocked_communities: list[str] = msgspec.field(default_factory=list)
    blocked_users: list[str] = msgspec.field(default_factory=list)
    blocked_instances_communities: list[str] = msgspec.field(default_factory=list)
    blocked_instances_persons: list[str] = msgspec.field(default_factory=list)
    blocking_keywords: list[str] = msgspec.field(default_factory=list)
    discussion_languages: list[str] = msgspec.field(default_factory=list)


@get("/account/settings/export")
async def export_settings(request: AnyRequest) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        backup: Json = settings_backup.backed_up_profile(viewer.person)
        backup["settings"] = local_user(viewer.local_user)
        backup |= await settings_backup.backed_up_lists(conn, viewer.person_id)
        backup |= await settings_backup.backed_up_filters(conn, viewer)
        codes = {int(r["id"]): str(r["code"]) for r in (await site_state.current(conn)).languages}
        t = m.local_user_language
        chosen = await conn.fetch_all(
            t.select().where(t.c.local_user_id == viewer.local_user_id).order_by(t.c.language_id)
        )
        backup["discussion_languages"] = [codes[int(r["language_id"])] for r in chosen]
        return backup


@post("/account/settings/import", status_code=200)
async def import_settings(request: AnyRequest, data: UserSettingsBackup) -> Json:
    moot = state(request)
    assert moot.federation is not None
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
        ids = {str(r["code"]): int(r["id"]) for r in (await site_state.current(conn)).languages}
    changes = settings_backup.profile_changes(data)
    if data.settings is not None:
        changes |= {k: v for k, v in v3_settings(data.settings).items() if v is not None}
    if data.discussion_languages:
        changes["discussion_languages"] = [
            ids[code] for code in data.discussion_languages if code in ids
        ]
    lists = {key: getattr(data, key) for key in settings_backup.LISTS}
    filters = {key: getattr(data, key) for key in settings_backup.FILTER_LISTS}
    await settings_backup.import_backup(moot.db, moot.federation, viewer, changes, lists, filters)
    return {"success": True}


router = Router(path="/", route_handlers=[export_settings, import_settings])
