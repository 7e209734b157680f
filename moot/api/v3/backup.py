"""Lemmy 0.19's UserSettingsBackup, out of and into an account: the JSON GET
/user/export_settings answers and POST /user/import_settings takes. The settings page's
download and upload use these same two functions, so a file from either works in both."""

from __future__ import annotations

import msgspec

from moot import auth
from moot.actions import settings_backup
from moot.api.v3 import forms, shapes
from moot.api.v3.shapes import Json
from moot.db.engine import Connection
from moot.state import Moot


async def export(conn: Connection, viewer: auth.Viewer) -> Json:
    backup: Json = settings_backup.backed_up_profile(viewer.person)
    backup["settings"] = shapes.local_user(viewer.local_user)
    backup |= await settings_backup.backed_up_lists(conn, viewer.person_id)
    return backup


async def apply(
    moot: Moot, viewer: auth.Viewer, data: forms.UserSettingsBackup
) -> settings_backup.ImportReport:
    assert moot.federation is not None
    changes = settings_backup.profile_changes(data)
    if data.settings is not None:
        changes |= msgspec.structs.asdict(data.settings)
    lists = {key: getattr(data, key) for key in settings_backup.LISTS}
    filters = {key: getattr(data, key) for key in settings_backup.FILTER_LISTS}
    return await settings_backup.import_backup(
        moot.db, moot.federation, viewer, changes, lists, filters
    )
