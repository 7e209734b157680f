"""Report listings and counts, limited to what the viewer may see: admins see every report,
moderators those about content in the communities they moderate."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from moot.db import models as m
from moot.db.engine import Connection, Row


@dataclass(frozen=True)
class ReportFilter:
    viewer_id: int
    viewer_is_admin: bool
    unresolved_only: bool = False
    community_id: int | None = None
    post_id: int | None = None
    comment_id: int | None = None


def _moderated_by(person_id: int) -> sa.Select[tuple[int]]:
    t = m.community_moderator
    return sa.select(t.c.community_id).where(t.c.person_id == person_id)


def _scope(f: ReportFilter, report: sa.Table) -> list[sa.ColumnElement[bool]]:
    """Conditions on a post or comment report query (already joined to `post`)."""
    where: list[sa.ColumnElement[bool]] = []
    if not f.viewer_is_admin:
        where.append(m.post.c.community_id.in_(_moderated_by(f.viewer_id)))
    if f.unresolved_only:
        where.append(~report.c.resolved)
    if f.community_id is not None:
        where.append(m.post.c.community_id == f.community_id)
    return where


def _post_reports(f: ReportFilter) -> sa.Select[tuple[object, ...]]:
    t = m.post_report
    query = sa.select(t).join(m.post, m.post.c.id == t.c.post_id).where(*_scope(f, t))
    if f.post_id is not None:
        query = query.where(t.c.post_id == f.post_id)
    return query


def _comment_reports(f: ReportFilter) -> sa.Select[tuple[object, ...]]:
    t = m.comment_report
    query = (
        sa.select(t)
        .join(m.comment, m.comment.c.id == t.c.comment_id)
        .join(m.post, m.post.c.id == m.comment.c.post_id)
        .where(*_scope(f, t))
    )
    if f.comment_id is not None:
        query = query.where(t.c.comment_id == f.comment_id)
    return query


def _private_message_reports(f: ReportFilter) -> sa.Select[tuple[object, ...]]:
    t = m.private_message_report
    query = sa.select(t)
    if f.unresolved_only:
        query = query.where(~t.c.resolved)
    return query


def _community_reports(f: ReportFilter) -> sa.Select[tuple[object, ...]]:
    """Reports about communities: the admins' alone (the callers ask only for them)."""
    t = m.community_report
    query = sa.select(t)
    if f.unresolved_only:
        query = query.where(~t.c.resolved)
    if f.community_id is not None:
        query = query.where(t.c.community_id == f.community_id)
    return query


_LISTS = {
    "post": (m.post_report, _post_reports),
    "comment": (m.comment_report, _comment_reports),
    "private_message": (m.private_message_report, _private_message_reports),
    "community": (m.community_report, _community_reports),
}


async def list_reports(
    conn: Connection, kind: str, f: ReportFilter, page: int, limit: int
) -> list[Row]:
    """`kind` is post, comment, private_message or community; newest first."""
    table, query = _LISTS[kind]
    return await conn.fetch_all(
        query(f)
        .order_by(table.c.published.desc(), table.c.id.desc())
        .limit(limit)
        .offset(limit * (page - 1))
    )


async def count_unresolved(conn: Connection, kind: str, f: ReportFilter) -> int:
    _, query = _LISTS[kind]
    unresolved = ReportFilter(
        viewer_id=f.viewer_id,
        viewer_is_admin=f.viewer_is_admin,
        unresolved_only=True,
        community_id=f.community_id,
    )
    return int(
        await conn.scalar(sa.select(sa.func.count()).select_from(query(unresolved).subquery()))
    )
