"""Received posts and comments, through the same actions as local ones.

Each `prepare_*` first resolves what the object refers to (fetching it when unknown, each
fetch stored in its own transaction), then returns the action to apply in the activity's
one transaction. Whether the object is new is decided there, by its unique `ap_id`: a
fetch of the same object may be storing it at the same moment (a search, a reply's parent).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from moot.actions import comments, community_tags, moderation, posts
from moot.actions.actor import Received, RemoteActor
from moot.db import models as m
from moot.db.engine import Connection, Row, retrying
from moot.db.types import utcnow
from moot.errors import ApiError, ErrorCode
from moot.federation import resolve, urls
from moot.federation.objects.comment import comment_fields
from moot.federation.objects.common import parse_time
from moot.federation.objects.post import post_fields
from moot.federation.protocol.common import PUBLIC, as_list
from moot.federation.protocol.objects import Note, Page
from moot.federation.protocol.parse import ParseError, parse_object
from moot.federation.resolve import Context

Apply = Callable[[Connection], Awaitable[None]]
log = logging.getLogger("moot.federation")


def creator_url(attributed_to: str | list[Any]) -> str:
    """attributedTo is a URL, or (PeerTube) a list of {type, id} of which a Person counts."""
    if isinstance(attributed_to, str):
        return attributed_to
    for item in attributed_to:
        if isinstance(item, str):
            return item
        found = item.get("id") if isinstance(item, dict) else None
        if isinstance(found, str) and item.get("type") == "Person":
            return found
    raise ParseError("attributedTo names no person")


async def remote_actor(ctx: Context, url: str, doc: dict[str, Any], **kw: Any) -> RemoteActor:
    """The person who sent `doc`; `kw` as RemoteActor takes them (is_admin)."""
    if ctx.is_local(url):
        raise ParseError("an activity of a local actor came back")
    return RemoteActor(await resolve.person(ctx, url), activity=doc, **kw)


async def _by_ap_id(ctx: Context, table: sa.Table, url: str) -> Row | None:
    async with ctx.fed.db.connection() as conn:
        return await conn.fetch_one(sa.select(table).where(table.c.ap_id == url))


async def _community_of(ctx: Context, obj: Page | Note) -> Row:
    """From `audience`; else the first of `to` and `cc` that is a community."""
    if obj.audience:
        return await resolve.community(ctx, obj.audience)
    for url in [*as_list(obj.to), *as_list(obj.cc)]:
        if url == PUBLIC or url.endswith("/followers"):
            continue
        try:
            kind, row = await resolve.actor(ctx, url, refresh=False)
        except Exception:  # an unreachable or odd URL is simply not the community
            continue
        if kind == "community":
            return row
    raise ApiError(ErrorCode.INVALID_COMMUNITY, f"{obj.id} names no community")


def _check_announcer(community: Row, announced_by: Row | None) -> None:
    if announced_by is not None and community["id"] != announced_by["id"]:
        raise ParseError("announced by a community it was not posted in")


def _received(obj: Page | Note) -> Received:
    return Received(obj.id, parse_time(obj.published) or utcnow(), parse_time(obj.updated))


async def _stored_id(tx: Connection, table: sa.Table, url: str) -> int | None:
    found = await tx.scalar(sa.select(table.c.id).where(table.c.ap_id == url))
    return None if found is None else int(found)


async def prepare_post(
    ctx: Context,
    page: Page | Note,
    actor: RemoteActor,
    announced_by: Row | None,
    *,
    update: bool = False,
) -> Apply:
    """`update`: an Update activity, an edit of the post if it is here. Otherwise (a Create,
    a fetch) the post is stored once, whoever brings it first (`posts.create_post`)."""
    community = await _community_of(ctx, page)
    _check_announcer(community, announced_by)
    if page.audience and page.audience != community["actor_id"]:
        raise ParseError("audience names another community")
    fields = post_fields(page, str(community["name"]))
    received = _received(page)
    by_author = creator_url(page.attributed_to) == str(actor.person["actor_id"])
    settings = ctx.fed.settings

    async def apply(tx: Connection) -> None:
        # Looked up here, not while preparing: a fetch may have stored it since.
        existing = await _stored_id(tx, m.post, page.id) if update else None
        changes = {
            **fields,
            "community_id": int(community["id"]),
            "tags": await community_tags.ids_by_url(tx, int(community["id"]), fields["tag_urls"]),
        }
        if not by_author:
            # Lemmy 1.0's moderator edit (ModEditPost): the NSFW flag and tags only, by a
            # moderator of the community (`mod_edit_post` checks), of a post stored here.
            if existing is None:
                raise ParseError("an Update by another than the author of an unknown post")
            await community_tags.mod_edit_post(
                tx, actor, existing, nsfw=changes["nsfw"], tags=changes["tags"]
            )
        elif existing is not None:
            await posts.edit_post(tx, settings, actor, existing, changes, received)
        else:
            await posts.create_post(tx, settings, actor, changes, received)

    return apply


async def prepare_comment(
    ctx: Context,
    note: Note,
    actor: RemoteActor,
    announced_by: Row | None,
    *,
    update: bool = False,
) -> Apply:
    """As `prepare_post`; the post or comment it replies to is fetched first if unknown."""
    assert note.in_reply_to is not None
    kind, parent = await object_by_url(ctx, note.in_reply_to)
    if kind == "post":
        post, parent_id = parent, None
    else:
        post = await _row(ctx, m.post, int(parent["post_id"]))
        parent_id = int(parent["id"])
    community = await _row(ctx, m.community, int(post["community_id"]))
    _check_announcer(community, announced_by)
    if note.audience and note.audience != community["actor_id"]:
        raise ParseError("audience names another community than the post's")
    fields = comment_fields(note)
    received = _received(note)
    settings = ctx.fed.settings

    async def apply(tx: Connection) -> None:
        existing = await _stored_id(tx, m.comment, note.id) if update else None
        if existing is not None:
            comment = await comments.edit_comment(
                tx, settings, actor, existing, fields.content, fields.language_id, received
            )
        else:
            created = await comments.create_comment(
                tx,
                settings,
                actor,
                int(post["id"]),
                fields.content,
                parent_id,
                fields.language_id,
                received,
            )
            comment = created.comment
        if note.distinguished is not None and note.distinguished != comment["distinguished"]:
            await _distinguish(tx, actor, comment, note.distinguished)

    return apply


async def _distinguish(tx: Connection, actor: RemoteActor, comment: Row, on: bool) -> None:
    """A moderator's distinguish arrives as the Note's `distinguished`; the edit it came
    with is kept even when the sender may not distinguish (not a moderator here)."""
    try:
        # Without the activity: the edit already passed it on to the community's followers.
        await moderation.distinguish_comment(
            tx, replace(actor, activity=None), int(comment["id"]), on
        )
    except ApiError as exc:
        log.info("distinguish of %s refused: %s", comment["ap_id"], exc)


async def _row(ctx: Context, table: sa.Table, row_id: int) -> Row:
    async with ctx.fed.db.connection() as conn:
        row = await conn.fetch_one(sa.select(table).where(table.c.id == row_id))
    assert row is not None
    return row


async def prepare_object(
    ctx: Context,
    obj: Page | Note,
    actor: RemoteActor,
    announced_by: Row | None,
    *,
    update: bool = False,
) -> Apply:
    """A Page, or a Note: a comment when it replies, else (Mastodon) a post."""
    if urls.domain(obj.id) == ctx.fed.local_domain:
        raise ParseError("an object of this instance came back")
    if isinstance(obj, Note) and obj.in_reply_to:
        return await prepare_comment(ctx, obj, actor, announced_by, update=update)
    return await prepare_post(ctx, obj, actor, announced_by, update=update)


async def object_by_url(ctx: Context, url: str) -> tuple[str, Row]:
    """("post" | "comment", row) for a post or comment URL, fetched and stored if unknown."""
    for kind, table in (("post", m.post), ("comment", m.comment)):
        row = await _by_ap_id(ctx, table, url)
        if row is not None:
            return kind, row
    if ctx.is_local(url):
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, f"no local post or comment {url}")
    shape = parse_object(await ctx.fed.fetcher.get(url, ctx.budget))
    if not isinstance(shape, Page | Note):
        raise ParseError(f"{url} is not a post or comment")
    # A redirect (an instance's own URL of a copy it holds) leads to the object's real id;
    # the fetcher made sure the document is at that id.
    real = shape.id
    if real != url:
        for kind, table in (("post", m.post), ("comment", m.comment)):
            row = await _by_ap_id(ctx, table, real)
            if row is not None:
                return kind, row
    creator = await resolve.person(ctx, creator_url(shape.attributed_to))
    apply = await prepare_object(ctx, shape, RemoteActor(creator), None)
    # The activity that creates it may be stored meanwhile: then this lands on its row.
    await retrying(ctx.fed.db, apply, what=f"storing {real}")
    for kind, table in (("post", m.post), ("comment", m.comment)):
        row = await _by_ap_id(ctx, table, real)
        if row is not None:
            return kind, row
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, real)
