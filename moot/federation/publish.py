"""What each action sends (the calls actions make at their end), routed as Lemmy routes it.

FEP-1b12: a person's activity in a remote community goes to that community's inbox; in a
local community, the community wraps it in an Announce for its followers. An activity a
remote person sent to a local community is announced exactly as it was received.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

import sqlalchemy as sa

from moot.actions.actor import Actor, RemoteActor
from moot.db import models as m
from moot.db import queries
from moot.db.engine import Connection, Row
from moot.federation import compose, render
from moot.federation.audience import Audience, audience, remote_followers
from moot.federation.compose import Json
from moot.federation.outbox import enqueue, enqueue_all, inbox_of, queued

log = logging.getLogger("moot.federation")

Build = Callable[[str], Awaitable[Json]]


async def _has_remote_followers(conn: Connection, community_id: int) -> bool:
    return bool(await conn.scalar(sa.select(remote_followers(community_id))))


async def in_community(
    conn: Connection,
    actor: Actor,
    community: Row,
    build: Build,
    *,
    also_to: Sequence[int] = (),
    to_followers: bool = False,
    of_post: bool = False,
    known: Audience | None = None,
) -> None:
    """Send what `actor` did in `community`; `also_to` names persons who get a copy, and
    `to_followers` (posts, comments, votes: never a moderator's act) sends one to each of
    the actor's own followers. Inboxes are deduplicated by the outbox. `of_post`: it is
    the Create or Update of a post (announced twice, see `_announced`). `known`: the
    audience of a local actor, when the caller read it (`audience.audience_columns`)."""
    local_community = bool(community["local"])
    if isinstance(actor, RemoteActor):
        if (
            local_community
            and actor.activity is not None
            and await _has_remote_followers(conn, int(community["id"]))
        ):
            origin = await queries.local_origin(conn)
            await enqueue_all(conn, _announced(origin, community, actor.activity, of_post=of_post))
        return
    if known is None:
        known = await audience(conn, actor.person_id, int(community["id"]), also_to, to_followers)
    origin, followed, extra = known.origin, known.followed, known.inboxes
    signer = str(actor.person["actor_id"])
    if local_community:
        if not followed and not extra:
            return
        activity = await build(origin)
        rows = [queued(activity, signer, inboxes=extra)]
        if followed:
            rows += _announced(origin, community, activity, of_post=of_post)
        await enqueue_all(conn, rows)
        return
    activity = await build(origin)
    await enqueue(conn, activity, signer, inboxes=[inbox_of(community), *extra])


def _announced(
    origin: str, community: Row, activity: Json, *, of_post: bool = False
) -> list[dict[str, object]]:
    """The Announce to the community's followers; a post's Create or Update a second time
    as the bare post, for Mastodon and Pleroma, as Lemmy does (moot and Lemmy ignore that
    one)."""
    signer = str(community["actor_id"])
    announced = [activity]
    if of_post and isinstance(activity.get("object"), dict):
        announced.append(compose.post_for_mastodon(activity))
    return [
        queued(compose.announce(origin, signer, inner), signer, followers_of=int(community["id"]))
        for inner in announced
    ]


async def community_of(conn: Connection, post: Row) -> Row:
    return await render.one(conn, m.community, int(post["community_id"]))


def actor_id_of(actor: Actor) -> str:
    return str(actor.person["actor_id"])


async def post_saved(conn: Connection, actor: Actor, post: Row, kind: str) -> None:
    """Create or Update of a post."""
    community = await community_of(conn, post)

    async def build(origin: str) -> Json:
        page = await render.page(conn, post)
        return compose.create_or_update(
            kind, origin, actor_id_of(actor), page, str(community["actor_id"]), [], None
        )

    await in_community(conn, actor, community, build, to_followers=True, of_post=True)


async def comment_saved(
    conn: Connection,
    actor: Actor,
    comment: Row,
    kind: str,
    thread: render.Thread | None = None,
    known: Audience | None = None,
) -> None:
    """Create or Update of a comment; the author replied to and those mentioned get a copy.
    `thread`: the rows its Note names, when the caller has them (`render.thread_of`);
    `known`: its audience, likewise (`audience.audience_columns`)."""
    if thread is None:
        thread = await render.thread_of(conn, comment)
    replied_to = int(thread.parent_creator["id"])
    named = thread

    async def build(origin: str) -> Json:
        note = await render.note(conn, comment, named)
        return compose.create_or_update(
            kind,
            origin,
            actor_id_of(actor),
            note,
            str(named.community["actor_id"]),
            note["cc"][1:],
            note.get("tag"),
        )

    mentioned = [int(p["id"]) for p in thread.mentioned]
    await in_community(
        conn,
        actor,
        thread.community,
        build,
        also_to=[replied_to, *mentioned],
        to_followers=True,
        known=known,
    )


async def deleted(
    conn: Connection,
    actor: Actor,
    ap_id: str,
    community: Row,
    gone: bool,
    *,
    to_followers: bool = False,
) -> None:
    """Delete (or Undo{Delete}) of the actor's own post, comment or community."""

    async def build(origin: str) -> Json:
        delete = compose.delete(origin, actor_id_of(actor), ap_id, str(community["actor_id"]))
        return delete if gone else compose.undo(origin, delete)

    await in_community(conn, actor, community, build, to_followers=to_followers)


async def post_deleted(conn: Connection, actor: Actor, post: Row, gone: bool) -> None:
    community = await community_of(conn, post)
    await deleted(conn, actor, str(post["ap_id"]), community, gone, to_followers=True)


async def comment_deleted(conn: Connection, actor: Actor, comment: Row, gone: bool) -> None:
    post = await render.one(conn, m.post, int(comment["post_id"]))
    community = await community_of(conn, post)
    await deleted(conn, actor, str(comment["ap_id"]), community, gone, to_followers=True)


async def voted(
    conn: Connection,
    actor: Actor,
    ap_id: str,
    post: Row,
    score: int,
    community: Row | None = None,
    known: Audience | None = None,
) -> None:
    """Like, Dislike, or (score 0) an Undo that always wraps a new Like, as Lemmy's.
    `community`: the post's, when the caller has read it already; `known`: its audience
    (`to_followers`), likewise."""
    if community is None:
        community = await community_of(conn, post)

    async def build(origin: str) -> Json:
        kind = "Dislike" if score == -1 else "Like"
        vote = compose.vote(kind, origin, actor_id_of(actor), ap_id, str(community["actor_id"]))
        return vote if score else compose.undo(origin, vote)

    await in_community(conn, actor, community, build, to_followers=True, known=known)


async def followed(conn: Connection, actor: Actor, community: Row, follow: bool) -> None:
    """A local person (un)follows a remote community, or a local community accepts."""
    if isinstance(actor, RemoteActor):
        if community["local"]:
            log.info(
                "federation: %s %s %s",
                actor_id_of(actor),
                "follows" if follow else "no longer follows",
                community["actor_id"],
            )
        if community["local"] and follow and actor.activity is not None:
            origin = await queries.local_origin(conn)
            accept = compose.accept(origin, str(community["actor_id"]), actor.activity)
            signer = str(community["actor_id"])
            await enqueue(conn, accept, signer, inboxes=[inbox_of(actor.person)], sensitive=True)
        return
    if community["local"]:
        return
    origin = await queries.local_origin(conn)
    activity = compose.follow(origin, actor_id_of(actor), str(community["actor_id"]))
    log.info(
        "federation: %s asks to %s %s",
        actor_id_of(actor),
        "follow" if follow else "stop following",
        community["actor_id"],
    )
    if not follow:
        activity = compose.undo(origin, activity)
    inbox = [inbox_of(community)]
    await enqueue(conn, activity, actor_id_of(actor), inboxes=inbox, sensitive=True)


async def follow_decided(conn: Connection, community: Row, follower: Row, approved: bool) -> None:
    """A moderator of a local private community approved (Accept) or denied (Reject) a
    remote person's follow. The Follow is written anew, as Lemmy 1.0 does: the one received
    is not kept."""
    origin = await queries.local_origin(conn)
    group = str(community["actor_id"])
    asked = compose.follow(origin, str(follower["actor_id"]), group)
    answer = (
        compose.accept(origin, group, asked) if approved else compose.reject(origin, group, asked)
    )
    log.info(
        "federation: %s %s %s", group, "accepts" if approved else "rejects", follower["actor_id"]
    )
    await enqueue(conn, answer, group, inboxes=[inbox_of(follower)], sensitive=True)


async def person_followed(conn: Connection, follower: RemoteActor, person: Row) -> None:
    """A local person accepts a remote follower at once: Accept{the Follow as received}."""
    log.info("federation: %s follows %s", actor_id_of(follower), person["actor_id"])
    if follower.activity is None:
        return
    origin = await queries.local_origin(conn)
    accept = compose.accept(origin, str(person["actor_id"]), follower.activity)
    inboxes = [inbox_of(follower.person)]
    await enqueue(conn, accept, str(person["actor_id"]), inboxes=inboxes, sensitive=True)


async def community_edited(conn: Connection, actor: Actor, community: Row) -> None:
    """Update{Group}, sent by the moderator who made the change."""

    async def build(origin: str) -> Json:
        pem = await render.public_pem(conn, m.community, community)
        group = render.group(community, pem, origin, await render.group_tags(conn, community))
        return compose.update_group(origin, actor_id_of(actor), group, str(community["actor_id"]))

    await in_community(conn, actor, community, build)


async def person_deleted(conn: Connection, person: Row, remove_data: bool) -> None:
    """A local account deleted: every known instance with a site actor hears of it."""
    if not person["local"]:
        return
    origin = await queries.local_origin(conn)
    activity = compose.delete_person(origin, str(person["actor_id"]), remove_data)
    await enqueue(conn, activity, str(person["actor_id"]), all_instances=True, sensitive=True)


async def private_message_saved(conn: Connection, actor: Actor, message: Row, kind: str) -> None:
    """Create or Update of a ChatMessage, to a recipient on another instance only."""
    recipient = await render.one(conn, m.person, int(message["recipient_id"]))
    if isinstance(actor, RemoteActor) or recipient["local"]:
        return
    origin = await queries.local_origin(conn)
    chat = await render.chat_message(conn, message)
    activity = compose.private_message(
        kind, origin, actor_id_of(actor), chat, str(recipient["actor_id"])
    )
    inboxes = [inbox_of(recipient)]
    await enqueue(conn, activity, actor_id_of(actor), inboxes=inboxes, sensitive=True)


async def private_message_deleted(conn: Connection, actor: Actor, message: Row, gone: bool) -> None:
    recipient = await render.one(conn, m.person, int(message["recipient_id"]))
    if isinstance(actor, RemoteActor) or recipient["local"]:
        return
    origin = await queries.local_origin(conn)
    activity = compose.delete_private_message(
        origin, actor_id_of(actor), str(message["ap_id"]), str(recipient["actor_id"])
    )
    if not gone:
        activity = compose.undo(origin, activity)
    inboxes = [inbox_of(recipient)]
    await enqueue(conn, activity, actor_id_of(actor), inboxes=inboxes, sensitive=True)
