"""Received moderation: removals, locks (of posts, and Lemmy 1.0's of comments),
moderators and featured posts, bans, reports.

Each resolves what the activity names, then calls the same action the API calls, with the
sender as a RemoteActor; the action's own permission checks decide. A remote person counts
as the admin of a community of their own instance (Lemmy's rule: instance admins are not
federated, so a moderator action from the community's home is taken as theirs).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from moot.actions import admin, bans, comment_locks, mod_warnings, moderation, reports
from moot.actions.actor import RemoteActor
from moot.actions.communities import is_moderator
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.errors import ApiError, ErrorCode
from moot.federation import checks, resolve, urls
from moot.federation.fetch import FetchError
from moot.federation.inbox import ingest
from moot.federation.inbox.ingest import Apply
from moot.federation.protocol import activities as a
from moot.federation.protocol.common import as_list
from moot.federation.protocol.parse import ParseError
from moot.federation.resolve import Context


async def _done(work: Awaitable[object]) -> None:
    await work


async def _row(ctx: Context, table: sa.Table, **where: Any) -> Row | None:
    async with ctx.fed.db.connection() as conn:
        return await conn.fetch_one(
            sa.select(table).where(*(table.c[k] == v for k, v in where.items()))
        )


async def _community(ctx: Context, community_id: int) -> Row:
    found = await _row(ctx, m.community, id=community_id)
    assert found is not None
    return found


def _in_scope(community: Row, announced_by: Row | None, *audiences: object) -> None:
    """Announced by the community it happened in, and `audience` (where given) naming it."""
    if announced_by is not None and announced_by["id"] != community["id"]:
        raise ParseError("announced by another community than the one it happened in")
    for audience in audiences:
        if audience and audience != community["actor_id"]:
            raise ParseError("audience names another community than the one it happened in")


async def _moderator(ctx: Context, url: str, doc: dict[str, Any], community: Row) -> RemoteActor:
    own_admin = not community["local"] and urls.same_domain(url, str(community["actor_id"]))
    return await ingest.remote_actor(ctx, url, doc, is_admin=own_admin)


async def removal(
    ctx: Context,
    delete: a.Delete,
    doc: dict[str, Any],
    announced_by: Row | None,
    *,
    restore: bool = False,
) -> Apply | None:
    """A Delete with `summary` (or the Undo of one): a moderator removes or restores."""
    url = checks.object_url(delete)
    removed = not restore
    comment = await _row(ctx, m.comment, ap_id=url)
    post = await _row(ctx, m.post, **({"id": comment["post_id"]} if comment else {"ap_id": url}))
    if post is not None:
        community = await _community(ctx, int(post["community_id"]))
        _in_scope(community, announced_by, delete.audience, doc.get("audience"))
        actor = await _moderator(ctx, delete.actor, doc, community)
        reason = delete.summary
        if comment is not None:
            comment_id = int(comment["id"])
            return lambda tx: _done(
                moderation.remove_comment(tx, actor, comment_id, removed, reason)
            )
        post_id = int(post["id"])
        return lambda tx: _done(moderation.remove_post(tx, actor, post_id, removed, reason))
    group = await _row(ctx, m.community, actor_id=url)
    if group is not None:
        return await _community_removal(ctx, delete, doc, group, announced_by, restore)
    if await _row(ctx, m.person, actor_id=url) is not None:
        raise ParseError("a person cannot be removed by a moderator's Delete")
    if await _row(ctx, m.private_message, ap_id=url) is not None:
        raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "private messages are not moderated so")
    return None  # never seen here: nothing to remove


async def _community_removal(
    ctx: Context,
    delete: a.Delete,
    doc: dict[str, Any],
    community: Row,
    announced_by: Row | None,
    restore: bool,
) -> Apply:
    if community["local"]:
        # Only this instance's admins remove or restore its communities.
        code = (
            ErrorCode.ONLY_LOCAL_ADMIN_CAN_RESTORE_COMMUNITY
            if restore
            else ErrorCode.ONLY_LOCAL_ADMIN_CAN_REMOVE_COMMUNITY
        )
        raise ApiError(code)
    _in_scope(community, announced_by)
    actor = await _moderator(ctx, delete.actor, doc, community)
    community_id = int(community["id"])
    return lambda tx: _done(
        admin.remove_community(tx, actor, community_id, not restore, delete.summary)
    )


async def lock(
    ctx: Context, act: a.Lock, doc: dict[str, Any], announced_by: Row | None, locked: bool = True
) -> Apply:
    """A Lock of a post (Page), or Lemmy 1.0's of a comment (Note), or the Undo of one: the
    reason is the Lock's `summary`, or the Undo's (`doc`, the outer activity)."""
    kind, row = await ingest.object_by_url(ctx, act.object)
    post = row if kind == "post" else await _row(ctx, m.post, id=row["post_id"])
    assert post is not None  # a comment's post goes only with it
    community = await _community(ctx, int(post["community_id"]))
    _in_scope(community, announced_by, act.audience, doc.get("audience"))
    actor = await _moderator(ctx, act.actor, doc, community)
    if kind == "comment":
        comment_id = int(row["id"])
        summary = act.summary if locked else doc.get("summary")
        reason = summary if isinstance(summary, str) else None
        return lambda tx: _done(comment_locks.lock_comment(tx, actor, comment_id, locked, reason))
    post_id = int(post["id"])
    return lambda tx: _done(moderation.lock_post(tx, actor, post_id, locked))


async def warn(ctx: Context, act: a.Warn, doc: dict[str, Any], announced_by: Row | None) -> Apply:
    """Lemmy 1.0's warning of a post's or comment's author, by a moderator of its
    community: recorded and told to the author as a local moderator's warning is."""
    kind, row = await ingest.object_by_url(ctx, act.object)
    post = row if kind == "post" else await _row(ctx, m.post, id=row["post_id"])
    assert post is not None  # a comment's post goes only with it
    community = await _community(ctx, int(post["community_id"]))
    _in_scope(community, announced_by, act.audience)
    actor = await _moderator(ctx, act.actor, doc, community)
    target_id, reason = int(row["id"]), str(act.summary)  # checked: a reason is there
    if kind == "comment":
        return lambda tx: _done(mod_warnings.warn_comment(tx, actor, target_id, reason))
    return lambda tx: _done(mod_warnings.warn_post(tx, actor, target_id, reason))


