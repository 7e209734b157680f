"""The inbox: replies to one's posts and comments, mentions (`@name@host`), moderators'
notices (moot/web/mod_notices.py), private messages (what one sent and received), and what
one's subscriptions told (new comments on a post, new posts in a community:
moot/web/subscriptions.py), each all or unread only; marking one read or unread (in place)
or all of them read; writing to someone from their profile, replying and deleting one's own
message. The actions are moot/actions/notifications.py and moot/actions/private_messages.py,
the lists moot/db/notifications.py and moot/db/messages.py, as the API's.

The pages live under /messages: /inbox is ActivityPub's shared inbox (exempt from CSRF,
so a form there would carry no token)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import notifications, private_messages
from moot.actions.lookups import get_comment, get_private_message
from moot.auth import Viewer
from moot.db import messages
from moot.db import models as m
from moot.db import notifications as notices
from moot.db import queries as q
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web import mod_notices, writing
from moot.web.pages import (
    AnyRequest,
    Page,
    back,
    flag,
    go,
    ident,
    is_htmx,
    load_page,
    one_page,
    render,
    state,
    text,
)
from moot.web.views import CommentItem, comment_items

PAGE_SIZE = 20
PAGE_MAX = 500
VIEWS = {
    "replies": "Replies",
    "mentions": "Mentions",
    mod_notices.VIEW: "From moderators",
    "messages": "Messages",
    "subscribed": "Subscribed",
    "posts": "New posts",
}
NOTICES: dict[str, sa.Table] = {
    "replies": notices.REPLIES,
    "mentions": notices.MENTIONS,
    "subscribed": notices.SUBSCRIBED,
    "posts": m.post_subscribed,
}


@dataclass(frozen=True)
class Message:
    row: Row
    creator: Row
    recipient: Row
    mine: bool  # the viewer sent it

    @property
    def other(self) -> Row:
        return self.recipient if self.mine else self.creator


async def message_items(conn: Connection, rows: Sequence[Row], me: int) -> list[Message]:
    people = {int(r["creator_id"]) for r in rows} | {int(r["recipient_id"]) for r in rows}
    persons = await q.rows_by_id(conn, m.person, people)
    return [
        Message(
            r, persons[int(r["creator_id"])], persons[int(r["recipient_id"])], r["creator_id"] == me
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PostNotice:
    """A subscription's notice of a new post: the notice and the post."""

    row: Row
    post: Row
    community: Row

    @property
    def anchor(self) -> str:
        return f"p{self.row['id']}"


async def post_notice_items(conn: Connection, pairs: Sequence[tuple[Row, Row]]) -> list[PostNotice]:
    communities = await q.rows_by_id(conn, m.community, {int(p["community_id"]) for _, p in pairs})
    return [PostNotice(n, p, communities[int(p["community_id"])]) for n, p in pairs]


@dataclass(frozen=True)
class Notice:
    """A reply, a mention or a subscription's comment: the notice and the comment."""

    kind: str  # a key of NOTICES
    row: Row
    item: CommentItem

    @property
    def anchor(self) -> str:
        return f"{self.kind[0]}{self.row['id']}"


async def notice_items(
    conn: Connection, kind: str, pairs: Sequence[tuple[Row, Row]], viewer: Viewer
) -> list[Notice]:
    items = await comment_items(conn, [c for _, c in pairs], viewer)
    return [Notice(kind, n, item) for (n, _), item in zip(pairs, items, strict=True)]


@get("/messages", media_type=MediaType.HTML, include_in_schema=False)
async def inbox(
    request: AnyRequest,
    view: str | None = None,
    show: str | None = None,
    page: int = 1,
    sent: str | None = None,
) -> Template:
    kind = view if view in VIEWS else "messages"
    unread_only = show == "unread"
    number = min(max(page, 1), PAGE_MAX)
    items: Sequence[Message | Notice | PostNotice | mod_notices.ModNotice]
    async with state(request).db.connection() as conn:
        frame = await load_page(conn, request)
        if frame.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        me = frame.viewer.person_id
        if kind == "messages":

            async def some_messages(number: int, limit: int) -> list[Row]:
                return await messages.list_messages(
                    conn, me, unread_only=unread_only, creator_id=None, page=number, limit=limit
                )

            rows, has_next = await one_page(some_messages, number, PAGE_SIZE)
            items = await message_items(conn, rows, me)
        elif kind == mod_notices.VIEW:
            items, has_next = await mod_notices.page_of(
                conn, frame.viewer, unread_only=unread_only, number=number, size=PAGE_SIZE
            )
        elif kind == "posts":

            async def some_posts(number: int, limit: int) -> list[tuple[Row, Row]]:
                return await notices.list_post_notices(
                    conn, me, unread_only=unread_only, limit=limit, page=number
                )

            posts, has_next = await one_page(some_posts, number, PAGE_SIZE)
            items = await post_notice_items(conn, posts)
        else:

            async def some_notices(number: int, limit: int) -> list[tuple[Row, Row]]:
                return await notices.list_notices(
                    conn,
                    NOTICES[kind],
                    me,
                    sort="New",
                    unread_only=unread_only,
                    page=number,
                    limit=limit,
                )

            pairs, has_next = await one_page(some_notices, number, PAGE_SIZE)
            items = await notice_items(conn, kind, pairs, frame.viewer)
    return render(
        "inbox.html",
        frame,
        title=f"Inbox: {VIEWS[kind]}",
        view=kind,
        views=VIEWS,
        items=items,
        unread_only=unread_only,
        number=number,
        has_next=has_next,
        sent=sent == "1",
    )


