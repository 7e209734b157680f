"""One handler per activity type: resolve what it names, then call the action (reference §4).

`prepare` returns the change to apply in the activity's transaction, or None when the
activity is understood and asks for nothing (an Announce of our own activity, a repeated
delete). Refusals raise with their reason, which the worker records.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa

from moot.actions import (
    accounts,
    comments,
    communities,
    person_followers,
    posts,
    private_messages,
    votes,
)
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import checks, resolve, urls
from moot.federation.inbox import ingest, moderation, store
from moot.federation.inbox.ingest import Apply
from moot.federation.inbox.private_messages import prepare_message
from moot.federation.objects.community import group_fields, store_group
from moot.federation.objects.person import store_person
from moot.federation.protocol import activities as a
from moot.federation.protocol.actors import Group, Person
from moot.federation.protocol.objects import ChatMessage, Note, Page
from moot.federation.protocol.parse import ParseError, parse_activity, parse_object
from moot.federation.resolve import Context

Handler = Callable[[Context, Any, dict[str, Any], Row | None], Awaitable[Apply | None]]


class Unsupported(ParseError):
    pass


_remote = ingest.remote_actor
log = logging.getLogger("moot.federation")


async def _followed(ctx: Context, url: str) -> tuple[str, Row]:
    """What a Follow names: a community or (Mastodon following a user) a person of ours."""
    if not ctx.is_local(url):
        raise Unsupported(f"{url} is not an actor of this instance")
    kind, row = await resolve.actor(ctx, url)
    if kind not in ("community", "person"):
        raise Unsupported(f"only communities and persons can be followed here, not {url}")
    return kind, row


async def _set_follow(ctx: Context, act: a.Follow, doc: dict[str, Any], follow: bool) -> Apply:
    kind, followed = await _followed(ctx, act.object)
    actor = await _remote(ctx, act.actor, doc)
    followed_id = int(followed["id"])
    if kind == "person":
        return lambda tx: person_followers.follow_person(tx, actor, followed_id, follow)
    return lambda tx: _discard(communities.follow(tx, actor, followed_id, follow))


async def follow(ctx: Context, act: a.Follow, doc: dict[str, Any], _: Row | None) -> Apply:
    return await _set_follow(ctx, act, doc, True)


async def accept(ctx: Context, act: a.Accept, doc: dict[str, Any], _: Row | None) -> Apply:
    inner = parse_activity(act.object) if isinstance(act.object, dict) else None
    assert isinstance(inner, a.Follow)
    community = await resolve.community(ctx, act.actor)
    async with ctx.fed.db.connection() as conn:
        person = await conn.fetch_one(
            sa.select(m.person).where(m.person.c.actor_id == inner.actor, m.person.c.local)
        )
    if person is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON, f"no local follower {inner.actor}")

    async def apply(tx: Connection) -> None:
        await communities.follow_accepted(tx, int(community["id"]), int(person["id"]))
        log.info("federation: %s accepted %s as a follower", act.actor, inner.actor)

    return apply


async def reject(ctx: Context, act: a.Reject, doc: dict[str, Any], _: Row | None) -> Apply:
    """A private community denied a local person's follow (Lemmy 1.0): the follow is gone."""
    inner = parse_activity(act.object) if isinstance(act.object, dict) else None
    assert isinstance(inner, a.Follow)
    community = await resolve.community(ctx, act.actor)
    async with ctx.fed.db.connection() as conn:
        person = await conn.fetch_one(
            sa.select(m.person).where(m.person.c.actor_id == inner.actor, m.person.c.local)
        )
    if person is None:
        raise ApiError(ErrorCode.COULDNT_FIND_PERSON, f"no local follower {inner.actor}")

    async def apply(tx: Connection) -> None:
        await communities.drop_follower(tx, int(community["id"]), int(person["id"]))
        log.info("federation: %s rejected %s as a follower", act.actor, inner.actor)

    return apply


async def create_or_update(
    ctx: Context, act: a.Create | a.Update, doc: dict[str, Any], announced_by: Row | None
) -> Apply | None:
    assert isinstance(act.object, dict)
    obj = parse_object(act.object)
    if isinstance(obj, Page | Note):
        actor = await _remote(ctx, act.actor, doc)
        update = isinstance(act, a.Update)
        return await ingest.prepare_object(ctx, obj, actor, announced_by, update=update)
    if isinstance(obj, ChatMessage):
        if announced_by is not None:
            raise ParseError("private messages are never announced")
        return await prepare_message(ctx, act, obj, doc)
    if isinstance(obj, Group):
        return await _update_group(ctx, act, obj, doc)
    if isinstance(obj, Person):
        return await _update_person(ctx, obj)
    raise Unsupported(f"{act.type} of a {obj.type} is not acted on yet")


