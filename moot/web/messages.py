"""Private messages: the inbox (what one sent and received), writing to someone from their
profile, replying, marking read (in place) and deleting one's own. The actions are
moot/actions/private_messages.py and the list is moot/db/messages.py, as the API's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import private_messages
from moot.actions.lookups import get_private_message
from moot.api.v3.context import required_viewer
from moot.db import messages
from moot.db import models as m
from moot.db import queries as q
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.web.errors import words
from moot.web.pages import (
    AnyRequest,
    Page,
    back,
    flag,
    go,
    ident,
    is_htmx,
    load_page,
    render,
    state,
    text,
)

PAGE_SIZE = 20
PAGE_MAX = 500


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


@get("/messages", media_type=MediaType.HTML, include_in_schema=False)
async def inbox(
    request: AnyRequest, show: str | None = None, page: int = 1, sent: str | None = None
) -> Template:
    unread_only = show == "unread"
    number = min(max(page, 1), PAGE_MAX)
    async with state(request).db.connection() as conn:
        frame = await load_page(conn, request)
        if frame.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        me = frame.viewer.person_id
        rows = await messages.list_messages(
            conn, me, unread_only=unread_only, creator_id=None, page=number, limit=PAGE_SIZE + 1
        )
        items = await message_items(conn, rows[:PAGE_SIZE], me)
    return render(
        "inbox.html",
        frame,
        title="Inbox",
        items=items,
        unread_only=unread_only,
        number=number,
        has_next=len(rows) > PAGE_SIZE,
        sent=sent == "1",
    )


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
    values = {"error": None, "content": "", **context}
    return render(
        "message_form.html",
        page,
        status=status,
        title=f"Message to {person['name']}",
        person=person,
        replying=replying,
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
                conn, page, name, status=exc.status, error=words(exc), content=content
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


handlers = [inbox, write_page, send, mark_read, delete]
