"""Posts: create, edit, delete, save, mark read, hide."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from moot import auth, validation
from moot.actions import community_tags, counters, emoji, remote_images, subscriptions, votes
from moot.actions.actor import Actor, Received
from moot.actions.authority import require_valid_person
from moot.actions.communities import is_banned_from, is_moderator
from moot.actions.link_previews import LinkPreview
from moot.actions.lookups import get_community, get_post
from moot.actions.private_communities import approved_follower, may_take_part
from moot.actions.reading import mark_read
from moot.actions.site import load_site, local_instance_id
from moot.config import Settings
from moot.db import models as m
from moot.db import upsert
from moot.db.engine import Conflict, Connection, Row
from moot.db.private import PRIVATE
from moot.db.types import utcnow
from moot.db.upsert import insert_if_absent
from moot.errors import ApiError, ErrorCode
from moot.federation import publish
from moot.text.markdown import render_markdown_aside


async def check_can_post_in(conn: Connection, actor: Actor, community: Row) -> None:
    """The rules shared by posting, commenting and reporting in a community."""
    # Local viewers were checked at login; a remote person's ban arrives by activity.
    await require_valid_person(conn, actor.person_id)
    if community["deleted"] or community["removed"]:
        raise ApiError(ErrorCode.CANNOT_CREATE_POST_OR_COMMENT_IN_DELETED_OR_REMOVED_COMMUNITY)
    if await is_banned_from(conn, int(community["id"]), actor.person_id):
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    if community["visibility"] == PRIVATE:
        cid = int(community["id"])
        if not may_take_part(
            community,
            actor,
            approved_follower=await approved_follower(conn, cid, actor.person_id),
            moderator=await is_moderator(conn, cid, actor.person_id),
        ):
            raise ApiError(ErrorCode.COULDNT_FIND_COMMUNITY)


async def _allowed_link(conn: Connection, raw: str) -> str:
    """The link cleaned, or `blocked_url` if an entry of the site's blocklist names it."""
    url = validation.clean_url(raw)
    blocked = await conn.fetch_all(sa.select(m.url_blocklist.c.url))
    validation.check_url_not_blocked(url, [r["url"] for r in blocked])
    return url


async def _content_fields(
    conn: Connection,
    settings: Settings,
    changes: dict[str, Any],
    values: dict[str, Any],
    *,
    editing: bool,
) -> None:
    """Validate title, url, body, alt text, language; put what to store into `values`.

    `changes["link_preview"]` (a `LinkPreview`, made before the transaction) describes a
    new url. Remote pictures are proxied here in image mode ProxyAllImages
    (`remote_images`), so every way a post is written is rewritten alike."""
    _, local = await load_site(conn)
    slurs = validation.compile_slur_filter(local["slur_filter_regex"])
    if changes.get("name") is not None:
        title = validation.check_post_title(changes["name"])
        validation.check_slurs(title, slurs)
        values["name"] = title
    if changes.get("url") is not None:
        raw = changes["url"].strip()
        if raw == "" and editing:
            values["url"] = None
        elif raw:
            values["url"] = await _allowed_link(conn, raw)
    # A link without a preview (from another instance) keeps what the post had.
    if "url" in values and ("link_preview" in changes or values["url"] is None):
        await _link_preview(conn, settings, changes.get("link_preview"), values)
    if changes.get("body") is not None:
        body = validation.remove_slurs(changes["body"], slurs)
        validation.check_body(body, validation.POST_BODY_MAX_LENGTH)
        body = await remote_images.proxy_markdown(conn, settings, body)
        values["body"] = body or None
        values["body_html"] = (
            await render_markdown_aside(body, await emoji.for_rendering(conn)) if body else None
        )
    if changes.get("alt_text") is not None:
        validation.check_alt_text(changes["alt_text"])
        values["alt_text"] = changes["alt_text"] or None
    if changes.get("custom_thumbnail") is not None:
        thumb = changes["custom_thumbnail"].strip()
        previewed = "url_content_type" in values
        if thumb:
            thumb_url = validation.clean_url(thumb)
            # Lemmy keeps the picture itself as an image post's thumbnail.
            if not (values.get("url_content_type") or "").startswith("image"):
                values["thumbnail_url"] = await remote_images.proxy_link(conn, settings, thumb_url)
        elif editing and not previewed:
            values["thumbnail_url"] = None  # "" clears it; a new link's preview brings its own
    if changes.get("nsfw") is not None:
        values["nsfw"] = bool(changes["nsfw"]) and bool(local["enable_nsfw"])
    if changes.get("language_id") is not None:
        known = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(m.language)
            .where(m.language.c.id == changes["language_id"])
        )
        if not known:
            raise ApiError(ErrorCode.LANGUAGE_NOT_ALLOWED)
        values["language_id"] = changes["language_id"]


