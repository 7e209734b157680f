"""The modlog: one row for every moderator and admin action, written inside that action.

`Kind` values are Lemmy's ModlogActionType names, so `GET /modlog?type_=` needs no mapping.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from moot import validation
from moot.actions.actor import Actor
from moot.actions.communities import is_moderator
from moot.actions.site import load_site
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow


class Kind(StrEnum):
    MOD_REMOVE_POST = "ModRemovePost"
    MOD_LOCK_POST = "ModLockPost"
    MOD_FEATURE_POST = "ModFeaturePost"
    MOD_REMOVE_COMMENT = "ModRemoveComment"
    MOD_REMOVE_COMMUNITY = "ModRemoveCommunity"
    MOD_BAN_FROM_COMMUNITY = "ModBanFromCommunity"
    MOD_ADD_COMMUNITY = "ModAddCommunity"
    MOD_TRANSFER_COMMUNITY = "ModTransferCommunity"
    MOD_ADD = "ModAdd"
    MOD_BAN = "ModBan"
    MOD_HIDE_COMMUNITY = "ModHideCommunity"
    ADMIN_PURGE_PERSON = "AdminPurgePerson"
    ADMIN_PURGE_COMMUNITY = "AdminPurgeCommunity"
    ADMIN_PURGE_POST = "AdminPurgePost"
    ADMIN_PURGE_COMMENT = "AdminPurgeComment"
    # Lemmy 1.0's (its ModlogKind in snake case); API v3 has no list for them.
    MOD_LOCK_COMMENT = "ModLockComment"
    MOD_WARN_POST = "ModWarnPost"
    MOD_WARN_COMMENT = "ModWarnComment"


async def clean_reason(conn: Connection, reason: str | None) -> str | None:
    """A moderator's stated reason: trimmed, slur-checked, within the body limit; "" is none."""
    if reason is None or not reason.strip():
        return None
    _, local = await load_site(conn)
    validation.check_slurs(reason, validation.compile_slur_filter(local["slur_filter_regex"]))
    validation.check_body(reason)
    return reason.strip()


async def record(
    conn: Connection,
    kind: Kind,
    mod_person_id: int,
    *,
    flag: bool = False,
    other_person_id: int | None = None,
    community_id: int | None = None,
    post_id: int | None = None,
    comment_id: int | None = None,
    reason: str | None = None,
    is_featured_community: bool = False,
    expires: datetime | None = None,
) -> int:
    """The entry's id."""
    entry_id = await conn.scalar(
        sa.insert(m.modlog)
        .values(
            kind=kind.value,
            mod_person_id=mod_person_id,
            other_person_id=other_person_id,
            community_id=community_id,
            post_id=post_id,
            comment_id=comment_id,
            reason=reason,
            flag=flag,
            is_featured_community=is_featured_community,
            expires=expires,
            when_=utcnow(),
        )
        .returning(m.modlog.c.id)
    )
    return int(entry_id)


async def mod_names_hidden(
    conn: Connection, viewer: Actor | None, community_id: int | None, local_site: Row
) -> bool:
    """Whether the modlog leaves moderators' names out for this reader: when the site hides
    them (`hide_modlog_mod_names`), from everyone but admins and, reading one community's
    log, its own moderators."""
    if not local_site["hide_modlog_mod_names"] or (viewer is not None and viewer.is_admin):
        return False
    if viewer is not None and community_id is not None:
        return not await is_moderator(conn, community_id, viewer.person_id)
    return True
