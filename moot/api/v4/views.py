"""Assemble API v4's *View shapes (PostView, CommentView, CommunityView, PersonView) for a
viewer, in batches: the rows v3 reads (`moot.db.around`), and the viewer's marks as
moments (`moot.db.action_marks`)."""

from __future__ import annotations

from collections.abc import Sequence

from moot.api.v3 import views as v3_views
from moot.api.v3.shapes import Json
from moot.api.v4 import shapes
from moot.auth import Viewer
from moot.db import queries as q
from moot.db.action_marks import Marks, read_marks
from moot.db.around import Around, Unprefixed, around_comments, around_posts
from moot.db.around import threads as around_threads
from moot.db.engine import Connection, Row
from moot.db.tags import community_tags, tagged_ids

AROUND = Around(
    shapes.PERSON_COLUMNS, shapes.COMMUNITY_COLUMNS, shapes.POST_COLUMNS, moments_as_text=True
)
_CREATOR = Unprefixed("u_", shapes.PERSON_COLUMNS)
_COMMUNITY = Unprefixed("c_", shapes.COMMUNITY_COLUMNS)
_POST = Unprefixed("p_", shapes.POST_COLUMNS)
_NO_REPORTS = (0, 0)


def _viewer_id(viewer: Viewer | None) -> int | None:
    return viewer.person_id if viewer is not None else None


def _present(values: dict[str, object]) -> Json | None:
    """An actions object with the keys that have a value; None when it has none."""
    out = {key: shapes.moment(value) for key, value in values.items() if value is not None}
    return out or None


def community_actions(mark: Row | None) -> Json | None:
    if mark is None:
        return None
    state = None
    if mark["followed_at"] is not None:
        state = (
            "approval_required"
            if mark["approval_required"]
            else "pending"
            if mark["pending"]
            else "accepted"
        )
    return _present(
        {
            "followed_at": mark["followed_at"],
            "blocked_at": mark["blocked_at"],
            "became_moderator_at": mark["became_moderator_at"],
            "received_ban_at": mark["received_ban_at"],
            "ban_expires_at": mark["ban_expires_at"],
            "follow_state": state,
            "notifications": mark["notifications"],
        }
    )


def _post_actions(mark: Row | None) -> Json | None:
    if mark is None:
        return None
    score = mark["score"]
    return _present(
        {
            "read_at": mark["read_at"],
            "read_comments_at": mark["read_at"] if mark["read_comments"] is not None else None,
            "read_comments_amount": mark["read_comments"],
            "saved_at": mark["saved_at"],
            "hidden_at": mark["hidden_at"],
            "voted_at": mark["voted_at"],
            "vote_is_upvote": None if score is None else score > 0,
            "notifications": mark["notifications"],
        }
    )


def _comment_actions(mark: Row | None) -> Json | None:
    if mark is None:
        return None
    score = mark["score"]
    return _present(
        {
            "saved_at": mark["saved_at"],
            "voted_at": mark["voted_at"],
            "vote_is_upvote": None if score is None else score > 0,
        }
    )


def _can_mod(viewer: Viewer | None, mark: Row | None) -> bool:
    if viewer is None:
        return False
    return viewer.is_admin or (mark is not None and mark["became_moderator_at"] is not None)


def _around(
    view: Json, row: Row, creator: Row, viewer: Viewer | None, marks: Marks, post_id: int
) -> None:
    """The keys a post's and a comment's view share, from the `around` row."""
    community_id, creator_id = int(row["c_id"]), int(row["u_id"])
    community_mark = marks.communities.get(community_id)
    for key, value in (
        ("community_actions", community_actions(community_mark)),
        ("person_actions", _present(dict(marks.persons.get(creator_id) or {}))),
    ):
        if value is not None:
            view[key] = value
    view["creator_is_admin"] = bool(row["creator_is_admin"])
    view["tags"] = [shapes.community_tag(t) for t in marks.post_tags.get(post_id, ())]
    view["can_mod"] = _can_mod(viewer, community_mark)
    view["creator_banned"] = bool(creator["banned"])
    if creator.get("ban_expires") is not None:
        view["creator_ban_expires_at"] = shapes.moment(creator["ban_expires"])
    view["creator_is_moderator"] = bool(row["creator_is_moderator"])
    view["creator_banned_from_community"] = bool(row["creator_banned_from_community"])


def post_view(post: Row, row: Row, viewer: Viewer | None, marks: Marks) -> Json:
    """A post's view from its row and its `around_posts` row (with `AROUND`'s columns)."""
    creator = _CREATOR(row)
    view: Json = {
        "post": shapes.post(post, marks.post_reports.get(int(post["id"]), _NO_REPORTS)),
        "creator": shapes.person(creator),
        "community": shapes.community(_COMMUNITY(row)),
    }
    actions = _post_actions(marks.posts.get(int(post["id"])))
    if actions is not None:
        view["post_actions"] = actions
    _around(view, row, creator, viewer, marks, int(post["id"]))
    return view


