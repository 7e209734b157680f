"""What community moderators do to content and to their team: remove and restore posts and
comments, lock and feature posts, distinguish comments, appoint and dismiss moderators,
transfer the community.

Every function takes the acting person and checks their right to act itself (see
`authority`), records the action in the modlog, and moves counters through `counters` by
way of posts/comments `set_removed`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import sqlalchemy as sa

from moot.actions import comments, posts, reports
from moot.actions.actor import Actor, is_remote
from moot.actions.authority import (
    check_outranks,
    require_admin,
    require_mod_action,
    require_valid_person,
    top_moderator,
)
from moot.actions.communities import is_moderator
from moot.actions.lookups import get_comment, get_community, get_person, get_post
from moot.actions.modlog import Kind, clean_reason, record
from moot.db import models as m
from moot.db.engine import Connection, Row
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.federation import publish as comment_publish
from moot.federation import publish_moderation as publish

FeatureType = Literal["Local", "Community"]


async def apply_post_removal(
    conn: Connection, mod_person_id: int, post: Row, removed: bool, reason: str | None
) -> None:
    """Remove or restore one post, already authorised: counters, open reports, modlog."""
    await posts.set_removed(conn, post, removed)
    if removed:
        await reports.resolve_all_for_post(conn, int(post["id"]), mod_person_id)
    await record(
        conn,
        Kind.MOD_REMOVE_POST,
        mod_person_id,
        flag=removed,
        other_person_id=int(post["creator_id"]),
        community_id=int(post["community_id"]),
        post_id=int(post["id"]),
        reason=reason,
    )


async def apply_comment_removal(
    conn: Connection,
    mod_person_id: int,
    comment: Row,
    post: Row,
    removed: bool,
    reason: str | None,
) -> None:
    """Remove or restore one comment, already authorised: counters, open reports, modlog."""
    await comments.set_removed(conn, comment, removed)
    if removed:
        await reports.resolve_all_for_comment(conn, int(comment["id"]), mod_person_id)
    await record(
        conn,
        Kind.MOD_REMOVE_COMMENT,
        mod_person_id,
        flag=removed,
        other_person_id=int(comment["creator_id"]),
        community_id=int(post["community_id"]),
        post_id=int(post["id"]),
        comment_id=int(comment["id"]),
        reason=reason,
    )


async def remove_post(
    conn: Connection, actor: Actor, post_id: int, removed: bool, reason: str | None
) -> Row:
    post = await get_post(conn, post_id)
    community = await get_community(conn, int(post["community_id"]))
    await require_mod_action(conn, actor, community)
    await check_outranks(conn, actor, community, [int(post["creator_id"])])
    reason = await clean_reason(conn, reason)
    await apply_post_removal(conn, actor.person_id, post, removed, reason)
    await publish.post_removed(conn, actor, post, removed, reason)
    return await get_post(conn, post_id)


async def remove_comment(
    conn: Connection, actor: Actor, comment_id: int, removed: bool, reason: str | None
) -> Row:
    comment = await get_comment(conn, comment_id)
    post = await get_post(conn, int(comment["post_id"]))
    community = await get_community(conn, int(post["community_id"]))
    await require_mod_action(conn, actor, community)
    await check_outranks(conn, actor, community, [int(comment["creator_id"])])
    # A comment its author deleted stays deleted: restoring it would put its text in the
    # modlog's view for everyone (Lemmy refuses the same way).
    if comment["deleted"]:
        raise ApiError(ErrorCode.COULDNT_UPDATE_COMMENT)
    reason = await clean_reason(conn, reason)
    await apply_comment_removal(conn, actor.person_id, comment, post, removed, reason)
    await publish.comment_removed(conn, actor, comment, post, removed, reason)
    return await get_comment(conn, comment_id)


async def lock_post(conn: Connection, actor: Actor, post_id: int, locked: bool) -> Row:
    post = await get_post(conn, post_id)
    community = await get_community(conn, int(post["community_id"]))
    await require_mod_action(conn, actor, community)
    await conn.execute(sa.update(m.post).where(m.post.c.id == post_id).values(locked=locked))
    await record(
        conn,
        Kind.MOD_LOCK_POST,
        actor.person_id,
        flag=locked,
        other_person_id=int(post["creator_id"]),
        community_id=int(community["id"]),
        post_id=post_id,
    )
    await publish.locked(conn, actor, post, locked)
    return await get_post(conn, post_id)


async def feature_post(
    conn: Connection, actor: Actor, post_id: int, featured: bool, feature_type: FeatureType
) -> Row:
    """Pin a post to the top of its community (moderators) or of the front page (admins)."""
    post = await get_post(conn, post_id)
    community = await get_community(conn, int(post["community_id"]))
    in_community = feature_type == "Community"
    if in_community:
        await require_mod_action(conn, actor, community)
    else:
        require_admin(actor)
    column = "featured_community" if in_community else "featured_local"
    await conn.execute(sa.update(m.post).where(m.post.c.id == post_id).values({column: featured}))
    await record(
        conn,
        Kind.MOD_FEATURE_POST,
        actor.person_id,
        flag=featured,
        other_person_id=int(post["creator_id"]),
        community_id=int(community["id"]),
        post_id=post_id,
        is_featured_community=in_community,
    )
    if in_community:
        await publish.featured(conn, actor, post, featured)
    return await get_post(conn, post_id)


async def distinguish_comment(
    conn: Connection, actor: Actor, comment_id: int, distinguished: bool
) -> Row:
    """A moderator marks their own comment as speaking for the community. It federates as
    an Update of the Note carrying `distinguished` (as Lemmy 0.19 sends it); one received
    is applied through here by the ingest of that Note."""
    comment = await get_comment(conn, comment_id)
    if int(comment["creator_id"]) != actor.person_id:
        raise ApiError(ErrorCode.NO_COMMENT_EDIT_ALLOWED)
    post = await get_post(conn, int(comment["post_id"]))
    await require_mod_action(conn, actor, await get_community(conn, int(post["community_id"])))
    await conn.execute(
        sa.update(m.comment).where(m.comment.c.id == comment_id).values(distinguished=distinguished)
    )
    comment = await get_comment(conn, comment_id)
    await comment_publish.comment_saved(conn, actor, comment, "Update")
    return comment


async def set_moderator(
    conn: Connection, actor: Actor, community_id: int, person_id: int, added: bool
) -> None:
    """Appoint or dismiss a moderator; dismissing needs a higher rank than theirs."""
    community = await get_community(conn, community_id)
    await require_mod_action(conn, actor, community)
    # A remote community only takes its own moderators' word for it (a remote actor may
    # speak for its home as that community's admin).
    if (
        not is_remote(actor)
        and actor.is_admin
        and not community["local"]
        and not await is_moderator(conn, community_id, actor.person_id)
    ):
        raise ApiError(ErrorCode.NOT_A_MODERATOR)
    person = await get_person(conn, person_id)
    t = m.community_moderator
    if added:
        if not await insert_if_absent(
            conn,
            t,
            ("community_id", "person_id"),
            community_id=community_id,
            person_id=person_id,
            published=utcnow(),
        ):
            raise ApiError(ErrorCode.COMMUNITY_MODERATOR_ALREADY_EXISTS)
    else:
        await check_outranks(conn, actor, community, [person_id])
        await conn.execute(
            sa.delete(t).where(t.c.community_id == community_id, t.c.person_id == person_id)
        )
    await record(
        conn,
        Kind.MOD_ADD_COMMUNITY,
        actor.person_id,
        flag=not added,
        other_person_id=person_id,
        community_id=community_id,
    )
    await publish.moderator_changed(conn, actor, community, person, added)


async def transfer_community(
    conn: Connection, actor: Actor, community_id: int, person_id: int
) -> None:
    """Make `person_id` the top moderator; the others keep their order below. The community
    row is locked first, so two transfers re-appoint the team one after the other."""
    community = await get_community(conn, community_id, lock=True)
    await require_valid_person(conn, actor.person_id)
    if not actor.is_admin and await top_moderator(conn, community_id) != actor.person_id:
        raise ApiError(ErrorCode.NOT_AN_ADMIN)
    await get_person(conn, person_id)
    t = m.community_moderator
    order = [
        int(r["person_id"])
        for r in await conn.fetch_all(
            sa.select(t.c.person_id)
            .where(t.c.community_id == community_id)
            .order_by(t.c.published, t.c.id)
        )
    ]
    order = [person_id, *(p for p in order if p != person_id)]
    # Rank is appointment order, so the team is appointed again in the new order.
    await conn.execute(sa.delete(t).where(t.c.community_id == community["id"]))
    start = utcnow()
    for i, pid in enumerate(order):
        await conn.execute(
            sa.insert(t).values(
                community_id=community_id,
                person_id=pid,
                published=start + timedelta(microseconds=i),
            )
        )
    await record(
        conn,
        Kind.MOD_TRANSFER_COMMUNITY,
        actor.person_id,
        other_person_id=person_id,
        community_id=community_id,
    )