async def _update_group(ctx: Context, act: a.Activity, group: Group, doc: dict[str, Any]) -> Apply:
    """The actor must moderate the community or be of its instance (counted as its admin)."""
    community = await resolve.community(ctx, group.id)
    own_admin = urls.same_domain(act.actor, group.id) and not community["local"]
    actor = await _remote(ctx, act.actor, doc, is_admin=own_admin)

    async def apply(tx: Connection) -> None:
        if not community["local"]:
            await store_group(tx, group)  # keys, inboxes: the actor's own fields
        await communities.edit_community(tx, actor, int(community["id"]), group_fields(group))

    return apply


async def _update_person(ctx: Context, person: Person) -> Apply:
    """Not sent by Lemmy 0.19, but Mastodon's profile edits are worth keeping."""
    if ctx.is_local(person.id):
        raise ParseError("an update of a local person came back")

    async def apply(tx: Connection) -> None:
        await store_person(tx, person)

    return apply


async def _target(ctx: Context, url: str) -> tuple[str, Row] | None:
    """What a Delete or vote names, if moot knows it (posts and comments are fetched)."""
    async with ctx.fed.db.connection() as conn:
        found = await resolve.find_actor(conn, url)
    if found is not None:
        return found
    try:
        return await ingest.object_by_url(ctx, url)
    except ApiError:
        return None


async def delete(
    ctx: Context, act: a.Delete, doc: dict[str, Any], announced_by: Row | None
) -> Apply | None:
    if act.summary is not None:  # a moderator's removal
        return await moderation.removal(ctx, act, doc, announced_by)
    url = checks.object_url(act)
    return await _set_deleted(ctx, act, doc, url, True)


async def _set_deleted(
    ctx: Context, act: a.Activity, doc: dict[str, Any], url: str, gone: bool
) -> Apply | None:
    if url == act.actor:
        return await _delete_person(ctx, act, doc)
    actor = await _remote(ctx, act.actor, doc)

    async def apply(tx: Connection) -> None:
        # Looked up in the transaction: a fetch may have stored the object since.
        post = await tx.scalar(sa.select(m.post.c.id).where(m.post.c.ap_id == url))
        comment = await tx.scalar(sa.select(m.comment.c.id).where(m.comment.c.ap_id == url))
        message = await tx.scalar(
            sa.select(m.private_message.c.id).where(m.private_message.c.ap_id == url)
        )
        if post is not None:
            await posts.delete_post(tx, actor, int(post), gone)
        elif comment is not None:
            await comments.delete_comment(tx, actor, int(comment), gone)
        elif message is not None:
            await private_messages.delete(tx, actor, int(message), gone)
        else:
            found = await resolve.find_actor(tx, url)
            if found is not None and found[0] == "community":
                await communities.delete(tx, actor, int(found[1]["id"]), gone)
            # Otherwise never seen here: nothing to delete.

    return apply


async def _discard(work: Awaitable[object]) -> None:
    await work


async def _delete_person(ctx: Context, act: a.Activity, doc: dict[str, Any]) -> Apply | None:
    async with ctx.fed.db.connection() as conn:
        person = await conn.fetch_one(
            sa.select(m.person).where(m.person.c.actor_id == act.actor, ~m.person.c.local)
        )
    if person is None:
        return None
    remove_data = bool(doc.get("removeData"))

    async def apply(tx: Connection) -> None:
        await accounts.delete_person(tx, person, remove_data)

    return apply


async def vote(
    ctx: Context, act: a.Like | a.Dislike, doc: dict[str, Any], _: Row | None
) -> Apply | None:
    return await _vote(ctx, act, doc, act.object, -1 if isinstance(act, a.Dislike) else 1)


async def _vote(
    ctx: Context, act: a.Activity, doc: dict[str, Any], url: str, score: int
) -> Apply | None:
    target = await _target(ctx, url)
    if target is None or target[0] not in ("post", "comment"):
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, f"no post or comment {url}")
    actor = await _remote(ctx, act.actor, doc)
    if actor.person["bot_account"]:
        raise ApiError(ErrorCode.INVALID_BOT_ACTION, "votes from bots are refused")
    kind, row = target
    item_id = int(row["id"])
    if kind == "post":

        async def on_post(tx: Connection) -> None:
            await votes.vote_post(tx, actor, item_id, score)

        return on_post
    return lambda tx: votes.vote_comment(tx, actor, item_id, score)


