"""Reports: anyone may flag a post, a comment, a private message sent to them or a
community (Lemmy 1.0); the community's moderators (or the admins) resolve post and comment
reports, the admins those about private messages and communities.

Each report keeps a snapshot of what was reported, so an edit cannot hide it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot import validation
from moot.actions.actor import Actor
from moot.actions.authority import require_admin, require_mod_action, require_valid_person
from moot.actions.lookups import get_comment, get_community, get_post, get_private_message
from moot.actions.posts import check_can_post_in
from moot.actions.site import load_site
from moot.auth import Viewer
from moot.db import models as m
from moot.db import reports as report_list
from moot.db import upsert
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import publish_moderation as publish


@dataclass(frozen=True)
class ReportKind:
    table: sa.Table
    key: str  # the column naming what was reported
    missing: ErrorCode  # when the report id names no report


POST = ReportKind(m.post_report, "post_id", ErrorCode.COULDNT_FIND_POST_REPORT)
COMMENT = ReportKind(m.comment_report, "comment_id", ErrorCode.COULDNT_FIND_COMMENT_REPORT)
PRIVATE_MESSAGE = ReportKind(
    m.private_message_report,
    "private_message_id",
    ErrorCode.COULDNT_FIND_PRIVATE_MESSAGE_REPORT,
)
COMMUNITY = ReportKind(m.community_report, "community_id", ErrorCode.COULDNT_FIND_COMMUNITY_REPORT)


async def _reason(conn: Connection, reason: str) -> str:
    _, local = await load_site(conn)
    return validation.check_report_reason(
        reason, validation.compile_slur_filter(local["slur_filter_regex"])
    )


async def _file(
    conn: Connection,
    kind: ReportKind,
    actor: Actor,
    target_id: int,
    reason: str,
    snapshot: dict[str, object],
) -> int:
    # One report per person and item, as Lemmy: the unique key decides between two that
    # race, and the second is refused as a repeated one is.
    filed = await upsert.insert_new(
        conn,
        kind.table,
        (kind.key, "creator_id"),
        {
            kind.key: target_id,
            "creator_id": actor.person_id,
            "reason": reason,
            "published": utcnow(),
            **snapshot,
        },
    )
    if filed is None:
        raise ApiError(ErrorCode.COULDNT_CREATE_REPORT)
    return int(filed)


async def report_post(conn: Connection, actor: Actor, post_id: int, reason: str) -> int:
    text = await _reason(conn, reason)
    post = await get_post(conn, post_id)
    await require_valid_person(conn, actor.person_id)
    community = await get_community(conn, int(post["community_id"]))
    await check_can_post_in(conn, actor, community)
    snapshot = {
        "original_post_name": post["name"],
        "original_post_url": post["url"],
        "original_post_body": post["body"],
    }
    report_id = await _file(conn, POST, actor, post_id, text, snapshot)
    creator_id = int(post["creator_id"])
    await publish.reported(conn, actor, str(post["ap_id"]), creator_id, community, text)
    return report_id


async def report_comment(conn: Connection, actor: Actor, comment_id: int, reason: str) -> int:
    text = await _reason(conn, reason)
    comment = await get_comment(conn, comment_id)
    post = await get_post(conn, int(comment["post_id"]))
    await require_valid_person(conn, actor.person_id)
    community = await get_community(conn, int(post["community_id"]))
    await check_can_post_in(conn, actor, community)
    snapshot = {"original_comment_text": comment["content"]}
    report_id = await _file(conn, COMMENT, actor, comment_id, text, snapshot)
    creator_id = int(comment["creator_id"])
    await publish.reported(conn, actor, str(comment["ap_id"]), creator_id, community, text)
    return report_id


async def report_private_message(
    conn: Connection, actor: Actor, message_id: int, reason: str
) -> int:
    text = await _reason(conn, reason)
    message = await get_private_message(conn, message_id)
    await require_valid_person(conn, actor.person_id)
    # Only what was sent to you can be reported.
    if int(message["recipient_id"]) != actor.person_id:
        raise ApiError(ErrorCode.COULDNT_CREATE_REPORT)
    snapshot = {"original_pm_text": message["content"]}
    return await _file(conn, PRIVATE_MESSAGE, actor, message_id, text, snapshot)


async def report_community(conn: Connection, actor: Actor, community_id: int, reason: str) -> int:
    """A report about the community itself (its name, title, sidebar), for the admins."""
    text = await _reason(conn, reason)
    community = await get_community(conn, community_id)
    await require_valid_person(conn, actor.person_id)
    snapshot = {
        "original_community_name": community["name"],
        "original_community_title": community["title"],
        "original_community_description": community["description"],
    }
    return await _file(conn, COMMUNITY, actor, community_id, text, snapshot)


async def get_report(conn: Connection, kind: ReportKind, report_id: int) -> Row:
    row = await conn.fetch_one(sa.select(kind.table).where(kind.table.c.id == report_id))
    if row is None:
        raise ApiError(kind.missing)
    return row


async def _set_resolved(
    conn: Connection, kind: ReportKind, report_id: int, resolver_id: int, resolved: bool
) -> None:
    await conn.execute(
        sa.update(kind.table)
        .where(kind.table.c.id == report_id)
        .values(resolved=resolved, resolver_id=resolver_id, updated=utcnow())
    )


async def resolve_post_report(
    conn: Connection, actor: Actor, report_id: int, resolved: bool
) -> None:
    report = await get_report(conn, POST, report_id)
    post = await get_post(conn, int(report["post_id"]))
    await require_mod_action(conn, actor, await get_community(conn, int(post["community_id"])))
    await _set_resolved(conn, POST, report_id, actor.person_id, resolved)


async def resolve_comment_report(
    conn: Connection, actor: Actor, report_id: int, resolved: bool
) -> None:
    report = await get_report(conn, COMMENT, report_id)
    comment = await get_comment(conn, int(report["comment_id"]))
    post = await get_post(conn, int(comment["post_id"]))
    await require_mod_action(conn, actor, await get_community(conn, int(post["community_id"])))
    await _set_resolved(conn, COMMENT, report_id, actor.person_id, resolved)


async def resolve_private_message_report(
    conn: Connection, actor: Actor, report_id: int, resolved: bool
) -> None:
    require_admin(actor)
    await get_report(conn, PRIVATE_MESSAGE, report_id)
    await _set_resolved(conn, PRIVATE_MESSAGE, report_id, actor.person_id, resolved)


async def resolve_community_report(
    conn: Connection, actor: Actor, report_id: int, resolved: bool
) -> None:
    require_admin(actor)
    await get_report(conn, COMMUNITY, report_id)
    await _set_resolved(conn, COMMUNITY, report_id, actor.person_id, resolved)


async def _resolve_all(
    conn: Connection, kind: ReportKind, target_id: int, resolver_id: int
) -> None:
    t = kind.table
    await conn.execute(
        sa.update(t)
        .where(t.c[kind.key] == target_id, ~t.c.resolved)
        .values(resolved=True, resolver_id=resolver_id, updated=utcnow())
    )


async def resolve_all_for_post(conn: Connection, post_id: int, resolver_id: int) -> None:
    """Removing a post settles every open report about it."""
    await _resolve_all(conn, POST, post_id, resolver_id)


async def resolve_all_for_comment(conn: Connection, comment_id: int, resolver_id: int) -> None:
    await _resolve_all(conn, COMMENT, comment_id, resolver_id)


async def moderates_something(conn: Connection, person_id: int) -> bool:
    t = m.community_moderator
    found = await conn.scalar(sa.select(t.c.id).where(t.c.person_id == person_id).limit(1))
    return found is not None


async def open_reports(conn: Connection, viewer: Viewer) -> int:
    f = report_list.ReportFilter(viewer_id=viewer.person_id, viewer_is_admin=viewer.is_admin)
    kinds = (
        ("post", "comment", "private_message", "community")
        if viewer.is_admin
        else ("post", "comment")
    )
    return sum([await report_list.count_unresolved(conn, kind, f) for kind in kinds])
