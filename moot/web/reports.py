"""Reports: the "Report" form on posts, comments, private messages and communities, and the
reports page where moderators (their communities) and admins (everything, reports about
messages and communities too) resolve and reopen them.

Filing and resolving call moot/actions/reports.py; the lists are moot/db/reports.py, the
same queries as the API's, so a page shows exactly what GET /post/report/list answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import reports
from moot.actions.authority import require_admin, require_mod_somewhere_or_admin
from moot.actions.lookups import get_comment, get_community, get_post, get_private_message
from moot.auth import Viewer
from moot.db import models as m
from moot.db import queries as q
from moot.db import reports as lists
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.errors import words
from moot.web.names import handle
from moot.web.pages import (
    AnyRequest,
    Page,
    back,
    flag,
    ident,
    is_htmx,
    load_page,
    one_page,
    render,
    state,
    text,
)

PAGE_SIZE = 20
PAGE_MAX = 500
# Tab key -> (the lists' kind, the actions' report kind, label)
KINDS: dict[str, tuple[str, reports.ReportKind, str]] = {
    "posts": ("post", reports.POST, "Posts"),
    "comments": ("comment", reports.COMMENT, "Comments"),
    "messages": ("private_message", reports.PRIVATE_MESSAGE, "Private messages"),
    "communities": ("community", reports.COMMUNITY, "Communities"),
}
ADMINS_ONLY = ("messages", "communities")


@dataclass(frozen=True)
class Target:
    """What a report form is about, as its page shows it."""

    kind: str  # "post", "comment", "message" or "community"
    row: Row
    action: str
    back: str

    @property
    def label(self) -> str:
        labels = {"message": "private message"}
        return labels.get(self.kind, self.kind)


async def _target(conn: Connection, kind: str, target_id: int) -> Target:
    if kind == "post":
        row = await get_post(conn, target_id)
        return Target(kind, row, f"/post/{target_id}/report", f"/post/{target_id}")
    if kind == "comment":
        row = await get_comment(conn, target_id)
        return Target(
            kind, row, f"/comment/{target_id}/report", f"/post/{row['post_id']}#c{target_id}"
        )
    if kind == "community":
        row = await get_community(conn, target_id)
        return Target(kind, row, f"/community/{target_id}/report", f"/c/{handle(row)}")
    row = await get_private_message(conn, target_id)
    return Target(kind, row, f"/messages/{target_id}/report", "/messages")


async def _file(conn: Connection, viewer: Viewer, target: Target, reason: str) -> int:
    target_id = int(target.row["id"])
    if target.kind == "post":
        return await reports.report_post(conn, viewer, target_id, reason)
    if target.kind == "comment":
        return await reports.report_comment(conn, viewer, target_id, reason)
    if target.kind == "community":
        return await reports.report_community(conn, viewer, target_id, reason)
    return await reports.report_private_message(conn, viewer, target_id, reason)


async def _report_form(request: AnyRequest, kind: str, target_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        target = await _target(conn, kind, ident(target_id))
    return render(
        "report_form.html", page, title=f"Report {target.label}", t=target, error=None, reason=""
    )


async def _send_report(request: AnyRequest, kind: str, target_id: int) -> Template:
    moot = state(request)
    form = await request.form()
    reason = text(form, "reason").replace("\r\n", "\n")
    try:
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            target = await _target(tx, kind, ident(target_id))
            await _file(tx, viewer, target, reason)
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            target = await _target(conn, kind, ident(target_id))
        return render(
            "report_form.html",
            page,
            status=exc.status,
            title=f"Report {target.label}",
            t=target,
            error=words(exc),
            reason=reason,
        )
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)
    return render("report_sent.html", page, title="Report sent", t=target)


@get("/post/{post_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_post_page(request: AnyRequest, post_id: int) -> Template:
    return await _report_form(request, "post", post_id)


@post("/post/{post_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_post(request: AnyRequest, post_id: int) -> Template:
    return await _send_report(request, "post", post_id)


@get("/comment/{comment_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_comment_page(request: AnyRequest, comment_id: int) -> Template:
    return await _report_form(request, "comment", comment_id)


@post("/comment/{comment_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_comment(request: AnyRequest, comment_id: int) -> Template:
    return await _send_report(request, "comment", comment_id)


@get("/messages/{message_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_message_page(request: AnyRequest, message_id: int) -> Template:
    return await _report_form(request, "message", message_id)


@post("/messages/{message_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_message(request: AnyRequest, message_id: int) -> Template:
    return await _send_report(request, "message", message_id)


@get("/community/{community_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_community_page(request: AnyRequest, community_id: int) -> Template:
    return await _report_form(request, "community", community_id)


@post("/community/{community_id:int}/report", media_type=MediaType.HTML, include_in_schema=False)
async def report_community(request: AnyRequest, community_id: int) -> Template:
    return await _send_report(request, "community", community_id)


@dataclass(frozen=True)
class ReportItem:
    tab: str
    report: Row
    reporter: Row
    resolver: Row | None
    target: Row | None  # the post, comment or message as it is now
    post: Row | None
    community: Row | None
    author: Row | None

    @property
    def key(self) -> str:
        return f"r{self.tab[0]}{self.report['id']}"


async def report_items(conn: Connection, tab: str, rows: Sequence[Row]) -> list[ReportItem]:
    """The reports with what they are about, one query per kind of fact for the page."""
    if tab == "communities":
        return await _community_report_items(conn, rows)
    table = {"posts": m.post, "comments": m.comment, "messages": m.private_message}[tab]
    key = {"posts": "post_id", "comments": "comment_id", "messages": "private_message_id"}[tab]
    targets = await q.rows_by_id(conn, table, {int(r[key]) for r in rows})
    post_ids = {int(t["post_id"]) for t in targets.values()} if tab == "comments" else set()
    posts = await q.rows_by_id(conn, m.post, post_ids) if tab == "comments" else targets
    if tab == "messages":
        posts = {}
    communities = await q.rows_by_id(
        conn, m.community, {int(p["community_id"]) for p in posts.values()}
    )
    people = {int(r["creator_id"]) for r in rows} | {int(t["creator_id"]) for t in targets.values()}
    people |= {int(r["resolver_id"]) for r in rows if r["resolver_id"] is not None}
    persons = await q.rows_by_id(conn, m.person, people)
    items = []
    for r in rows:
        target = targets.get(int(r[key]))
        post = None
        if target is not None and tab != "messages":
            post = target if tab == "posts" else posts.get(int(target["post_id"]))
        items.append(
            ReportItem(
                tab=tab,
                report=r,
                reporter=persons[int(r["creator_id"])],
                resolver=persons.get(int(r["resolver_id"])) if r["resolver_id"] else None,
                target=target,
                post=post,
                community=communities.get(int(post["community_id"])) if post else None,
                author=persons.get(int(target["creator_id"])) if target else None,
            )
        )
    return items


async def _community_report_items(conn: Connection, rows: Sequence[Row]) -> list[ReportItem]:
    """Reports about communities: the community is what was reported; it has no author."""
    communities = await q.rows_by_id(conn, m.community, {int(r["community_id"]) for r in rows})
    people = {int(r["creator_id"]) for r in rows}
    people |= {int(r["resolver_id"]) for r in rows if r["resolver_id"] is not None}
    persons = await q.rows_by_id(conn, m.person, people)
    return [
        ReportItem(
            tab="communities",
            report=r,
            reporter=persons[int(r["creator_id"])],
            resolver=persons.get(int(r["resolver_id"])) if r["resolver_id"] else None,
            target=communities.get(int(r["community_id"])),
            post=None,
            community=communities.get(int(r["community_id"])),
            author=None,
        )
        for r in rows
    ]


async def _community_id(conn: Connection, name: str) -> int | None:
    if not name:
        return None
    found = await q.community_by_name(conn, name)
    if found is None:
        raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
    return int(found["id"])


@get("/reports", media_type=MediaType.HTML, include_in_schema=False)
async def reports_page(
    request: AnyRequest,
    kind: str | None = None,
    show: str | None = None,
    community: str | None = None,
    page: int = 1,
) -> Template:
    tab = kind if kind in KINDS else "posts"
    everything = show == "all"
    number = min(max(page, 1), PAGE_MAX)
    async with state(request).db.connection() as conn:
        frame: Page = await load_page(conn, request)
        viewer = frame.viewer
        if viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        await require_mod_somewhere_or_admin(conn, viewer)
        if tab in ADMINS_ONLY:
            require_admin(viewer)
        community_id = await _community_id(conn, (community or "").strip())
        f = lists.ReportFilter(
            viewer_id=viewer.person_id,
            viewer_is_admin=viewer.is_admin,
            unresolved_only=not everything,
            community_id=community_id,
        )
        list_kind = KINDS[tab][0]

        async def some(page: int, limit: int) -> list[Row]:
            return await lists.list_reports(conn, list_kind, f, page, limit)

        rows, has_next = await one_page(some, number, PAGE_SIZE)
        items = await report_items(conn, tab, rows)
        tabs = {
            key: (label, await lists.count_unresolved(conn, lk, f))
            for key, (lk, _, label) in KINDS.items()
            if key not in ADMINS_ONLY or viewer.is_admin
        }
    return render(
        "reports.html",
        frame,
        title="Reports",
        tab=tab,
        tabs=tabs,
        items=items,
        everything=everything,
        community=community or "",
        number=number,
        has_next=has_next,
    )


@post(
    "/reports/{kind:str}/{report_id:int}/resolve",
    media_type=MediaType.HTML,
    include_in_schema=False,
)
async def resolve(request: AnyRequest, kind: str, report_id: int) -> Template | Redirect:
    if kind not in KINDS:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    moot = state(request)
    form = await request.form()
    resolved = flag(form, "resolved")
    async with moot.db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        if kind == "posts":
            await reports.resolve_post_report(tx, viewer, ident(report_id), resolved)
        elif kind == "comments":
            await reports.resolve_comment_report(tx, viewer, ident(report_id), resolved)
        elif kind == "communities":
            await reports.resolve_community_report(tx, viewer, ident(report_id), resolved)
        else:
            await reports.resolve_private_message_report(tx, viewer, ident(report_id), resolved)
    return await report_answer(request, kind, report_id)


async def report_answer(request: AnyRequest, kind: str, report_id: int) -> Template | Redirect:
    """After a change to a report: the report as it is now, in place (with the page's
    script), or back to the reports page."""
    if not is_htmx(request):
        return back(request, f"/reports?kind={kind}")
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        row = await reports.get_report(conn, KINDS[kind][1], report_id)
        item = (await report_items(conn, kind, [row]))[0]
    return render("fragments/report.html", page, item=item)


handlers = [
    report_post_page,
    report_post,
    report_comment_page,
    report_comment,
    report_message_page,
    report_message,
    report_community_page,
    report_community,
    reports_page,
    resolve,
]
