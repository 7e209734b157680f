"""API v4's reports: filed and resolved through the actions v3 calls (and, new in Lemmy
1.0, reports about communities, the admins'), and listed in one list of every kind
(`/report/list`), newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from litestar import Router, get, post, put

from moot.actions import reports
from moot.actions.authority import require_mod_somewhere_or_admin
from moot.api.v3 import forms as v3_forms
from moot.api.v3 import mod_forms
from moot.api.v3.forms import Form, Int32
from moot.api.v3.shapes import Json
from moot.api.v4 import cursors, shapes, views
from moot.api.v4.account import message_views
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db import reports as report_lists
from moot.db.engine import Connection, Row
from moot.db.listings import check_page
from moot.errors import ApiError, ErrorCode
from moot.request_context import AnyRequest, required_viewer, state

ReportType = Literal["all", "posts", "comments", "private_messages", "communities"]
DEEPEST = 1000


class CreatePostReport(Form, kw_only=True):
    post_id: Int32
    reason: str
    violates_instance_rules: bool | None = None


class CreateCommentReport(Form, kw_only=True):
    comment_id: Int32
    reason: str
    violates_instance_rules: bool | None = None


class CreateCommunityReport(Form, kw_only=True):
    community_id: Int32
    reason: str


class ResolveReport(Form, kw_only=True):
    report_id: Int32
    resolved: bool
    conclusion: str | None = None


def _report(row: Row, original: Sequence[str], *, instance_rules: bool = True) -> Json:
    """A PostReport / CommentReport / PrivateMessageReport from its row; `original`, the
    columns of what was reported, as it was."""
    out: Json = {
        "id": row["id"],
        "creator_id": row["creator_id"],
        **{key: row[key] for key in original if row.get(key) is not None},
        "reason": row["reason"],
        "resolved": row["resolved"],
        "published_at": shapes.moment(row["published"]),
    }
    if instance_rules:  # reports of posts and comments say it; of messages, not
        out["violates_instance_rules"] = False
    if row["resolver_id"] is not None:
        out["resolver_id"] = row["resolver_id"]
    if row["updated"] is not None:
        out["updated_at"] = shapes.moment(row["updated"])
    return out


async def _persons(conn: Connection, rows: Sequence[Row]) -> dict[int, Row]:
    ids = {int(r["creator_id"]) for r in rows}
    ids |= {int(r["resolver_id"]) for r in rows if r["resolver_id"] is not None}
    return await q.rows_by_id(conn, m.person, ids)


def _people(view: Json, row: Row, persons: dict[int, Row], creator_key: str) -> Json:
    """The reported content's view, its author as `creator_key`, the reporter as
    `creator` and the resolver."""
    view.pop("can_mod")  # a report's view does not carry it
    view[creator_key] = view.pop("creator")
    view["creator"] = shapes.person(persons[int(row["creator_id"])])
    if row["resolver_id"] is not None:
        view["resolver"] = shapes.person(persons[int(row["resolver_id"])])
    return view


async def post_report_views(conn: Connection, rows: Sequence[Row], viewer: Viewer) -> list[Json]:
    posts = await q.rows_by_id(conn, m.post, {int(r["post_id"]) for r in rows})
    shaped = dict(
        zip(posts, await views.post_views(conn, list(posts.values()), viewer), strict=True)
    )
    persons = await _persons(conn, rows)
    original = ("post_id", "original_post_name", "original_post_url", "original_post_body")
    out = []
    for r in rows:
        view = {"post_report": _report(r, original), **shaped[int(r["post_id"])]}
        out.append(_people(view, r, persons, "post_creator"))
    return out


async def comment_report_views(conn: Connection, rows: Sequence[Row], viewer: Viewer) -> list[Json]:
    comments = await q.rows_by_id(conn, m.comment, {int(r["comment_id"]) for r in rows})
    shaped = dict(
        zip(comments, await views.comment_views(conn, list(comments.values()), viewer), strict=True)
    )
    persons = await _persons(conn, rows)
    original = ("comment_id", "original_comment_text")
    out = []
    for r in rows:
        view = {"comment_report": _report(r, original), **shaped[int(r["comment_id"])]}
        out.append(_people(view, r, persons, "comment_creator"))
    return out


async def message_report_views(conn: Connection, rows: Sequence[Row]) -> list[Json]:
    persons = await _persons(conn, rows)
    admins = await q.admin_person_ids(conn, {int(p) for p in persons})
    original = ("private_message_id", "original_pm_text")
    message_ids = {int(r["private_message_id"]) for r in rows}
    messages = await q.rows_by_id(conn, m.private_message, message_ids)
    shown = await message_views(conn, list(messages.values()))
    message_of = {int(v["private_message"]["id"]): v for v in shown}
    out = []
    for r in rows:
        message = message_of[int(r["private_message_id"])]
        reporter = persons[int(r["creator_id"])]
        view: Json = {
            "private_message_report": _report(r, original, instance_rules=False),
            "private_message": message["private_message"],
            "creator": shapes.person(reporter),
            "private_message_creator": message["creator"],
            "creator_is_admin": int(r["creator_id"]) in admins,
            "creator_banned": bool(reporter["banned"]),
        }
        if r["resolver_id"] is not None:
            view["resolver"] = shapes.person(persons[int(r["resolver_id"])])
        out.append(view)
    return out


async def community_report_views(conn: Connection, rows: Sequence[Row]) -> list[Json]:
    """CommunityReportViews: the community as it is now, the report with its snapshot."""
    communities = await q.rows_by_id(conn, m.community, {int(r["community_id"]) for r in rows})
    persons = await _persons(conn, rows)
    admins = await q.admin_person_ids(conn, {int(r["creator_id"]) for r in rows})
    moderators = await q.moderator_pairs(conn, communities, {int(r["creator_id"]) for r in rows})
    original = (
        "community_id",
        "original_community_name",
        "original_community_title",
    )
    out = []
    for r in rows:
        report = _report(r, original, instance_rules=False)
        if r["original_community_description"] is not None:
            report["original_community_sidebar"] = r["original_community_description"]
        reporter = persons[int(r["creator_id"])]
        view: Json = {
            "community_report": report,
            "community": shapes.community(communities[int(r["community_id"])]),
            "creator": shapes.person(reporter),
            "creator_is_admin": int(r["creator_id"]) in admins,
            "creator_is_moderator": (int(r["community_id"]), int(r["creator_id"])) in moderators,
            "creator_banned": bool(reporter["banned"]),
            "creator_banned_from_community": False,
        }
        if r["resolver_id"] is not None:
            view["resolver"] = shapes.person(persons[int(r["resolver_id"])])
        out.append(view)
    return out


@post("/post/report", status_code=200)
async def create_post_report(request: AnyRequest, data: CreatePostReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_post(tx, viewer, data.post_id, data.reason)
        row = await reports.get_report(tx, reports.POST, report_id)
        return {"post_report_view": (await post_report_views(tx, [row], viewer))[0]}


@put("/post/report/resolve")
async def resolve_post_report(request: AnyRequest, data: ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_post_report(tx, viewer, data.report_id, data.resolved)
        row = await reports.get_report(tx, reports.POST, data.report_id)
        return {"post_report_view": (await post_report_views(tx, [row], viewer))[0]}


@post("/comment/report", status_code=200)
async def create_comment_report(request: AnyRequest, data: CreateCommentReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_comment(tx, viewer, data.comment_id, data.reason)
        row = await reports.get_report(tx, reports.COMMENT, report_id)
        return {"comment_report_view": (await comment_report_views(tx, [row], viewer))[0]}


@put("/comment/report/resolve")
async def resolve_comment_report(request: AnyRequest, data: ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_comment_report(tx, viewer, data.report_id, data.resolved)
        row = await reports.get_report(tx, reports.COMMENT, data.report_id)
        return {"comment_report_view": (await comment_report_views(tx, [row], viewer))[0]}


@post("/private_message/report", status_code=200)
async def create_message_report(
    request: AnyRequest, data: mod_forms.CreatePrivateMessageReport
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_private_message(
            tx, viewer, data.private_message_id, data.reason
        )
        row = await reports.get_report(tx, reports.PRIVATE_MESSAGE, report_id)
        return {"private_message_report_view": (await message_report_views(tx, [row]))[0]}


@put("/private_message/report/resolve")
async def resolve_message_report(request: AnyRequest, data: ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_private_message_report(tx, viewer, data.report_id, data.resolved)
        row = await reports.get_report(tx, reports.PRIVATE_MESSAGE, data.report_id)
        return {"private_message_report_view": (await message_report_views(tx, [row]))[0]}


@post("/community/report", status_code=200)
async def create_community_report(request: AnyRequest, data: CreateCommunityReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_community(tx, viewer, data.community_id, data.reason)
        row = await reports.get_report(tx, reports.COMMUNITY, report_id)
        return {"community_report_view": (await community_report_views(tx, [row]))[0]}


@put("/community/report/resolve")
async def resolve_community_report(request: AnyRequest, data: ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_community_report(tx, viewer, data.report_id, data.resolved)
        row = await reports.get_report(tx, reports.COMMUNITY, data.report_id)
        return {"community_report_view": (await community_report_views(tx, [row]))[0]}


_KINDS = {
    "posts": "post",
    "comments": "comment",
    "private_messages": "private_message",
    "communities": "community",
}
# What only the admins see in the list: reports about messages and about communities.
_ADMINS_ONLY = ("private_message", "community")


@get("/report/list")
async def list_reports(
    request: AnyRequest,
    unresolved_only: bool | None = None,
    type_: ReportType = "all",
    post_id: v3_forms.OptionalQueryInt32 = None,
    community_id: v3_forms.OptionalQueryInt32 = None,
    page_cursor: str | None = None,
    limit: v3_forms.OptionalQueryInt32 = None,
) -> Json:
    """Every kind of report the viewer may act on, newest first (private messages' for
    admins only, as in Lemmy)."""
    _, size = check_page(None, limit, ErrorCode.UNKNOWN)
    offset = cursors.offset_of(page_cursor)
    if offset + size > DEEPEST:
        raise ApiError(ErrorCode.UNKNOWN, f"lists end after {DEEPEST} items")
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        await require_mod_somewhere_or_admin(conn, viewer)
        f = report_lists.ReportFilter(
            viewer_id=viewer.person_id,
            viewer_is_admin=viewer.is_admin,
            unresolved_only=bool(unresolved_only),
            community_id=community_id,
            post_id=post_id,
        )
        kinds = [k for t, k in _KINDS.items() if type_ in ("all", t)]
        if not viewer.is_admin or post_id is not None:
            kinds = [k for k in kinds if k not in _ADMINS_ONLY]
        elif community_id is not None:
            kinds = [k for k in kinds if k != "private_message"]
        found: list[tuple[str, Row]] = []
        for kind in kinds:
            rows = await report_lists.list_reports(conn, kind, f, 1, offset + size)
            found += [(kind, r) for r in rows]
        found.sort(key=lambda item: (item[1]["published"], item[1]["id"]), reverse=True)
        page = found[offset : offset + size]
        shaped = {
            "post": iter(
                await post_report_views(conn, [r for k, r in page if k == "post"], viewer)
            ),
            "comment": iter(
                await comment_report_views(conn, [r for k, r in page if k == "comment"], viewer)
            ),
            "private_message": iter(
                await message_report_views(conn, [r for k, r in page if k == "private_message"])
            ),
            "community": iter(
                await community_report_views(conn, [r for k, r in page if k == "community"])
            ),
        }
        out: Json = {"items": [{"type_": k, **next(shaped[k])} for k, _ in page]}
        if len(page) == size:
            out["next_page"] = cursors.after_offset(offset + size)
        if offset:
            out["prev_page"] = cursors.after_offset(max(0, offset - size))
        return out


router = Router(
    path="/",
    route_handlers=[
        create_post_report,
        resolve_post_report,
        create_comment_report,
        resolve_comment_report,
        create_message_report,
        resolve_message_report,
        create_community_report,
        resolve_community_report,
        list_reports,
    ],
)
