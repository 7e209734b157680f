"""An account's settings, follows, saves and blocks, carried to another account as Lemmy
0.19's UserSettingsBackup: objects go by their ActivityPub ids, so a backup from any
instance names them as every instance knows them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from moot import auth
from moot.actions import accounts, comments, communities, posts
from moot.db import models as m
from moot.db.engine import Connection, Database
from moot.errors import ApiError, ErrorCode
from moot.federation.lookup import look_up
from moot.federation.runtime import Federation

log = logging.getLogger("moot.backup")

# Lemmy's MAX_API_PARAM_ELEMENTS: more objects than this in one backup are refused.
MAX_ITEMS = 10_000

# Backup key → (kind look_up must find, the action that applies it).
_Apply = Callable[[Connection, auth.Viewer, int], Awaitable[object]]
LISTS: dict[str, tuple[str, _Apply]] = {
    "followed_communities": (
        "community",
        lambda conn, viewer, row_id: communities.follow(conn, viewer, row_id, True),
    ),
    "saved_posts": ("post", lambda conn, viewer, row_id: posts.save(conn, viewer, row_id, True)),
    "saved_comments": (
        "comment",
        lambda conn, viewer, row_id: comments.save(conn, viewer, row_id, True),
    ),
    "blocked_communities": (
        "community",
        lambda conn, viewer, row_id: communities.block(conn, viewer, row_id, True),
    ),
    "blocked_users": (
        "person",
        lambda conn, viewer, row_id: accounts.block_person(conn, viewer, row_id, True),
    ),
}


async def backed_up_lists(conn: Connection, person_id: int) -> dict[str, list[str]]:
    """The ActivityPub ids of what the person follows, saved and blocked, oldest first."""
    queries: dict[str, sa.Select[Any]] = {
        "followed_communities": sa.select(m.community.c.actor_id.label("ap_id"))
        .join(m.community_follower, m.community_follower.c.community_id == m.community.c.id)
        .where(m.community_follower.c.person_id == person_id)
        .order_by(m.community_follower.c.published, m.community.c.id),
        "saved_posts": sa.select(m.post.c.ap_id.label("ap_id"))
        .join(m.post_saved, m.post_saved.c.post_id == m.post.c.id)
        .where(m.post_saved.c.person_id == person_id)
        .order_by(m.post_saved.c.published, m.post.c.id),
        "saved_comments": sa.select(m.comment.c.ap_id.label("ap_id"))
        .join(m.comment_saved, m.comment_saved.c.comment_id == m.comment.c.id)
        .where(m.comment_saved.c.person_id == person_id)
        .order_by(m.comment_saved.c.published, m.comment.c.id),
        "blocked_communities": sa.select(m.community.c.actor_id.label("ap_id"))
        .join(m.community_block, m.community_block.c.community_id == m.community.c.id)
        .where(m.community_block.c.person_id == person_id)
        .order_by(m.community_block.c.published, m.community.c.id),
        "blocked_users": sa.select(m.person.c.actor_id.label("ap_id"))
        .join(m.person_block, m.person_block.c.target_id == m.person.c.id)
        .where(m.person_block.c.person_id == person_id)
        .order_by(m.person_block.c.published, m.person.c.id),
    }
    return {
        key: [str(row["ap_id"]) for row in await conn.fetch_all(query)]
        for key, query in queries.items()
    }


@dataclass
class ImportReport:
    """How many objects of each list were applied, and which ids could not be."""

    applied: dict[str, int] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)


async def import_backup(
    db: Database,
    fed: Federation,
    viewer: auth.Viewer,
    changes: dict[str, Any],
    lists: dict[str, list[str]],
) -> ImportReport:
    """Applies the profile and settings (`changes`, as `accounts.save_settings` takes them)
    at once, then each object of `lists` (keyed as LISTS) this instance knows or can fetch,
    each in its own transaction: one that is gone or refused skips only itself."""
    if sum(len(ids) for ids in lists.values()) > MAX_ITEMS:
        raise ApiError(ErrorCode.TOO_MANY_ITEMS)
    async with db.transaction() as tx:
        # A backup carries no email address, so nothing is left to confirm by mail.
        await accounts.save_settings(tx, fed.settings, viewer, changes)
    report = ImportReport()
    for key, (kind, apply) in LISTS.items():
        report.applied[key], report.failed[key] = 0, []
        for url in lists.get(key, []):
            try:
                found, row = await look_up(fed, url, signed_in=True)
                if found != kind:
                    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, f"{url} is a {found}")
                async with db.transaction() as tx:
                    await apply(tx, viewer, int(row["id"]))
            except ApiError as exc:
                log.info("import into %s: %s skipped (%s)", viewer.person["name"], url, exc.code)
                report.failed[key].append(url)
            else:
                report.applied[key] += 1
    log.info(
        "import into %s: applied %s, skipped %s",
        viewer.person["name"],
        report.applied,
        {key: len(urls) for key, urls in report.failed.items()},
    )
    return report
