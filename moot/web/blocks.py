"""Blocks: the page `/settings/blocks` lists the people, communities and instances a member
blocks, each with its Unblock button, and the member's keyword filters; and the forms that
block or unblock one (also sent from a profile, a community's page or a post's menu).

The forms call what the API routes call: `accounts.block_person` (POST /user/block),
`communities.block` (POST /community/block), `instance_blocks.block_instance_communities`
(POST /site/block; v4's /account/block/instance/communities),
`instance_blocks.block_instance_persons` (v4's /account/block/instance/persons) and
`keyword_blocks` (what SaveUserSettings.blocking_keywords sets). After one, back to the
page the button was on. An instance can also be named by its domain (the page's own
"Block a server" fields).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from litestar import MediaType, get, post
from litestar.response import Redirect, Template

from moot.actions import accounts, communities, instance_blocks, keyword_blocks
from moot.auth import Viewer
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.web.errors import words
from moot.web.pages import (
    AnyRequest,
    back,
    flag,
    load_page,
    optional_int,
    render,
    state,
    text,
)

HERE = "/settings/blocks"


async def _blocked(
    conn: Connection, table: sa.Table, target: sa.Table, key: str, me: int
) -> list[Row]:
    """The rows of `target` the person blocks in `table`, in the order they were blocked."""
    return await conn.fetch_all(
        sa.select(target)
        .join(table, table.c[key] == target.c.id)
        .where(table.c.person_id == me)
        .order_by(table.c.published, table.c.id)
    )


async def _page(request: AnyRequest, *, status: int = 200, error: str | None = None) -> Template:
    async with state(request).db.connection() as conn:
        page = await load_page(conn, request)
        if page.viewer is None:
            raise ApiError(ErrorCode.NOT_LOGGED_IN)
        me = page.viewer.person_id
        people = await _blocked(conn, m.person_block, m.person, "target_id", me)
        groups = await _blocked(conn, m.community_block, m.community, "community_id", me)
        servers = await instance_blocks.instance_communities_blocks(conn, me)
        people_servers = await instance_blocks.instance_persons_blocks(conn, me)
        keywords = await keyword_blocks.keyword_blocks(conn, page.viewer.local_user_id)
    return render(
        "blocks.html",
        page,
        status=status,
        title="Blocks",
        error=error,
        blocked_people=people,
        blocked_communities=groups,
        blocked_instances=servers,
        blocked_instance_persons=people_servers,
        keywords=keywords,
        keyword_limits=(keyword_blocks.MIN_LENGTH, keyword_blocks.MAX_LENGTH),
    )


@get(HERE, media_type=MediaType.HTML, include_in_schema=False)
async def blocks_page(request: AnyRequest) -> Template:
    return await _page(request)


Block = Callable[[Connection, Viewer, int, bool], Awaitable[object]]


async def _block(request: AnyRequest, key: str, action: Block, anchor: str) -> Template | Redirect:
    """Block or unblock the `key` of the form with `action`; back to the form's page (to the
    list's anchor after an unblock from this page)."""
    form = await request.form()
    block = flag(form, "block")
    try:
        target = optional_int(form, key)
        domain = text(form, "domain").strip().lower()
        async with state(request).db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            if target is None and domain and key == "instance_id":
                target = await tx.scalar(
                    sa.select(m.instance.c.id).where(m.instance.c.domain == domain)
                )
                if target is None:
                    # What the action answers for an unknown instance id.
                    raise ApiError(ErrorCode.INSTANCE_BLOCK_ALREADY_EXISTS)
            if target is None:
                raise ApiError(ErrorCode.INVALID_BODY_FIELD, f"no {key} chosen")
            await action(tx, viewer, target, block)
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        return await _page(request, status=exc.status, error=words(exc))
    return back(request, HERE, "" if block else anchor)


@post("/settings/block_person", media_type=MediaType.HTML, include_in_schema=False)
async def block_person(request: AnyRequest) -> Template | Redirect:
    return await _block(request, "person_id", accounts.block_person, "blocked-people")


@post("/settings/block_community", media_type=MediaType.HTML, include_in_schema=False)
async def block_community(request: AnyRequest) -> Template | Redirect:
    return await _block(request, "community_id", communities.block, "blocked-communities")


@post("/settings/block_instance", media_type=MediaType.HTML, include_in_schema=False)
async def block_instance(request: AnyRequest) -> Template | Redirect:
    """Block or unblock an instance's communities."""
    action = instance_blocks.block_instance_communities
    return await _block(request, "instance_id", action, "blocked-instances")


@post("/settings/block_instance_persons", media_type=MediaType.HTML, include_in_schema=False)
async def block_instance_persons(request: AnyRequest) -> Template | Redirect:
    """Block or unblock an instance's persons."""
    action = instance_blocks.block_instance_persons
    return await _block(request, "instance_id", action, "blocked-instance-persons")


@post("/settings/keywords", media_type=MediaType.HTML, include_in_schema=False)
async def edit_keywords(request: AnyRequest) -> Template | Redirect:
    """Add the form's `add` keyword, or remove its `remove` keyword."""
    form = await request.form()
    add, remove = text(form, "add"), text(form, "remove")
    try:
        if not add and not remove:
            raise ApiError(ErrorCode.BLOCK_KEYWORD_TOO_SHORT)
        async with state(request).db.transaction() as tx:
            viewer = await required_viewer(tx, request)
            await keyword_blocks.edit_keyword_blocks(
                tx, viewer, add=[add] if add else [], remove=[remove] if remove else []
            )
    except ApiError as exc:
        if exc.code in (ErrorCode.INCORRECT_LOGIN, ErrorCode.NOT_LOGGED_IN):
            raise
        return await _page(request, status=exc.status, error=words(exc))
    return back(request, HERE, "keyword-filters")


handlers = [
    blocks_page,
    block_person,
    block_community,
    block_instance,
    block_instance_persons,
    edit_keywords,
]
