"""The open page kept current by server-sent events: a post's new comments, which moot.js
puts into the thread where they belong, and a member's inbox count in the menu. Without
JavaScript nothing asks for this, and every page is as it was loaded.

A stream shows what the page would show if reloaded: the post as its page decides
(`shows_post`), its comments read by the thread's own query (so removed and deleted
comments and blocked people stay out), rendered by the thread's renderer, and the inbox
link from the menu's fragment. It waits on the process's one watcher (moot/live_watch.py),
queries only when its post got a comment or its member a notice, and ends after
LIFETIME_SECONDS (the browser reconnects from the last comment it got, and the viewer is
read afresh) or as soon as the process is asked to stop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from litestar import MediaType, Response, get
from litestar.response import ServerSentEvent, ServerSentEventMessage, Template

from moot.actions.lookups import get_post
from moot.auth import Viewer
from moot.db.engine import Connection, Row
from moot.db.listings import CommentFilter, blocks_instance_persons
from moot.db.notifications import unread_counts
from moot.db.paths import ancestor_ids, depth_of
from moot.errors import ApiError, ErrorCode
from moot.live_watch import Ticket, Watch
from moot.request_context import client_ip
from moot.web.comments import THREAD_DEPTH, Node
from moot.web.moderation import tools_for
from moot.web.pages import AnyRequest, Page, ident, load_page, render, state
from moot.web.posts import shows_post
from moot.web.views import CommentItem, thread_comment_items

HEARTBEAT_SECONDS = 20.0  # a comment line when nothing else was sent: proxies keep it open
LIFETIME_SECONDS = 600.0
RETRY_MILLISECONDS = 10_000  # how soon the browser comes back after a stream ends


@dataclass(frozen=True)
class _Thread:
    post: Row
    moderating: bool

    @property
    def id(self) -> int:
        return int(self.post["id"])


async def _thread(conn: Connection, viewer: Viewer | None, post_id: int) -> _Thread:
    row = await get_post(conn, ident(post_id))
    tools = await tools_for(conn, viewer, "post", row)
    if not shows_post(viewer, row, tools):
        raise ApiError(ErrorCode.COULDNT_FIND_POST)
    return _Thread(row, tools is not None)


def _resumed_from(request: AnyRequest, after: int) -> int:
    """The newest comment the page has: as it was made, or the last a stream gave it (the
    browser says which when it reconnects)."""
    last = request.headers.get("last-event-id", "")
    return max(after, int(last)) if last.isdigit() else after


@get("/live", include_in_schema=False)
async def live(
    request: AnyRequest, post: int | None = None, after: int = 0
) -> ServerSentEvent | Response[Any]:
    moot = state(request)
    if moot.live is None:
        return Response(b"", status_code=204)  # not serving yet
    # Before the page's facts are read: a notice found after this is told again.
    reading = moot.live.reading
    async with moot.db.connection() as conn:
        page = await load_page(conn, request)
        thread = await _thread(conn, page.viewer, post) if post is not None else None
    if thread is None and page.nav is None:
        return Response(b"", status_code=204)  # nothing to follow: the browser stops asking
    ticket = moot.live.admit(client_ip(request))
    if ticket is None:
        return Response(
            "Too many live pages open from here.", status_code=429, media_type=MediaType.TEXT
        )
    since = _Since(_resumed_from(request, after), looked=reading, counted=reading)
    return ServerSentEvent(
        _events(request, moot.live, ticket, page, thread, since), retry_duration=RETRY_MILLISECONDS
    )


@dataclass
class _Since:
    """How far a stream has told: the newest comment, and the watcher's readings at which
    it last looked for comments and last counted the inbox."""

    comment: int
    looked: int
    counted: int


async def _events(
    request: AnyRequest,
    watch: Watch,
    ticket: Ticket,  # held while the stream runs: its place among the open ones
    page: Page,
    thread: _Thread | None,
    since: _Since,
) -> AsyncIterator[ServerSentEventMessage]:
    db = state(request).db
    loop = asyncio.get_running_loop()
    ends = loop.time() + LIFETIME_SECONDS
    nav, viewer = page.nav, page.viewer
    if nav is not None:
        # First the count as it is now: the page may be older than this stream.
        yield ServerSentEventMessage(_inbox(request, page), event="inbox")
    quiet_since, first = loop.time(), True
    while not watch.stopping.is_set() and loop.time() < ends:
        seen = watch.reading
        if thread is not None and (
            first or watch.commented_since(thread.id, since.comment, since.looked)
        ):
            since.looked = seen
            async with db.connection() as conn:
                items, since.comment = await _comments_after(conn, thread, viewer, since.comment)
            for item in items:
                html = _comment(request, page, thread, item)
                yield ServerSentEventMessage(html, "comment", int(item.comment["id"]))
                quiet_since = loop.time()
        if (
            nav is not None
            and viewer is not None
            and watch.noticed_since(viewer.person_id, since.counted)
        ):
            since.counted = seen
            async with db.connection() as conn:
                unread = await unread_counts(conn, viewer.person_id)
            if unread != nav.unread:
                nav = replace(nav, unread=unread)
                page = replace(page, nav=nav)
                yield ServerSentEventMessage(_inbox(request, page), event="inbox")
                quiet_since = loop.time()
        if loop.time() - quiet_since >= HEARTBEAT_SECONDS:
            yield ServerSentEventMessage(None, comment="")
            quiet_since = loop.time()
        first = False
        await watch.changed(seen, min(HEARTBEAT_SECONDS, ends - loop.time()))
    del ticket  # its place is free for another stream


async def _comments_after(
    conn: Connection, thread: _Thread, viewer: Viewer | None, after: int
) -> tuple[list[CommentItem], int]:
    """The thread's comments newer than `after` that its page would show, parents before
    their replies; and the newest id read (shown or not), to go on from."""
    f = CommentFilter(
        sort="Old",
        post_id=thread.id,
        viewer_id=viewer.person_id if viewer else None,
        after_id=after,
        instance_persons_filtered=blocks_instance_persons(viewer),
    )
    items = sorted(await thread_comment_items(conn, f, viewer), key=lambda i: i.comment["id"])
    newest = max((int(i.comment["id"]) for i in items), default=after)
    shown = [i for i in items if not i.gone and depth_of(str(i.comment["path"])) < THREAD_DEPTH]
    return shown, newest


def _parent_id(item: CommentItem) -> int:
    """The comment this one answers, or 0 for the post (moot.js looks for `#k{id}`)."""
    return (ancestor_ids(str(item.comment["path"])) or [0])[-1]


def _html(request: AnyRequest, template: Template) -> str:
    engine = request.app.template_engine
    assert engine is not None and template.template_name is not None
    return str(
        engine.get_template(template.template_name).render(
            **template.create_template_context(request)
        )
    )


def _comment(request: AnyRequest, page: Page, thread: _Thread, item: CommentItem) -> str:
    html = _html(
        request,
        render(
            "fragments/live_comment.html",
            page,
            node=Node(item),
            locked=bool(thread.post["locked"]),
            moderating=thread.moderating,
        ),
    )
    return json.dumps({"parent": _parent_id(item), "html": html})


def _inbox(request: AnyRequest, page: Page) -> str:
    return _html(request, render("fragments/inbox_link.html", page, nav=page.nav)).strip()


handlers = [live]