@post(
    "/messages/{kind:str}/{notice_id:int}/read",
    media_type=MediaType.HTML,
    include_in_schema=False,
)
async def mark_notice_read(request: AnyRequest, kind: str, notice_id: int) -> Template | Redirect:
    if kind == mod_notices.VIEW:
        return await mod_notices.mark_read(request, notice_id)
    table = NOTICES.get(kind)
    if table is None:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT)
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        row = await notifications.mark_read(tx, viewer, table, ident(notice_id), flag(form, "read"))
    if not is_htmx(request) or kind == "posts":
        return back(request, f"/messages?view={kind}", f"{kind[0]}{notice_id}")
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        assert page.viewer is not None
        comment = await get_comment(conn, int(row["comment_id"]))
        item = (await notice_items(conn, kind, [(row, comment)], page.viewer))[0]
    return render("fragments/notice.html", page, item=item)


@post("/messages/read_all", media_type=MediaType.HTML, include_in_schema=False)
async def mark_all_read(request: AnyRequest) -> Redirect:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await notifications.mark_all_read(tx, viewer)
    return back(request, "/messages")


async def _write_form(
    conn: Connection, page: Page, name: str, *, status: int = 200, **context: object
) -> Template:
    person = await q.person_by_name(conn, name)
    if person is None or person["deleted"]:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
    replying = None
    reply_to = context.pop("reply_to", None)
    if isinstance(reply_to, int) and page.viewer is not None:
        found = await get_private_message(conn, reply_to)
        # Only a message one received is quoted back.
        if found["recipient_id"] == page.viewer.person_id:
            replying = found
    values = {"error": None, "content": "", "preview": None, **context}
    return render(
        "message_form.html",
        page,
        status=status,
        title=f"Message to {person['name']}",
        person=person,
        replying=replying,
        emojis=await writing.emoji_choices(conn),
        limit=writing.MESSAGE_LIMIT,
        **values,
    )


@get("/u/{name:str}/message", media_type=MediaType.HTML, include_in_schema=False)
async def write_page(request: AnyRequest, name: str, reply_to: int | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        return await _write_form(conn, page, name, reply_to=reply_to)


@post("/u/{name:str}/message", media_type=MediaType.HTML, include_in_schema=False)
async def send(request: AnyRequest, name: str) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    content = text(form, "content").replace("\r\n", "\n")
    if writing.wants_preview(form):
        async with moot.db.connection() as conn:
            await required_viewer(conn, request)
            draft = await writing.preview(conn, content, writing.MESSAGE_LIMIT)
            page = await load_page(conn, request)
            return await _write_form(
                conn, page, name, content=content, preview=draft.preview, error=draft.problem
            )
    try:
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            person = await q.person_by_name(tx, name)
            if person is None or person["deleted"]:
                raise ApiError(ErrorCode.COULDNT_FIND_PERSON)
            await private_messages.send(tx, moot.settings, viewer, int(person["id"]), content)
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            return await _write_form(
                conn,
                page,
                name,
                status=exc.status,
                error=writing.refusal(exc, content, writing.MESSAGE_LIMIT),
                content=content,
            )
    return go("/messages?sent=1")


async def _message_fragment(request: AnyRequest, message_id: int) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        assert page.viewer is not None
        row = await get_private_message(conn, message_id)
        item = (await message_items(conn, [row], page.viewer.person_id))[0]
    return render("fragments/message.html", page, item=item)


@post("/messages/{message_id:int}/read", media_type=MediaType.HTML, include_in_schema=False)
async def mark_read(request: AnyRequest, message_id: int) -> Template | Redirect:
    form = await request.form()
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.mark_read(tx, viewer, ident(message_id), flag(form, "read"))
    if is_htmx(request):
        return await _message_fragment(request, message_id)
    return back(request, "/messages", f"m{message_id}")


@post("/messages/{message_id:int}/delete", media_type=MediaType.HTML, include_in_schema=False)
async def delete(request: AnyRequest, message_id: int) -> Redirect:
    async with state(request).db.transaction() as tx:
        viewer = await required_viewer(tx, request)
        await private_messages.delete(tx, viewer, ident(message_id), True)
    return back(request, "/messages")


handlers = [inbox, mark_notice_read, mark_all_read, write_page, send, mark_read, delete]