async def _collection_owner(ctx: Context, target: str) -> tuple[Row, str]:
    """The community whose moderators or featured collection `target` is."""
    for name in ("moderators", "featured"):
        stored = await _row(ctx, m.community, **{f"{name}_url": target})
        if stored is not None:
            return stored, name
        if target.endswith(f"/{name}"):
            return await resolve.community(ctx, target.removesuffix(f"/{name}")), name
    raise ParseError(f"{target} is neither a moderators nor a featured collection")


async def collection(
    ctx: Context, act: a.Add | a.Remove, doc: dict[str, Any], announced_by: Row | None
) -> Apply | None:
    """Add or Remove of a moderator, or of a featured post."""
    added = isinstance(act, a.Add)
    community, which = await _collection_owner(ctx, act.target)
    _in_scope(community, announced_by, act.audience)
    actor = await _moderator(ctx, act.actor, doc, community)
    community_id = int(community["id"])
    if which == "moderators":
        person_id = int((await resolve.person(ctx, act.object))["id"])
        async with ctx.fed.db.connection() as conn:
            if await is_moderator(conn, community_id, person_id) == added:
                return None  # already so (a refetch of the community may have brought it)
        return lambda tx: moderation.set_moderator(tx, actor, community_id, person_id, added)
    kind, post = await ingest.object_by_url(ctx, act.object)
    if kind != "post" or int(post["community_id"]) != community_id:
        raise ParseError("only a post of the community can be featured in it")
    post_id = int(post["id"])
    return lambda tx: _done(moderation.feature_post(tx, actor, post_id, added, "Community"))


