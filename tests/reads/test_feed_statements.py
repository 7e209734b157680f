"""How many statements a multi-community feed's listing runs (Lemmy 1.0's GetPosts with
`multi_community_id`), on each backend: a count, not a timing. The feed is read as the
Subscribed listing is, in one statement per page (the per-community merge,
moot/db/post_listing.py), whoever reads it, by id or by name, and however deep the cursor
is."""

from __future__ import annotations

import pytest

from tests.reads.conftest import Forum

# name → (path, logged in, statements). Anonymous: the feed's row (a feed that is not there
# is `not_found`, not an empty page), the page with what is around each post in one
# statement, and v4's report counts of the page's posts. A member adds the viewer and v4's
# three reads of their marks (posts, communities, persons). A cursor adds its post's row,
# read first, as for the Subscribed listing (its arms compare the cursor's values).
READS: dict[str, tuple[str, bool, int]] = {
    "feed, anonymous": ("/api/v4/post/list?multi_community_id={feed}&sort=new&limit=20", False, 3),
    "feed, logged in": ("/api/v4/post/list?multi_community_id={feed}&sort=hot&limit=20", True, 7),
    "feed by name, anonymous": (
        "/api/v4/post/list?multi_community_name={name}&sort=active&limit=20",
        False,
        3,
    ),
    "feed by cursor, anonymous": (
        "/api/v4/post/list?multi_community_id={feed}&sort=new&limit=3&page_cursor={cursor}",
        False,
        4,
    ),
    "feed by cursor, logged in": (
        "/api/v4/post/list?multi_community_id={feed}&sort=hot&limit=3&page_cursor={cursor}",
        True,
        8,
    ),
}


async def _feed(forum: Forum) -> tuple[int, str]:
    if "feed" not in forum.ids:
        name = f"reads_{forum.backend[:2]}"
        made = await forum.call(
            "POST", "/api/v4/multi_community", json={"name": name}, token=forum.member_token
        )
        feed_id = int(made.json()["multi_community_view"]["multi"]["id"])
        for community_id in forum.ids["communities"]:
            await forum.call(
                "POST",
                "/api/v4/multi_community/entry",
                json={"id": feed_id, "community_id": community_id},
                token=forum.member_token,
            )
        forum.ids["feed"] = (feed_id, name)
    feed: tuple[int, str] = forum.ids["feed"]
    return feed


@pytest.mark.parametrize("name", list(READS))
async def test_statements_per_feed_read(forum: Forum, name: str) -> None:
    template, logged_in, expected = READS[name]
    feed_id, feed_name = await _feed(forum)
    token = forum.member_token if logged_in else None
    cursor = ""
    if "{cursor}" in template:
        first = template.split("&page_cursor=")[0].format(feed=feed_id)
        cursor = (await forum.statements(first, token=token))[1].json()["next_page"]
    path = template.format(feed=feed_id, name=feed_name, cursor=cursor)
    await forum.statements(path, token=token)
    seen, response = await forum.statements(path, token=token)
    assert response.json()["items"], path
    listing = "\n".join(f"  {' '.join(sql.split())[:200]}" for sql in seen)
    assert len(seen) == expected, f"{name}: {len(seen)} statements, not {expected}:\n{listing}"
