"""Report routes: file, resolve and list reports on posts, comments and private messages,
and the counts a moderator's inbox shows."""

from __future__ import annotations

from litestar import Router, get, post, put

from moot.actions import reports
from moot.actions.authority import require_admin, require_mod_somewhere_or_admin
from moot.api.v3 import mod_forms, mod_views
from moot.api.v3.forms import OptionalQueryInt32
from moot.api.v3.shapes import Json
from moot.auth import Viewer
from moot.db import reports as report_lists
from moot.db.engine import Connection
from moot.db.listings import check_page
from moot.errors import ErrorCode
from moot.request_context import AnyRequest, required_viewer, state


async def _post_report(conn: Connection, report_id: int, viewer: Viewer) -> Json:
    row = await reports.get_report(conn, reports.POST, report_id)
    return {"post_report_view": (await mod_views.post_report_views(conn, [row], viewer))[0]}


async def _comment_report(conn: Connection, report_id: int, viewer: Viewer) -> Json:
    row = await reports.get_report(conn, reports.COMMENT, report_id)
    return {"comment_report_view": (await mod_views.comment_report_views(conn, [row], viewer))[0]}


async def _message_report(conn: Connection, report_id: int) -> Json:
    row = await reports.get_report(conn, reports.PRIVATE_MESSAGE, report_id)
    views = await mod_views.private_message_report_views(conn, [row])
    return {"private_message_report_view": views[0]}


@post("/post/report", status_code=200)
async def create_post_report(request: AnyRequest, data: mod_forms.CreatePostReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_post(tx, viewer, data.post_id, data.reason)
        return await _post_report(tx, report_id, viewer)


@put("/post/report/resolve")
async def resolve_post_report(request: AnyRequest, data: mod_forms.ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_post_report(tx, viewer, data.report_id, data.resolved)
        return await _post_report(tx, data.report_id, viewer)


@get("/post/report/list")
async def list_post_reports(
    request: AnyRequest,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
    unresolved_only: bool | None = None,
    community_id: OptionalQueryInt32 = None,
    post_id: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_POST_REPORT)
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
        rows = await report_lists.list_reports(conn, "post", f, page_no, page_size)
        return {"post_reports": await mod_views.post_report_views(conn, rows, viewer)}


@post("/comment/report", status_code=200)
async def create_comment_report(request: AnyRequest, data: mod_forms.CreateCommentReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_comment(tx, viewer, data.comment_id, data.reason)
        return await _comment_report(tx, report_id, viewer)


@put("/comment/report/resolve")
async def resolve_comment_report(request: AnyRequest, data: mod_forms.ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_comment_report(tx, viewer, data.report_id, data.resolved)
        return await _comment_report(tx, data.report_id, viewer)


@get("/comment/report/list")
async def list_comment_reports(
    request: AnyRequest,
    comment_id: OptionalQueryInt32 = None,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
    unresolved_only: bool | None = None,
    community_id: OptionalQueryInt32 = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_COMMENT_REPORT)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        await require_mod_somewhere_or_admin(conn, viewer)
        f = report_lists.ReportFilter(
            viewer_id=viewer.person_id,
            viewer_is_admin=viewer.is_admin,
            unresolved_only=bool(unresolved_only),
            community_id=community_id,
            comment_id=comment_id,
        )
        rows = await report_lists.list_reports(conn, "comment", f, page_no, page_size)
        return {"comment_reports": await mod_views.comment_report_views(conn, rows, viewer)}


@post("/private_message/report", status_code=200)
async def create_message_report(
    request: AnyRequest, data: mod_forms.CreatePrivateMessageReport
) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        report_id = await reports.report_private_message(
            tx, viewer, data.private_message_id, data.reason
        )
        return await _message_report(tx, report_id)


@put("/private_message/report/resolve")
async def resolve_message_report(request: AnyRequest, data: mod_forms.ResolveReport) -> Json:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await reports.resolve_private_message_report(tx, viewer, data.report_id, data.resolved)
        return await _message_report(tx, data.report_id)


@get("/private_message/report/list")
async def list_message_reports(
    request: AnyRequest,
    page: OptionalQueryInt32 = None,
    limit: OptionalQueryInt32 = None,
    unresolved_only: bool | None = None,
) -> Json:
    page_no, page_size = check_page(page, limit, ErrorCode.COULDNT_FIND_PRIVATE_MESSAGE_REPORT)
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        require_admin(viewer)
        f = report_lists.ReportFilter(
            viewer_id=viewer.person_id,
            viewer_is_admin=True,
            unresolved_only=bool(unresolved_only),
        )
        rows = await report_lists.list_reports(conn, "private_message", f, page_no, page_size)
        views = await mod_views.private_message_report_views(conn, rows)
        return {"private_message_reports": views}


@get("/user/report_count")
async def report_count(request: AnyRequest, community_id: OptionalQueryInt32 = None) -> Json:
    async with state(request).db.connection() as conn:
        viewer = await required_viewer(conn, request)
        f = report_lists.ReportFilter(
            viewer_id=viewer.person_id,
            viewer_is_admin=viewer.is_admin,
            community_id=community_id,
        )
        out: Json = {
            "comment_reports": await report_lists.count_unresolved(conn, "comment", f),
            "post_reports": await report_lists.count_unresolved(conn, "post", f),
        }
        if community_id is not None:
            out = {"community_id": community_id, **out}
        if viewer.is_admin:
            out["private_message_reports"] = await report_lists.count_unresolved(
                conn, "private_message", f
            )
        return out


router = Router(
    path="/",
    route_handlers=[
        create_post_report,
        resolve_post_report,
        list_post_reports,
        create_comment_report,
        resolve_comment_report,
        list_comment_reports,
        create_message_report,
        resolve_message_report,
        list_message_reports,
        report_count,
    ],
)