def _unix(value: str | None) -> int | None:
    """A ban's end as unix seconds (parse_time would clip a future time to now)."""
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError as exc:
        raise ParseError(f"the ban's end is not a time: {value[:40]!r}") from exc


async def block(
    ctx: Context,
    act: a.Block,
    doc: dict[str, Any],
    announced_by: Row | None,
    ban: bool = True,
) -> Apply:
    """A ban from a community, or from the site of the banned person's own instance; the
    Undo of one lifts it (restoring what it removed when it says `restoreData`)."""
    kind, target = await resolve.actor(ctx, act.target)
    if kind == "site":
        return await _site_ban(ctx, act, doc, target, ban)
    if kind != "community":
        raise ParseError(f"a Block's target must be a community or a site, not a {kind}")
    _in_scope(target, announced_by, act.audience, doc.get("audience"))
    actor = await _moderator(ctx, act.actor, doc, target)
    person_id = int((await resolve.person(ctx, act.object))["id"])
    community_id = int(target["id"])
    remove_data = bool(act.remove_data if ban else doc.get("restoreData"))
    expires = _unix(act.expires or act.end_time) if ban else None

    async def apply(tx: Connection) -> None:
        await bans.ban_from_community(
            tx,
            actor,
            community_id,
            person_id,
            ban,
            remove_data=remove_data,
            reason=act.summary,
            expires=expires,
        )

    return apply


async def _site_ban(ctx: Context, act: a.Block, doc: dict[str, Any], site: Row, ban: bool) -> Apply:
    if ctx.is_local(act.object) or ctx.is_local(str(site["actor_id"])):
        raise ParseError("a remote site ban cannot affect this instance's own users")
    home = str(site["actor_id"])
    if not (urls.same_domain(home, act.actor) and urls.same_domain(home, act.object)):
        raise ParseError("a site ban must come from the banned person's own instance")
    actor = await ingest.remote_actor(ctx, act.actor, doc, is_admin=True)
    person_id = int((await resolve.person(ctx, act.object))["id"])
    remove_data = bool(act.remove_data if ban else doc.get("restoreData"))
    expires = _unix(act.expires or act.end_time) if ban else None

    async def apply(tx: Connection) -> None:
        await bans.ban_from_site(
            tx, actor, person_id, ban, remove_data=remove_data, reason=act.summary, expires=expires
        )

    return apply


async def flag(ctx: Context, act: a.Flag, doc: dict[str, Any], announced_by: Row | None) -> Apply:
    """A report, kept for the community's moderators here (and this instance's admins)."""
    if announced_by is not None:
        raise ParseError("reports are never announced")
    kind, reported = await _first_reported(ctx, as_list(act.object))
    post = reported if kind == "post" else await _row(ctx, m.post, id=int(reported["post_id"]))
    assert post is not None
    community = await _community(ctx, int(post["community_id"]))
    if as_list(act.to) != [community["actor_id"]]:
        raise ParseError("a Flag must go to the community of what it reports")
    _in_scope(community, None, act.audience)
    actor = await ingest.remote_actor(ctx, act.actor, doc)
    reason = act.summary or act.content or ""
    item_id = int(reported["id"])
    if kind == "post":
        return lambda tx: _done(reports.report_post(tx, actor, item_id, reason))
    return lambda tx: _done(reports.report_comment(tx, actor, item_id, reason))


async def _first_reported(ctx: Context, candidates: list[str]) -> tuple[str, Row]:
    """Mbin sends [post, author]: the first post or comment counts."""
    for url in candidates:
        try:
            return await ingest.object_by_url(ctx, url)
        except (ApiError, ParseError, FetchError):
            continue
    raise ApiError(ErrorCode.COULDNT_FIND_OBJECT, "the Flag names no known post or comment")