async def _link_preview(
    conn: Connection, settings: Settings, preview: LinkPreview | None, values: dict[str, Any]
) -> None:
    """What a new url brings along (Lemmy clears it all when the url is cleared). A
    link to a picture is itself proxied in ProxyAllImages, as its thumbnail is."""
    preview = preview if values["url"] is not None else None
    preview = preview or LinkPreview()
    thumbnail = preview.thumbnail_url
    values.update(
        embed_title=preview.title,
        embed_description=preview.description,
        embed_video_url=preview.embed_video_url,
        url_content_type=preview.content_type,
        thumbnail_url=await remote_images.proxy_link(conn, settings, thumbnail)
        if thumbnail
        else None,
    )
    if preview.is_image:
        values["url"] = await remote_images.proxy_link(conn, settings, values["url"])


async def create_post(
    conn: Connection,
    settings: Settings,
    viewer: Actor,
    changes: dict[str, Any],
    received: Received | None = None,
) -> Row:
    values: dict[str, Any] = {}
    # The link is checked first: a blocked one answers `blocked_url` whatever else is wrong
    # (an unknown community, a ban, a bad title), as clients of Lemmy expect.
    link = (changes.get("url") or "").strip()
    if link:
        values["url"] = await _allowed_link(conn, link)
    community = await get_community(conn, changes["community_id"])
    await check_can_post_in(conn, viewer, community)
    if changes.get("honeypot"):
        raise ApiError(ErrorCode.HONEYPOT_FAILED)
    if community["posting_restricted_to_mods"] and not (
        viewer.is_admin or await is_moderator(conn, int(community["id"]), viewer.person_id)
    ):
        raise ApiError(ErrorCode.ONLY_MODS_CAN_POST_IN_COMMUNITY)
    await _content_fields(conn, settings, {**changes, "url": None}, values, editing=False)
    if community["nsfw"]:
        values["nsfw"] = True
    now = received.published if received is not None else utcnow()
    values.update(
        creator_id=viewer.person_id,
        community_id=community["id"],
        published=now,
        newest_comment_time=now,
        newest_comment_time_necro=now,
        local=received is None,
    )
    if received is not None:
        values.update(
            ap_id=received.ap_id,
            updated=received.updated,
            instance_id=viewer.person["instance_id"],
        )
        post_id = await upsert.insert_new(conn, m.post, "ap_id", values)
        if post_id is None:
            return await _received_again(conn, settings, viewer, changes, received)
    else:
        # The real id is known only after the insert; a unique placeholder until then.
        values.update(
            ap_id=f"{settings.origin}/post/pending-{uuid.uuid4().hex}",
            instance_id=await local_instance_id(conn, settings.hostname),
        )
        post_id = await conn.scalar(sa.insert(m.post).values(**values).returning(m.post.c.id))
        await conn.execute(
            sa.update(m.post)
            .where(m.post.c.id == post_id)
            .values(ap_id=f"{settings.origin}/post/{post_id}")
        )
    if changes.get("tags"):
        await community_tags.set_post_tags(conn, int(post_id), changes["tags"])
    post = await get_post(conn, int(post_id))
    await counters.post_counted(conn, post, +1)
    await subscriptions.post_created(conn, post)
    # Authors upvote their own posts and have read them, as in Lemmy.
    await votes.own_post_vote(conn, viewer, post)
    await mark_read(conn, viewer, [int(post_id)], True)
    post = await get_post(conn, int(post_id))
    await publish.post_saved(conn, viewer, post, "Create")
    return post


