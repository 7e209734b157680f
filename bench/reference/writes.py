"""The two writes, raw: `POST /api/v3/post/like` and `POST /api/v3/comment` changing the rows
moot changes (counters, notices, the read mark, the outbox's activities) in one
transaction, and answering with moot's bytes (bench/README.md, "Versus, the writes").

What the reference leaves to moot, answered with a 400: a vote that changes nothing, a
remote community, a comment text with anything Markdown or a mention could read (`_PLAIN`),
a language.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

import msgspec

from bench.reference import shapes as s
from bench.reference import write_sql as ws
from bench.reference.db import Database
from moot import ranking

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = ["https://join-lemmy.org/context.json", "https://www.w3.org/ns/activitystreams"]

_encode = msgspec.json.Encoder().encode


class Refused(Exception):
    """A request the reference does not serve, or one moot would refuse."""


def stored_time(dialect: str, moment: datetime) -> Any:
    """A time as the database stores it: timestamptz, or SQLite's naive UTC text."""
    if dialect == "postgresql":
        return moment
    return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def read_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


async def viewer(db: Database, token: str | None, now: Any) -> Sequence[Any]:
    if not token:
        raise Refused("not_logged_in")
    rows = await db.fetch(ws.viewer(db.dialect), {"token": token, "now": now})
    if not rows:
        raise Refused("incorrect_login")
    row = rows[0]
    if row[3]:
        raise Refused("site_ban")
    if row[4]:
        raise Refused("deleted")
    return row


def _activity_id(origin: str, kind: str) -> str:
    return f"{origin}/activities/{kind}/{uuid.uuid4()}"


def _announce(origin: str, community: str, inner: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": _activity_id(origin, f"announce/{str(inner['type']).lower()}"),
        "type": "Announce",
        "actor": community,
        "to": [PUBLIC],
        "cc": [f"{community}/followers"],
        "object": inner,
    }


def outbox_rows(
    activity: dict[str, Any],
    signer: str,
    community_id: int,
    community_actor: str,
    origin: str,
    followed: bool,
    inboxes: list[str],
) -> dict[str, Any]:
    """The outbox rows of an activity in a local community (moot/federation/publish.py,
    `in_community`): the activity to the addressed inboxes, and the community's Announce
    to its followers when it has remote ones; none when nobody elsewhere hears of it.
    Returned as the parameters of `write_sql.outbox`, with `rows` their number."""
    if not followed and not inboxes:
        return {"rows": 0}
    params: dict[str, Any] = {
        "rows": 1,
        "ap_id0": activity["id"],
        "data0": _encode({"@context": CONTEXT, **activity}).decode(),
        "signer0": signer,
        "inboxes0": json.dumps(sorted(set(inboxes))),
        "followers_of0": None,
    }
    if followed:
        announce = _announce(origin, community_actor, activity)
        params.update(
            rows=2,
            ap_id1=announce["id"],
            data1=_encode({"@context": CONTEXT, **announce}).decode(),
            signer1=community_actor,
            inboxes1="[]",
            followers_of1=community_id,
        )
    return params


async def queue(db: Database, params: dict[str, Any], now: Any) -> None:
    rows = params.pop("rows")
    if rows:
        await db.fetch(ws.outbox(rows), {**params, "now": now})


def _deltas(old: int, new: int) -> tuple[int, int, int]:
    return new - old, (new == 1) - (old == 1), (new == -1) - (old == -1)