async def undo(
    ctx: Context, act: a.Undo, doc: dict[str, Any], announced_by: Row | None
) -> Apply | None:
    assert isinstance(act.object, dict)
    inner = parse_activity(act.object)
    if isinstance(inner, a.Follow):
        return await _set_follow(ctx, inner, doc, False)
    if isinstance(inner, a.Like | a.Dislike):
        # By actor and object, never by the inner id (Lemmy keeps no vote ids).
        return await _vote(ctx, act, doc, inner.object, 0)
    if isinstance(inner, a.Delete):
        if inner.summary is not None:  # a moderator's restore
            return await moderation.removal(ctx, inner, doc, announced_by, restore=True)
        return await _set_deleted(ctx, act, doc, checks.object_url(inner), False)
    if isinstance(inner, a.Lock):
        return await moderation.lock(ctx, inner, doc, announced_by, locked=False)
    if isinstance(inner, a.Block):
        return await moderation.block(ctx, inner, doc, announced_by, ban=False)
    raise Unsupported(f"Undo of a {inner.type} is not acted on")


async def announce(
    ctx: Context, act: a.Announce, doc: dict[str, Any], _: Row | None
) -> Apply | None:
    """FEP-1b12: a community passes on what was posted in it; trusted on its signature."""
    inner_doc = act.object
    if isinstance(inner_doc, str):
        inner_doc = await ctx.fed.fetcher.get(inner_doc, ctx.budget)
    if not isinstance(inner_doc.get("type"), str) or inner_doc["type"] not in a.ACTIVITY_TYPES:
        return None  # Lemmy's extra Announce{Page} for Mastodon: nothing new
    inner = parse_activity(inner_doc)
    checks.check_activity(inner, ctx.fed.rules, announced=True)
    policy = await ctx.fed.policy.get()
    policy.check(inner.id)
    policy.check(inner.actor)
    if ctx.is_local(inner.id):
        return None  # our own activity, back from a community that announced it
    community = await resolve.community(ctx, act.actor)
    if community["local"]:
        raise ParseError("a local community's Announce came back")
    if not await _has_local_followers(ctx, int(community["id"])):
        raise ApiError(ErrorCode.COMMUNITY_HAS_NO_FOLLOWERS)
    async with ctx.fed.db.connection() as conn:
        if await store.is_known(conn, inner.id):
            return None  # the inner activity came before, directly or in another Announce
    handler = HANDLERS.get(type(inner))
    if handler is None or isinstance(inner, a.Announce):
        raise Unsupported(f"an announced {inner.type} is not acted on")
    inner_apply = await handler(ctx, inner, inner_doc, community)

    async def apply(tx: Connection) -> None:
        # Lemmy dedupes the inner id too; recorded with the change, so a crash loses neither.
        if await store.insert(tx, inner.id, act.actor, inner_doc, state="done") and inner_apply:
            await inner_apply(tx)

    return apply


async def _has_local_followers(ctx: Context, community_id: int) -> bool:
    f, p = m.community_follower, m.person
    async with ctx.fed.db.connection() as conn:
        found = await conn.scalar(
            sa.select(f.c.id)
            .join(p, p.c.id == f.c.person_id)
            .where(f.c.community_id == community_id, p.c.local)
            .limit(1)
        )
    return found is not None


HANDLERS: dict[type[a.Activity], Handler] = {
    a.Follow: follow,
    a.Accept: accept,
    a.Reject: reject,
    a.Create: create_or_update,
    a.Update: create_or_update,
    a.Delete: delete,
    a.Like: vote,
    a.Dislike: vote,
    a.Undo: undo,
    a.Announce: announce,
    a.Lock: moderation.lock,
    a.Add: moderation.collection,
    a.Remove: moderation.collection,
    a.Block: moderation.block,
    a.Flag: moderation.flag,
    a.Warn: moderation.warn,
}


async def prepare(ctx: Context, doc: dict[str, Any]) -> Apply | None:
    activity = parse_activity(doc)
    handler = HANDLERS.get(type(activity))
    if handler is None:
        raise Unsupported(f"{activity.type} is not acted on")
    return await handler(ctx, activity, doc, None)