async def _post_marks(conn: Connection, rows: Sequence[Row], viewer: Viewer | None) -> Marks:
    return await read_marks(
        conn,
        _viewer_id(viewer),
        posts=[int(r["id"]) for r in rows],
        communities=[int(r["community_id"]) for r in rows],
        persons=[int(r["creator_id"]) for r in rows],
        tagged_posts=tagged_ids(rows),
    )


async def listed_post_views(
    conn: Connection, rows: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    """The views of a listing's rows read with `around=AROUND`."""
    marks = await _post_marks(conn, rows, viewer)
    return [post_view(row, row, viewer, marks) for row in rows]


async def post_views(conn: Connection, posts: Sequence[Row], viewer: Viewer | None) -> list[Json]:
    if not posts:
        return []
    around = await around_posts(
        conn, [int(p["id"]) for p in posts], _viewer_id(viewer), AROUND.person, AROUND.community
    )
    marks = await _post_marks(conn, posts, viewer)
    return [post_view(p, around[int(p["id"])], viewer, marks) for p in posts]


def comment_view(comment: Row, row: Row, viewer: Viewer | None, marks: Marks) -> Json:
    """A comment's view from its row and its surroundings (`p_…`, `u_…`, `c_…`)."""
    gone = bool(comment["deleted"] or comment["removed"])
    creator = _CREATOR(row)
    post = _POST(row)
    cid = int(comment["id"])
    view: Json = {
        "comment": shapes.comment(
            comment,
            hide_content=gone and not (viewer is not None and viewer.is_admin),
            reports=marks.comment_reports.get(cid, _NO_REPORTS),
        ),
        "creator": shapes.person(creator),
        "post": shapes.post(post, marks.post_reports.get(int(post["id"]), _NO_REPORTS)),
        "community": shapes.community(_COMMUNITY(row)),
    }
    actions = _comment_actions(marks.comments.get(cid))
    if actions is not None:
        view["comment_actions"] = actions
    _around(view, row, creator, viewer, marks, int(post["id"]))
    return view


async def _comment_marks(conn: Connection, rows: Sequence[Row], viewer: Viewer | None) -> Marks:
    return await read_marks(
        conn,
        _viewer_id(viewer),
        comments=[int(r["id"]) for r in rows],
        posts={int(r["p_id"]) for r in rows},
        communities={int(r["c_id"]) for r in rows},
        persons={int(r["u_id"]) for r in rows},
        tagged_posts=set(tagged_ids(rows, "p_id", "p_tagged")),
    )


async def comment_views(
    conn: Connection, comments: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    if not comments:
        return []
    around = await around_comments(
        conn,
        [int(c["id"]) for c in comments],
        _viewer_id(viewer),
        AROUND.person,
        AROUND.community,
        AROUND.post,
    )
    rows = [{**c, **around[int(c["id"])]} for c in comments]
    marks = await _comment_marks(conn, rows, viewer)
    return [comment_view(row, row, viewer, marks) for row in rows]


async def listed_comment_views(
    conn: Connection, rows: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    """The views of a page `listings.list_comments_around` read (its own post and
    community read here, once per thread)."""
    if not rows:
        return []
    threads = await around_threads(
        conn, {int(r["p_id"]) for r in rows}, AROUND.post, AROUND.community
    )
    by_post = {int(t["p_id"]): t for t in threads}
    full = [{**by_post[int(r["p_id"])], **r} for r in rows]
    marks = await _comment_marks(conn, full, viewer)
    return [comment_view(row, row, viewer, marks) for row in full]


async def community_views(
    conn: Connection, communities: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    ids = [int(c["id"]) for c in communities]
    marks = await read_marks(conn, _viewer_id(viewer), communities=ids)
    tags = await community_tags(conn, ids)
    out = []
    for c in communities:
        mark = marks.communities.get(int(c["id"]))
        view: Json = {"community": shapes.community(c)}
        actions = community_actions(mark)
        if actions is not None:
            view["community_actions"] = actions
        view["can_mod"] = _can_mod(viewer, mark)
        view["tags"] = [shapes.community_tag(t) for t in tags.get(int(c["id"]), ())]
        out.append(view)
    return out


async def person_views(
    conn: Connection, persons: Sequence[Row], viewer: Viewer | None
) -> list[Json]:
    admins = await q.admin_person_ids(conn, {int(p["id"]) for p in persons})
    marks = await read_marks(conn, _viewer_id(viewer), persons=[int(p["id"]) for p in persons])
    out = []
    for p in persons:
        view: Json = {"person": shapes.person(p), "is_admin": int(p["id"]) in admins}
        actions = _present(dict(marks.persons.get(int(p["id"])) or {}))
        if actions is not None:
            view["person_actions"] = actions
        view["banned"] = bool(p["banned"])
        if p.get("ban_expires") is not None:
            view["ban_expires_at"] = shapes.moment(p["ban_expires"])
        out.append(view)
    return out


async def moderator_views(conn: Connection, community_ids: Sequence[int]) -> list[Json]:
    """CommunityModeratorView list, top moderator first."""
    return await v3_views.moderator_views(conn, community_ids, shapes.community, shapes.person)