async def like_post(
    db: Database, token: str | None, body: dict[str, Any], downvotes: bool
) -> bytes:
    """A vote on a post (moot/actions/votes.py `vote_post`), in six statements."""
    post_id, score = int(body["post_id"]), int(body["score"])
    moment = datetime.now(UTC)
    now = stored_time(db.dialect, moment)
    d = db.dialect
    async with db.writing() as tx:
        who = await viewer(tx, token, now)
        person_id = int(who[0])
        if who[2]:
            raise Refused("invalid_bot_action")
        if score == -1 and not downvotes:
            raise Refused("downvotes_are_disabled")
        new = score if score in (1, -1) else 0
        params = {"post_id": post_id, "viewer": person_id, "now": now}
        rows = await tx.fetch(ws.vote_target(d), params)
        if not rows:
            raise Refused("couldnt_find_post")
        t = rows[0]
        if t[ws.VOTE_CHECKS_AT]:
            raise Refused("banned_from_community")
        if not t[len(ws.VOTE_POST) + 1]:
            raise Refused("the reference votes in local communities only")
        post_row = t[ws.VOTE_POST_SHAPE_AT :]
        if await _store(tx, t, params, new):
            post_row = await _moved(tx, t, params, new, who)
        comments = int(post_row[ws.POST_RETURNED_COUNTS_AT + 1])
        await tx.fetch(ws.mark_read(d), {**params, "comments": comments})
    f = ws.VOTE_FLAGS_AT
    pending = t[f + 3]
    view: dict[str, Any] = {
        "post": s.POST.reader(d)(post_row, 0),
        "creator": s.PERSON.reader(d)(t, ws.VOTE_CREATOR_AT),
        "community": s.COMMUNITY.reader(d)(t, ws.VOTE_COMMUNITY_AT),
        "creator_banned_from_community": bool(t[f]),
        "banned_from_community": bool(t[f + 5]),
        "creator_is_moderator": bool(t[f + 1]),
        "creator_is_admin": bool(t[f + 2]),
        "subscribed": s.subscription(pending),
        "creator_blocked": bool(t[f + 4]),
        "counts": s.POST_COUNTS.reader(d)(post_row, ws.POST_RETURNED_COUNTS_AT),
        "saved": bool(t[f + 6]),
        "read": True,
        "hidden": bool(t[f + 7]),
        "unread_comments": 0,
    }
    if new:
        view["my_vote"] = new
    return _encode({"post_view": view})


async def _store(tx: Database, t: Sequence[Any], params: dict[str, Any], new: int) -> bool:
    """The vote stored; False when it was `new` already (nothing changes, nothing is sent,
    as in moot). `params["old"]` is set to the vote it replaced."""
    d = tx.dialect
    if d == "sqlite":
        params["old"] = int(t[ws.VOTE_CHECKS_AT + 1] or 0)
        if params["old"] == new:
            return False
    query = {k: params[k] for k in ("post_id", "viewer", "now")}
    if new:
        stored = await tx.fetch(ws.vote_store(d), {**query, "score": new})
    else:
        stored = await tx.fetch(ws.vote_delete(d), query)
    if d == "postgresql":
        if not stored:
            return False
        params["old"] = int(stored[0][0] or 0)
    return True


async def _moved(
    tx: Database, t: Sequence[Any], params: dict[str, Any], new: int, who: Sequence[Any]
) -> Sequence[Any]:
    """The post's counters and ranks moved, and the vote queued: the post as it is now."""
    d = tx.dialect
    moment = datetime.now(UTC)
    post_id = params["post_id"]
    d_score, d_up, d_down = _deltas(params.pop("old"), new)
    up, down = int(t[1]) + d_up, int(t[2]) + d_down
    after = int(t[0]) + d_score
    users = int(t[len(ws.VOTE_POST)])
    published, necro = read_time(t[3]), read_time(t[4])
    moved = await tx.fetch(
        ws.post_moved_by_vote(d),
        {
            "post_id": post_id,
            "d_score": d_score,
            "d_up": d_up,
            "d_down": d_down,
            "hot_rank": ranking.hot_rank(after, published, moment),
            "hot_rank_active": ranking.hot_rank(after, necro, moment),
            "scaled_rank": ranking.scaled_rank(after, published, users, moment),
            "controversy_rank": ranking.controversy_rank(up, down),
        },
    )
    post_row = moved[0]
    a = ws.VOTE_AUDIENCE_AT
    origin = str(t[a]).rstrip("/")
    community_actor = str(t[len(ws.VOTE_POST) + 2])
    voter = str(who[1])
    kind = "Dislike" if new == -1 else "Like"
    vote: dict[str, Any] = {
        "id": _activity_id(origin, kind.lower()),
        "type": kind,
        "actor": voter,
        "object": str(t[5]),
        "audience": community_actor,
    }
    activity = vote
    if not new:
        activity = {
            "id": _activity_id(origin, "undo"),
            "type": "Undo",
            "actor": voter,
            "audience": community_actor,
            "object": vote,
        }
    inboxes = str(t[a + 2]).split("\n") if t[a + 2] else []
    community_id = int(post_row[3])
    followed = bool(t[a + 1])
    rows = outbox_rows(activity, voter, community_id, community_actor, origin, followed, inboxes)
    await queue(tx, rows, params["now"])
    return post_row


_PLAIN = re.compile(r"[A-Za-z0-9 ,.]+")


def plain_html(text: str) -> str:
    """What moot's Markdown renders of a text of letters, digits, spaces, commas and full
    stops (the only texts the reference takes): one paragraph."""
    return f"<p>{escape(text.strip())}</p>\n"
