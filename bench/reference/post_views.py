"""A post listing's answer from its rows: moot's PostView for each, in moot's key order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.reference import members, sql
from bench.reference import shapes as s

Json = dict[str, Any]


def post_views(dialect: str, rows: Sequence[Sequence[Any]], member: bool) -> Json:
    """The answer of a listing's rows (`sql.post_list`), with a member's marks if `member`."""
    post, counts = s.POST.reader(dialect), s.POST_COUNTS.reader(dialect)
    person, community = s.PERSON.reader(dialect), s.COMMUNITY.reader(dialect)
    people: dict[int, dict[str, Any]] = {}
    places: dict[int, dict[str, Any]] = {}
    views = []
    f, at = sql.POST_FLAGS_AT, sql.POST_MARKS_AT
    for row in rows:
        creator_id, community_id = row[2], row[3]
        creator = people.get(creator_id) or people.setdefault(
            creator_id, person(row, sql.POST_PERSON_AT)
        )
        place = places.get(community_id) or places.setdefault(
            community_id, community(row, sql.POST_COMMUNITY_AT)
        )
        comments = row[sql.POST_COUNTS_AT + 1]
        if not member:
            views.append(
                {
                    "post": post(row, sql.POST_AT),
                    "creator": creator,
                    "community": place,
                    "creator_banned_from_community": bool(row[f]),
                    "banned_from_community": False,
                    "creator_is_moderator": bool(row[f + 1]),
                    "creator_is_admin": bool(row[f + 2]),
                    "subscribed": "NotSubscribed",
                    "creator_blocked": False,
                    "counts": counts(row, sql.POST_COUNTS_AT),
                    "saved": False,
                    "read": False,
                    "hidden": False,
                    "unread_comments": comments,
                }
            )
            continue
        seen = row[at + members.READ_COMMENTS]
        view = {
            "post": post(row, sql.POST_AT),
            "creator": creator,
            "community": place,
            "creator_banned_from_community": bool(row[f]),
            "banned_from_community": bool(row[at + members.BANNED]),
            "creator_is_moderator": bool(row[f + 1]),
            "creator_is_admin": bool(row[f + 2]),
            "subscribed": s.subscription(row[at + members.FOLLOW_PENDING]),
            "creator_blocked": bool(row[at + members.CREATOR_BLOCKED]),
            "counts": counts(row, sql.POST_COUNTS_AT),
            "saved": bool(row[at + members.SAVED]),
            "read": seen is not None,
            "hidden": bool(row[at + members.HIDDEN]),
            "unread_comments": comments - (seen or 0),
        }
        vote = row[at + members.MY_VOTE]
        if vote is not None:
            view["my_vote"] = vote
        views.append(view)
    out: Json = {"posts": views}
    if rows:
        out["next_page"] = f"P{rows[-1][0]:x}"
    return out
