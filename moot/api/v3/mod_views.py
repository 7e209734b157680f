"""The *View shapes of moderation: reports, private messages, votes, applications, and the
post/comment/community responses the moderation routes answer with. Batched like views.py:
one query per kind of fact for a whole page."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from moot.actions import lookups
from moot.api.v3 import mod_shapes, shapes, views
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row


async def post_response(conn: Connection, post_id: int, viewer: Viewer | None) -> Json:
    row = await lookups.get_post(conn, post_id)
    return {"post_view": (await views.post_views(conn, [row], viewer))[0]}


async def comment_response(conn: Connection, comment_id: int, viewer: Viewer | None) -> Json:
    row = await lookups.get_comment(conn, comment_id)
    return {
        "comment_view": (await views.comment_views(conn, [row], viewer))[0],
        "recipient_ids": [],
    }


async def community_response(conn: Connection, community_id: int, viewer: Viewer | None) -> Json:
    row = await lookups.get_community(conn, community_id)
    return {
        "community_view": await views.community_view(conn, row, viewer),
        "discussion_languages": await q.community_languages(conn, community_id),
    }


async def get_community_response(
    conn: Connection, community_id: int, viewer: Viewer | None
) -> Json:
    out = await community_response(conn, community_id, viewer)
    out["moderators"] = await views.moderator_views(conn, [community_id])
    return out


async def person_view(conn: Connection, person_id: int) -> Json:
    return (await views.person_views(conn, [await lookups.get_person(conn, person_id)]))[0]


def _with_resolver(out: Json, report: Row, persons: dict[int, Row]) -> Json:
    if report["resolver_id"] is not None:
        out["resolver"] = shapes.person(persons[int(report["resolver_id"])])
    return out


async def _report_persons(conn: Connection, reports: Sequence[Row]) -> dict[int, Row]:
    ids = {int(r["creator_id"]) for r in reports}
    ids |= {int(r["resolver_id"]) for r in reports if r["resolver_id"] is not None}
    return await q.rows_by_id(conn, m.person, ids)


async def post_report_views(conn: Connection, reports: Sequence[Row], viewer: Viewer) -> list[Json]:
    posts = await q.rows_by_id(conn, m.post, {int(r["post_id"]) for r in reports})
    post_views = dict(
        zip(posts, await views.post_views(conn, list(posts.values()), viewer), strict=True)
    )
    persons = await _report_persons(conn, reports)
    out = []
    for r in reports:
        pv = dict(post_views[int(r["post_id"])])
        pv.pop("banned_from_community")
        pv["post_creator"] = pv.pop("creator")
        view = {
            "post_report": mod_shapes.post_report(r),
            **pv,
            "creator": shapes.person(persons[int(r["creator_id"])]),
        }
        out.append(_with_resolver(view, r, persons))
    return out


async def comment_report_views(
    conn: Connection, reports: Sequence[Row], viewer: Viewer
) -> list[Json]:
    comments = await q.rows_by_id(conn, m.comment, {int(r["comment_id"]) for r in reports})
    comment_views = dict(
        zip(comments, await views.comment_views(conn, list(comments.values()), viewer), strict=True)
    )
    persons = await _report_persons(conn, reports)
    out = []
    for r in reports:
        cv = dict(comment_views[int(r["comment_id"])])
        cv.pop("banned_from_community")
        cv["comment_creator"] = cv.pop("creator")
        view = {
            "comment_report": mod_shapes.comment_report(r),
            **cv,
            "creator": shapes.person(persons[int(r["creator_id"])]),
        }
        out.append(_with_resolver(view, r, persons))
    return out


async def private_message_views(conn: Connection, messages: Sequence[Row]) -> list[Json]:
    ids = {int(r["creator_id"]) for r in messages} | {int(r["recipient_id"]) for r in messages}
    persons = await q.rows_by_id(conn, m.person, ids)
    return [
        {
            "private_message": mod_shapes.private_message(r),
            "creator": shapes.person(persons[int(r["creator_id"])]),
            "recipient": shapes.person(persons[int(r["recipient_id"])]),
        }
        for r in messages
    ]


async def private_message_report_views(conn: Connection, reports: Sequence[Row]) -> list[Json]:
    messages = await q.rows_by_id(
        conn, m.private_message, {int(r["private_message_id"]) for r in reports}
    )
    persons = await _report_persons(conn, reports)
    authors = await q.rows_by_id(conn, m.person, {int(r["creator_id"]) for r in messages.values()})
    out = []
    for r in reports:
        message = messages[int(r["private_message_id"])]
        view = {
            "private_message_report": mod_shapes.private_message_report(r),
            "private_message": mod_shapes.private_message(message),
            "private_message_creator": shapes.person(authors[int(message["creator_id"])]),
            "creator": shapes.person(persons[int(r["creator_id"])]),
        }
        out.append(_with_resolver(view, r, persons))
    return out


async def vote_rows(
    conn: Connection,
    likes: sa.Table,
    key: str,
    item_id: int,
    community_id: int,
    offset: int,
    limit: int,
) -> tuple[list[Row], set[tuple[int, int]]]:
    """The voters on one post or comment (person rows with `vote_score`), downvotes first,
    then by voter name; and which (community, person) pairs of them are banned there."""
    rows = await conn.fetch_all(
        sa.select(m.person, likes.c.score.label("vote_score"))
        .join(likes, likes.c.person_id == m.person.c.id)
        .where(likes.c[key] == item_id)
        .order_by(likes.c.score, m.person.c.name, m.person.c.id)
        .limit(limit)
        .offset(offset)
    )
    banned = await q.banned_pairs(conn, {community_id}, {int(r["id"]) for r in rows})
    return rows, banned


async def vote_views(
    conn: Connection,
    likes: sa.Table,
    key: str,
    item_id: int,
    community_id: int,
    page: int,
    limit: int,
) -> list[Json]:
    """VoteView list of one post or comment: downvotes first, then by voter name."""
    rows, banned = await vote_rows(
        conn, likes, key, item_id, community_id, limit * (page - 1), limit
    )
    return [
        {
            "creator": shapes.person(r),
            "creator_banned_from_community": (community_id, int(r["id"])) in banned,
            "score": int(r["vote_score"]),
        }
        for r in rows
    ]


async def registration_application_views(
    conn: Connection, applications: Sequence[Row]
) -> list[Json]:
    users = await q.rows_by_id(conn, m.local_user, {int(a["local_user_id"]) for a in applications})
    person_ids = {int(u["person_id"]) for u in users.values()}
    person_ids |= {int(a["admin_id"]) for a in applications if a["admin_id"] is not None}
    persons = await q.rows_by_id(conn, m.person, person_ids)
    out = []
    for a in applications:
        user = users[int(a["local_user_id"])]
        view: Json = {
            "registration_application": mod_shapes.registration_application(a),
            "creator_local_user": shapes.local_user(user),
            "creator": shapes.person(persons[int(user["person_id"])]),
        }
        if a["admin_id"] is not None:
            view["admin"] = shapes.person(persons[int(a["admin_id"])])
        out.append(view)
    return out