async def _received_again(
    conn: Connection,
    settings: Settings,
    viewer: Actor,
    changes: dict[str, Any],
    received: Received,
) -> Row:
    """A remote post that is already here: stored by a fetch or an activity that came
    first, maybe in a concurrent transaction. It was counted then; this version replaces
    that one only if edited later. Otherwise what it came with is still passed on (a local
    community announces the activity, which a fetch that came first did not)."""
    post = await conn.fetch_one(sa.select(m.post).where(m.post.c.ap_id == received.ap_id))
    if post is None:
        raise Conflict(f"post {received.ap_id} was stored and purged meanwhile")
    if post["creator_id"] != viewer.person_id:
        raise ApiError(ErrorCode.NO_POST_EDIT_ALLOWED)
    if received.newer_than(post):
        return await edit_post(conn, settings, viewer, int(post["id"]), changes, received)
    await publish.post_saved(conn, viewer, post, "Create")
    return post


async def edit_post(
    conn: Connection,
    settings: Settings,
    viewer: Actor,
    post_id: int,
    changes: dict[str, Any],
    received: Received | None = None,
) -> Row:
    """`received`: an edit made on another instance, stamped with its time there."""
    post = await get_post(conn, post_id)
    if post["creator_id"] != viewer.person_id:
        raise ApiError(ErrorCode.NO_POST_EDIT_ALLOWED)
    community = await get_community(conn, int(post["community_id"]))
    await check_can_post_in(conn, viewer, community)
    values: dict[str, Any] = {}
    await _content_fields(conn, settings, changes, values, editing=True)
    if values:
        edited = (received.updated if received is not None else None) or utcnow()
        await conn.execute(
            sa.update(m.post).where(m.post.c.id == post_id).values(**values, updated=edited)
        )
    # `tags` (ids of the community's tags) replaces the post's tags; absent, they stay. No
    # tags for a post without any (every web edit of an untagged post) is no work at all.
    tags = changes.get("tags")
    retagged = (
        tags is not None
        and bool(tags or post["tagged"])
        and await community_tags.set_post_tags(conn, post_id, tags)
    )
    post = await get_post(conn, post_id)
    if values or retagged:
        await publish.post_saved(conn, viewer, post, "Update")
    return post


async def delete_post(conn: Connection, viewer: Actor, post_id: int, deleted: bool) -> Row:
    post = await get_post(conn, post_id)
    if post["creator_id"] != viewer.person_id:
        raise ApiError(ErrorCode.NO_POST_EDIT_ALLOWED)
    community = await get_community(conn, int(post["community_id"]))
    if await is_banned_from(conn, int(community["id"]), viewer.person_id):
        raise ApiError(ErrorCode.BANNED_FROM_COMMUNITY)
    if bool(post["deleted"]) != deleted:
        await set_deleted(conn, post, deleted)
        await publish.post_deleted(conn, viewer, post, deleted)
    return await get_post(conn, post_id)


async def set_deleted(conn: Connection, post: Row, deleted: bool) -> None:
    await _set_state(conn, post, "deleted", deleted, updated=utcnow())


async def set_removed(conn: Connection, post: Row, removed: bool) -> None:
    """A moderator's removal; the author's `updated` time stays as it was."""
    await _set_state(conn, post, "removed", removed)


async def _set_state(conn: Connection, post: Row, flag: str, value: bool, **also: object) -> None:
    """Set `deleted` or `removed`, moving the counters when the post stops or starts counting.
    The update names the old value, so of two requests racing to flip the flag exactly one
    changes the row, and it returns the row as it now is: the counters move by what that
    one statement changed."""
    t = m.post
    changed = await conn.fetch_one(
        sa.update(t)
        .where(t.c.id == post["id"], t.c[flag] == (not value))
        .values({flag: value, **also})
        .returning(t)
    )
    if changed is None:
        return
    after = counters.is_counted(changed)
    if after != counters.is_counted({**changed, flag: not value}):
        await counters.post_counted(conn, changed, +1 if after else -1)


async def save(conn: Connection, viewer: auth.Viewer, post_id: int, save: bool) -> Row:
    post = await get_post(conn, post_id)
    t = m.post_saved
    if save:
        await insert_if_absent(
            conn,
            t,
            ("person_id", "post_id"),
            post_id=post_id,
            person_id=viewer.person_id,
            published=utcnow(),
        )
    else:
        await conn.execute(
            sa.delete(t).where(t.c.person_id == viewer.person_id, t.c.post_id == post_id)
        )
    return post
