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
from moot.actions import accounts, comments, communities, instance_blocks, keyword_blocks, posts
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


# Backup key → person column: the profile a backup carries.
PROFILE = (
    ("display_name", "display_name"),
    ("bio", "bio"),
    ("avatar", "avatar"),
    ("banner", "banner"),
    ("matrix_id", "matrix_user_id"),
)


def backed_up_profile(person: Any) -> dict[str, Any]:
    """The person's profile as a backup carries it: the fields they filled in, and whether
    the account is a bot's."""
    backup = {key: person[column] for key, column in PROFILE if person[column] is not None}
    backup["bot_account"] = bool(person["bot_account"])
    return backup


def profile_changes(backup: Any) -> dict[str, Any]:
    """The person columns a backup's profile fields (attributes of `backup`) set."""
    changes = {column: getattr(backup, key) for key, column in PROFILE}
    changes["bot_account"] = backup.bot_account
    return changes


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


# Lemmy 1.0's (v4) backup keys for a member's own filters: instances by domain, keywords.
_BLOCKS_BY_DOMAIN: dict[str, _Apply] = {
    "blocked_instances_communities": lambda conn, viewer, instance_id: (
        instance_blocks.block_instance_communities(conn, viewer, instance_id, True)
    ),
    "blocked_instances_persons": lambda conn, viewer, instance_id: (
        instance_blocks.block_instance_persons(conn, viewer, instance_id, True)
    ),
}
FILTER_LISTS = (*_BLOCKS_BY_DOMAIN, "blocking_keywords")


async def backed_up_filters(conn: Connection, viewer: auth.Viewer) -> dict[str, list[str]]:
    """Lemmy 1.0's backup lists of the member's filters (v4's UserSettingsBackup; v3's has
    none): the instances whose communities, and whose persons, they block, by domain, and
    their keywords."""
    pid = viewer.person_id
    return {
        "blocked_instances_communities": [
            str(i["domain"]) for i in await instance_blocks.instance_communities_blocks(conn, pid)
        ],
        "blocked_instances_persons": [
            str(i["domain"]) for i in await instance_blocks.instance_persons_blocks(conn, pid)
        ],
        "blocking_keywords": await keyword_blocks.keyword_blocks(conn, viewer.local_user_id),
    }


async def _import_filters(
    db: Database, viewer: auth.Viewer, filters: dict[str, list[str]], report: ImportReport
) -> None:
    """The backup's instance blocks (instances this instance knows, by domain) and keywords
    (added to the member's own, as the other lists add to theirs), each in a transaction
    of its own."""
    for key, apply in _BLOCKS_BY_DOMAIN.items():
        report.applied[key], report.failed[key] = 0, []
        for domain in filters.get(key, []):
            try:
                async with db.transaction() as tx:
                    found = await tx.scalar(
                        sa.select(m.instance.c.id).where(m.instance.c.domain == domain.lower())
                    )
                    if found is None:
                        raise ApiError(ErrorCode.INSTANCE_BLOCK_ALREADY_EXISTS, domain)
                    await apply(tx, viewer, int(found))
            except ApiError:
                report.failed[key].append(domain)
            else:
                report.applied[key] += 1
    words = filters.get("blocking_keywords", [])
    report.applied["blocking_keywords"], report.failed["blocking_keywords"] = 0, []
    if words:
        try:
            async with db.transaction() as tx:
                await keyword_blocks.edit_keyword_blocks(tx, viewer, add=words)
        except ApiError:
            report.failed["blocking_keywords"] = list(words)
        else:
            report.applied["blocking_keywords"] = len(words)


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
    filters: dict[str, list[str]] | None = None,
) -> ImportReport:
    """Applies the profile and settings (`changes`, as `accounts.save_settings` takes them)
    at once, then each object of `lists` (keyed as LISTS) this instance knows or can fetch,
    each in its own transaction: one that is gone or refused skips only itself; then the
    member's filters (`filters`, keyed as FILTER_LISTS: Lemmy 1.0's backup)."""
    filters = filters or {}
    if sum(len(ids) for ids in [*lists.values(), *filters.values()]) > MAX_ITEMS:
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
    await _import_filters(db, viewer, filters, report)
    log.info(
        "import into %s: applied %s, skipped %s",
        viewer.person["name"],
        report.applied,
        {key: len(urls) for key, urls in report.failed.items()},
    )
    return report
