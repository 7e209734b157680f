"""`POST /api/v3/comment`, raw: the comment (top level or a reply) stored with its author's
upvote, counted on its ancestors, post, community, author and site, its answered author
noticed, the post read, the Create and its Announce queued; then moot's answer
(moot/actions/comments.py `create_comment`), in the same statements as moot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bench.reference import comment_sql as cs
from bench.reference import shapes as s
from bench.reference import write_sql as ws
from bench.reference.db import Database
from bench.reference.writes import (
    _PLAIN,
    PUBLIC,
    Refused,
    _activity_id,
    _encode,
    outbox_rows,
    plain_html,
    queue,
    read_time,
    stored_time,
    viewer,
)
from moot import ranking

MAX_COMMENT_DEPTH = 50


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _authority(actor_id: str) -> str:
    """host[:port] of a local actor id (moot's `urls.written_authority`)."""
    return actor_id.split("://", 1)[1].split("/", 1)[0].lower()


async def create_comment(db: Database, token: str | None, body: dict[str, Any]) -> bytes:
    post_id = int(body["post_id"])
    parent_id = None if body.get("parent_id") is None else int(body["parent_id"])
    text = str(body["content"])
    if body.get("language_id") is not None or not _PLAIN.fullmatch(text) or not text.strip():
        raise Refused("the reference takes plain text, without a language")
    html = plain_html(text)
    moment = datetime.now(UTC)
    now = stored_time(db.dialect, moment)
    d = db.dialect
    reply = parent_id is not None
    async with db.writing() as tx:
        who = await viewer(tx, token, now)
        person_id = int(who[0])
        params: dict[str, Any] = {"post_id": post_id, "viewer": person_id, "now": now}
        parent: list[Any] | None = None
        if reply:
            params["parent_id"] = parent_id
            if d == "postgresql":
                thread = await tx.fetch(cs.lock_thread(), params)
                found = [r for r in thread if r[0] == parent_id]
                if not found:
                    raise Refused("couldnt_find_comment")
                parent = [found[0][0], found[0][1], found[0][2], found[0][3], found[0][4]]
                params["answered"] = int(parent[1])
        rows = await tx.fetch(cs.target(d, reply), params)
        if not rows:
            raise Refused("couldnt_find_post")
        t = rows[0]
        if reply and parent is None:
            parent = list(t[cs.PARENT_AT : cs.PARENT_AT + 5])
        _check(t, parent, post_id)
        comment_id = int(t[cs.NEXT_ID_AT])
        path = (str(parent[3]) if parent is not None else "") + f"{comment_id:0{cs.WIDTH}d}"
        a = cs.AUDIENCE_AT
        origin = str(t[a]).rstrip("/")
        ap_id = f"{origin}/comment/{comment_id}"
        inserted = await tx.fetch(
            cs.insert(d),
            {
                **params,
                "id": comment_id,
                "content": text,
                "content_html": html,
                "hot_rank": ranking.hot_rank(1, moment, datetime.now(UTC)),
                "path": path,
                "depth": len(path) // cs.WIDTH - 1,
                "ap_id": ap_id,
            },
        )
        comment = inserted[0]
        if d == "sqlite":
            await tx.fetch(cs.own_vote(), {**params, "id": comment_id})
        ancestors = [int(path[i : i + cs.WIDTH]) for i in range(0, len(path) - cs.WIDTH, cs.WIDTH)]
        if ancestors:
            await tx.fetch(
                cs.child_counts(len(ancestors)), {f"a{i}": x for i, x in enumerate(ancestors)}
            )
        post_creator = int(t[0])
        published, newest, necro = read_time(t[2]), read_time(t[3]), read_time(t[4])
        necro = ranking.advance_necro_time(necro, published, post_creator, moment, person_id)
        moved = await tx.fetch(
            cs.post_moved(d),
            {
                "post_id": post_id,
                "newest": stored_time(d, max(newest, moment)),
                "necro": stored_time(d, necro),
                "hot_rank_active": ranking.hot_rank(int(t[1]), necro, datetime.now(UTC)),
            },
        )
        post_row = moved[0]
        community_id = int(t[len(cs.POST)])
        await tx.fetch(cs.COMMUNITY_COUNTED, {"community_id": community_id})
        await tx.fetch(cs.PERSON_COUNTED, {"viewer": person_id})
        await tx.fetch(cs.SITE_COUNTED, {})
        recipient = int(t[cs.ANSWERED_AT])
        if recipient != person_id:
            await tx.fetch(
                cs.reply_notice(),
                {**params, "id": comment_id, "recipient": recipient, "community_id": community_id},
            )
        await tx.fetch(ws.mark_read(d), {**params, "comments": int(post_row[len(s.POST)])})
        community_actor = str(t[len(cs.POST) + 2])
        author = str(who[1])
        answered_actor = str(t[cs.ANSWERED_AT + 1])
        tag = [
            {
                "type": "Mention",
                "href": answered_actor,
                "name": f"@{t[cs.ANSWERED_AT + 2]}@{_authority(answered_actor)}",
            }
        ]
        note = {
            "type": "Note",
            "id": ap_id,
            "attributedTo": author,
            "to": [PUBLIC],
            "cc": [community_actor, answered_actor],
            "audience": community_actor,
            "inReplyTo": str(parent[4] if parent is not None else t[5]),
            "content": html,
            "mediaType": "text/html",
            "source": {"content": text, "mediaType": "text/markdown"},
            "tag": tag,
            "distinguished": False,
            "published": _stamp(moment),
        }
        create = {
            "id": _activity_id(origin, "create"),
            "type": "Create",
            "actor": author,
            "to": [PUBLIC],
            "cc": [community_actor, answered_actor],
            "audience": community_actor,
            "object": note,
            "tag": tag,
        }
        inboxes = str(t[a + 2]).split("\n") if t[a + 2] else []
        await queue(
            tx,
            outbox_rows(
                create, author, community_id, community_actor, origin, bool(t[a + 1]), inboxes
            ),
            now,
        )
    f = cs.FLAGS_AT
    pending = t[f + 3]
    shaped = s.COMMENT.reader(d)(comment, 0)
    shaped["path"] = s.lemmy_path(comment[len(s.COMMENT)])
    view = {
        "comment": shaped,
        "creator": s.PERSON.reader(d)(who, ws.VIEWER_PERSON_AT),
        "community": s.COMMUNITY.reader(d)(t, cs.COMMUNITY_SHAPE_AT),
        "creator_banned_from_community": bool(t[f + 2]),
        "banned_from_community": bool(t[f + 5]),
        "creator_is_moderator": bool(t[f + 1]),
        "creator_is_admin": bool(t[f]),
        "subscribed": s.subscription(pending),
        "creator_blocked": bool(t[f + 4]),
        "post": s.POST.reader(d)(post_row, 0),
        "counts": s.COMMENT_COUNTS.reader(d)(comment, len(s.COMMENT) + 1),
        "saved": False,
        "my_vote": 1,
    }
    return _encode({"comment_view": view, "recipient_ids": []})


def _check(t: Any, parent: list[Any] | None, post_id: int) -> None:
    """moot's `_check_can_comment` and the parent's checks, from the target row."""
    c = len(cs.POST)
    if t[c + 3] or t[c + 4]:
        raise Refused("cannot_create_post_or_comment_in_deleted_or_removed_community")
    if t[cs.CHECKS_AT]:
        raise Refused("banned_from_community")
    if t[6] or t[7]:
        raise Refused("deleted")
    if t[8] and not t[cs.CHECKS_AT + 1]:
        raise Refused("locked")
    if not t[c + 1]:
        raise Refused("the reference comments in local communities only")
    if parent is not None:
        if int(parent[2]) != post_id:
            raise Refused("couldnt_create_comment")
        if len(str(parent[3])) // cs.WIDTH >= MAX_COMMENT_DEPTH:
            raise Refused("max_comment_depth_reached")
