"""Multi-community feeds on the web (Lemmy 1.0's multi-communities): the list of feeds and
a new one, a feed's page with its posts in the usual sorts, and its owner's forms to edit
it and add or remove communities; members follow it. Plain forms: no script needed.
The same actions as API v4's (moot/actions/multi_communities.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import multi_communities as feeds
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.errors import words
from moot.web.listings import menus, post_listing
from moot.web.pages import AnyRequest, Page, back, flag, go, load_page, render, state, text

LIST_SIZE = 50


def _address(feed: Row) -> str:
    return f"/m/{feed['name']}" if feed["local"] else f"/m/{feed['name']}@{_domain(feed)}"


def _domain(feed: Row) -> str:
    return str(feed["ap_id"]).split("/")[2]


async def _feed(conn: Connection, name: str) -> Row:
    feed = await feeds.feed_by_name(conn, name)
    if feed["deleted"]:
        raise ApiError(ErrorCode.COULDNT_FIND_MULTI_COMMUNITY)
    return feed


async def _feeds_page(page: Page, conn: Connection, **context: Any) -> Template:
    t = m.multi_community.c
    rows = await conn.fetch_all(
        sa.select(m.multi_community)
        .where(~t.deleted)
        .order_by(t.subscribers.desc(), t.communities.desc(), t.id)
        .limit(LIST_SIZE)
    )
    values = {"error": None, "values": {}, **context}
    return render(
        "multi_feeds.html",
        page,
        status=int(values.pop("status", 200)),
        title="Feeds",
        feeds=[(row, _address(row)) for row in rows],
        **values,
    )


@get("/multi_communities", media_type=MediaType.HTML, include_in_schema=False)
async def feeds_page(request: AnyRequest) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        return await _feeds_page(page, conn)


def _texts(form: Any) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "summary": text(form, "summary"),
        "sidebar": text(form, "sidebar").replace("\r\n", "\n"),
    }


@post("/multi_communities", media_type=MediaType.HTML, include_in_schema=False)
async def create_feed(request: AnyRequest) -> Template | Redirect:
    moot = state(request)
    form = await request.form()
    changes = {"name": text(form, "name").strip(), **_texts(form)}
    try:
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            row = await feeds.create_feed(tx, moot.settings, viewer, changes)
    except ApiError as exc:
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            return await _feeds_page(
                page, conn, status=exc.status, error=words(exc), values=changes
            )
    return go(_address(row))


@get("/m/{name:str}", media_type=MediaType.HTML, include_in_schema=False)
async def feed_page(
    request: AnyRequest,
    name: str,
    sort: str | None = None,
    page_cursor: str | None = None,
    back: str | None = None,
) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        try:
            feed = await _feed(conn, name)
        except ApiError:
            return render(
                "not_found.html",
                page,
                status=404,
                title="Not found",
                what=f"There is no feed called {name} here.",
            )
        return await _feed_page(conn, page, feed, sort, page_cursor, back)


async def _feed_page(
    conn: Connection,
    page: Page,
    feed: Row,
    sort: str | None,
    cursor: str | None,
    trail: str | None,
    **context: Any,
) -> Template:
    feed_id = int(feed["id"])
    c = m.community
    entries = m.multi_community_entry.c
    communities = await conn.fetch_all(
        sa.select(c)
        .join(m.multi_community_entry, entries.community_id == c.c.id)
        .where(entries.multi_community_id == feed_id)
        .order_by(c.c.name, c.c.id)
    )
    owner = await conn.fetch_one(sa.select(m.person).where(m.person.c.id == feed["creator_id"]))
    following = False
    if page.viewer is not None:
        t = m.multi_community_follow.c
        following = bool(
            await conn.scalar(
                sa.select(t.id).where(
                    t.multi_community_id == feed_id, t.person_id == page.viewer.person_id
                )
            )
        )
    shown = await post_listing(
        conn,
        page,
        requested_type=None,
        requested_sort=sort,
        cursor=cursor,
        trail=trail,
        multi_community_id=feed_id,
    )
    values = {"error": None, **context}
    return render(
        "multi_feed.html",
        page,
        status=int(values.pop("status", 200)),
        title=str(feed["title"] or feed["name"]),
        feed=feed,
        address=_address(feed),
        owner=owner,
        owns=page.viewer is not None
        and page.viewer.person_id == int(feed["creator_id"])
        and bool(feed["local"]),
        following=following,
        communities=communities,
        listing=shown,
        **menus(),
        **values,
    )


async def _change(request: AnyRequest, name: str, what: str) -> Template | Redirect:
    """One of the owner's or a member's forms on a feed's page: the action, then back to the
    page (or the page again, with the refusal said above the form)."""
    moot = state(request)
    form = await request.form()
    try:
        async with moot.db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            feed = await _feed(tx, name)
            feed_id = int(feed["id"])
            if what == "follow":
                await feeds.follow_feed(tx, viewer, feed_id, flag(form, "follow"))
            elif what == "edit":
                changes = {**_texts(form), "deleted": flag(form, "deleted")}
                feed = await feeds.edit_feed(tx, viewer, feed_id, changes)
                if feed["deleted"]:
                    return go("/multi_communities")
            elif what == "add":
                found = await queries.community_by_name(tx, text(form, "community").strip())
                if found is None:
                    raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)
                await feeds.add_community(tx, viewer, feed_id, int(found["id"]))
            else:
                community_id = int(text(form, "community_id") or 0)
                await feeds.remove_community(tx, viewer, feed_id, community_id)
    except ApiError as exc:
        async with moot.db.connection() as conn:
            page = await load_page(conn, request)
            feed = await _feed(conn, name)
            return await _feed_page(
                conn, page, feed, None, None, None, status=exc.status, error=words(exc)
            )
    return back(request, _address(feed))


@post("/m/{name:str}/follow", media_type=MediaType.HTML, include_in_schema=False)
async def follow(request: AnyRequest, name: str) -> Template | Redirect:
    return await _change(request, name, "follow")


@post("/m/{name:str}/edit", media_type=MediaType.HTML, include_in_schema=False)
async def edit(request: AnyRequest, name: str) -> Template | Redirect:
    return await _change(request, name, "edit")


@post("/m/{name:str}/add", media_type=MediaType.HTML, include_in_schema=False)
async def add(request: AnyRequest, name: str) -> Template | Redirect:
    return await _change(request, name, "add")


@post("/m/{name:str}/remove", media_type=MediaType.HTML, include_in_schema=False)
async def remove(request: AnyRequest, name: str) -> Template | Redirect:
    return await _change(request, name, "remove")


handlers = [feeds_page, create_feed, feed_page, follow, edit, add, remove]
