"""`GET /comment/list` reads each page with its surroundings in one statement and its
posts apart (`listings.list_comments_around`, `views.listed_comment_views`); every other
comment view is made from `list_comments` rows and `around_comments`
(`views.comment_views`). Both must answer the same bytes, whoever asks and whatever the
filter."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from moot import auth
from moot.api.v3 import views
from moot.db.listings import CommentFilter, list_comments
from tests.reads.conftest import Forum


async def _marks(forum: Forum) -> dict[str, Any]:
    """Votes by the member, a save by them and the admin, a deleted and a distinguished
    comment, in the seeded thread (once per forum)."""
    if "marked" in forum.ids:
        return dict(forum.ids["marked"])
    member, admin = forum.member_token, forum.admin_token
    params = {"post_id": forum.post_id, "limit": 50}  # as the member sees it: no one blocked
    tree = await forum.api("GET", "/comment/list", params=params, token=member)
    ids = [int(c["comment"]["id"]) for c in tree["comments"]]
    await forum.api("POST", "/comment/like", {"comment_id": ids[0], "score": 1}, token=member)
    await forum.api("POST", "/comment/like", {"comment_id": ids[1], "score": -1}, token=member)
    for saver in (member, admin):
        await forum.api("PUT", "/comment/save", {"comment_id": ids[2], "save": True}, token=saver)
    mine = await forum.api(
        "POST", "/comment", {"post_id": forum.post_id, "content": "gone soon"}, token=member
    )
    gone = int(mine["comment_view"]["comment"]["id"])
    await forum.api("POST", "/comment/delete", {"comment_id": gone, "deleted": True}, token=member)
    admins = await forum.api(
        "POST", "/comment", {"post_id": forum.post_id, "content": "from the admin"}, token=admin
    )
    await forum.api(
        "POST",
        "/comment/distinguish",
        {"comment_id": int(admins["comment_view"]["comment"]["id"]), "distinguished": True},
        token=admin,
    )
    forum.ids["marked"] = {"parent": ids[3]}
    return dict(forum.ids["marked"])


# name → (query, the filter `list_comments` is given for it)
QUERIES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "tree": ({"max_depth": 8, "type_": "All"}, {"max_depth": 8}),
    "tree, New": ({"max_depth": 3, "sort": "New", "type_": "All"}, {"max_depth": 3, "sort": "New"}),
    "thread page": ({"sort": "Top", "limit": 5, "page": 2, "type_": "All"}, {"sort": "Top"}),
    "all comments, Old": ({"type_": "All", "sort": "Old", "limit": 50}, {"sort": "Old"}),
    "saved": ({"saved_only": "true", "type_": "All"}, {"saved_only": True}),
    "liked": ({"liked_only": "true", "type_": "All"}, {"liked_only": True}),
}


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
@pytest.mark.parametrize("name", list(QUERIES))
async def test_a_listing_answers_what_the_per_row_views_make(
    forum: Forum, name: str, who: str
) -> None:
    await _marks(forum)
    query, fields = QUERIES[name]
    token = {"anonymous": None, "member": forum.member_token, "admin": forum.admin_token}[who]
    in_thread = name.startswith(("tree", "thread"))
    params = {**query, **({"post_id": forum.post_id} if in_thread else {})}
    response = await forum.call("GET", "/api/v3/comment/list", token=token, params=params)

    db = forum.app.state.moot.db
    async with db.connection() as conn:
        viewer = None if token is None else await auth.viewer_for_token(conn, token)
        f = CommentFilter(
            listing_type="All",
            post_id=forum.post_id if in_thread else None,
            viewer_id=viewer.person_id if viewer is not None else None,
            **fields,
        )
        page, limit = int(query.get("page", 1)), int(query.get("limit", 10))
        rows = await list_comments(conn, f, page, limit)
        expected = await views.comment_views(conn, rows, viewer)
    assert rows, f"{name}: the filter lists nothing, so it checks nothing"
    assert response.content == msgspec.json.encode({"comments": expected})


async def test_a_subtree_answers_what_the_per_row_views_make(forum: Forum) -> None:
    parent = (await _marks(forum))["parent"]
    params = {"parent_id": parent, "max_depth": 2, "type_": "All"}
    response = await forum.call(
        "GET", "/api/v3/comment/list", token=forum.member_token, params=params
    )
    listed = response.json()["comments"]
    assert listed and int(listed[0]["comment"]["id"]) == parent
    db = forum.app.state.moot.db
    async with db.connection() as conn:
        viewer = await auth.viewer_for_token(conn, forum.member_token)
        assert viewer is not None
        path = next(c["comment"]["path"] for c in listed if c["comment"]["id"] == parent)
        segments = "".join(f"{int(i):010d}" for i in path.split(".")[1:])
        f = CommentFilter(
            listing_type="All", parent_path=segments, max_depth=2, viewer_id=viewer.person_id
        )
        expected = await views.comment_views(conn, await list_comments(conn, f, 1, 10), viewer)
    assert response.content == msgspec.json.encode({"comments": expected})
