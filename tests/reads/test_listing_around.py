"""A listing that reads what is around each post in its own statement (`list_posts(…,
around=AROUND)`, what `GET /post/list` runs) answers what the page and a separate
`around_posts` answer together: the same posts in the same order, each with the same
creator, community, flags and the viewer's marks, for every way a page is cut (the plain
index scan, the Top tiers merged, the Subscribed communities merged, the saved list in
the order things were saved, a cursor)."""

from __future__ import annotations

from dataclasses import replace

import msgspec
import pytest

from moot.api.v3 import views
from moot.auth import Viewer, viewer_for_token
from moot.db.post_listing import PostFilter, list_posts
from tests.reads.conftest import Forum

FILTERS = {
    "Hot": PostFilter(sort="Hot"),
    "New, a community": PostFilter(sort="New"),
    "TopDay (tiers merged)": PostFilter(sort="TopDay"),
    "Subscribed (communities merged)": PostFilter(listing_type="Subscribed", sort="Active"),
    "saved only": PostFilter(sort="Hot", saved_only=True),
    "Old": PostFilter(sort="Old"),
    "a profile": PostFilter(sort="New"),
}


def _for(name: str, forum: Forum, viewer: Viewer | None) -> PostFilter:
    f = FILTERS[name]
    if viewer is not None:
        f = replace(f, viewer_id=viewer.person_id, viewer_local_user_id=viewer.local_user_id)
    if name == "New, a community":
        f = replace(f, community_id=forum.ids["communities"][0])
    if name == "a profile":
        f = replace(f, creator_id=viewer.person_id if viewer else 1)
    return f


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
@pytest.mark.parametrize("name", list(FILTERS))
async def test_the_page_and_its_surroundings_read_together_answer_the_same(
    forum: Forum, name: str, signed_in: bool
) -> None:
    db = forum.app.state.moot.db
    async with db.connection() as conn:
        viewer = await viewer_for_token(conn, forum.member_token) if signed_in else None
        f = _for(name, forum, viewer)
        for page, after in ((1, None), (2, None), (1, forum.ids["posts"][12])):
            apart = await list_posts(conn, f, page, 5, after)
            together = await list_posts(conn, f, page, 5, after, around=views.AROUND)
            expected = await views.post_views(conn, apart, viewer)
            answered = views.listed_post_views(together, viewer)
            assert msgspec.json.encode(answered) == msgspec.json.encode(expected)
            if name == "saved only" and signed_in and page == 1 and after is None:
                assert len(answered) == 1, "the member's saved post"
            elif name == "Hot" and page == 1 and after is None:
                assert len(answered) == 5
