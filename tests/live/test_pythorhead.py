"""The walk of issue 2 with pythorhead, a real Lemmy bot library, against a live server."""

from __future__ import annotations

import pytest
from pythorhead import Lemmy
from pythorhead.types import CommentSortType, ListingType, SortType

from tests.conftest import Api, register, unique
from tests.servers import Server

PASSWORD = "password-123"


def _client(server: Server, name: str) -> Lemmy:
    lemmy = Lemmy(server.url, raise_exceptions=True, request_timeout=30)
    assert lemmy.log_in(name, PASSWORD)
    return lemmy


@pytest.fixture
def two_members(server: Server) -> tuple[str, str]:
    names = unique("ann"), unique("bob")
    for name in names:
        register(server, name, PASSWORD)
    return names


def test_the_whole_walk(server: Server, two_members: tuple[str, str]) -> None:
    ann_name, bob_name = two_members
    ann, bob = _client(server, ann_name), _client(server, bob_name)

    # A community, and a member who subscribes to it.
    name = unique("walk")
    created = ann.community.create(name=name, title="A walk through moot")
    community_id = created["community_view"]["community"]["id"]
    assert created["community_view"]["subscribed"] == "Subscribed"
    followed = bob.community.follow(community_id, True)
    assert followed["subscribed"] == "Subscribed"  # pythorhead unwraps community_view
    assert followed["counts"]["subscribers"] == 2

    # A link post and a text post; authors upvote their own.
    link = ann.post.create(community_id, "A link worth reading", url="https://example.com/read")
    text = ann.post.create(community_id, "A text post", body="Some *Markdown*\n\n- one\n- two")
    link_id, text_id = link["post_view"]["post"]["id"], text["post_view"]["post"]["id"]
    assert link["post_view"]["post"]["url"] == "https://example.com/read"
    assert text["post_view"]["counts"]["score"] == 1
    assert text["post_view"]["my_vote"] == 1

    # Comments three levels deep.
    top = bob.comment.create(text_id, "First!")["comment_view"]["comment"]
    reply = ann.comment.create(text_id, "A reply", parent_id=top["id"])["comment_view"]["comment"]
    deep = bob.comment.create(text_id, "Deeper", parent_id=reply["id"])["comment_view"]["comment"]
    assert top["path"] == f"0.{top['id']}"
    assert reply["path"] == f"0.{top['id']}.{reply['id']}"
    assert deep["path"] == f"0.{top['id']}.{reply['id']}.{deep['id']}"
    two_levels = bob.comment.list(post_id=text_id, max_depth=2, type_=ListingType.All)
    assert {c["comment"]["id"] for c in two_levels} == {top["id"], reply["id"]}
    subtree = bob.comment.list(parent_id=reply["id"], type_=ListingType.All)
    assert {c["comment"]["id"] for c in subtree} == {reply["id"], deep["id"]}
    post_view = bob.post.get(text_id)["post_view"]
    assert post_view["counts"]["comments"] == 3
    top_view = bob.comment.get(top["id"])["comment_view"]
    assert top_view["counts"]["child_count"] == 2

    # Votes, changed and taken back.
    assert bob.post.like(link_id, 1)["post_view"]["counts"]["score"] == 2
    changed = bob.post.like(link_id, -1)["post_view"]
    assert (
        changed["counts"]["score"],
        changed["counts"]["upvotes"],
        changed["counts"]["downvotes"],
        changed["my_vote"],
    ) == (0, 1, 1, -1)
    taken_back = bob.post.like(link_id, 0)["post_view"]
    assert taken_back["counts"]["score"] == 1 and "my_vote" not in taken_back
    assert ann.comment.like(top["id"], -1)["comment_view"]["counts"]["score"] == 0
    assert ann.comment.like(top["id"], 0)["comment_view"]["counts"]["score"] == 1

    # Save, hide, mark read.
    assert bob.post.save(link_id, True)["post_view"]["saved"] is True
    saved = bob.post.list(saved_only=True, type_=ListingType.All)
    assert [p["post"]["id"] for p in saved] == [link_id]
    bob.post.hide(link_id, True)
    visible = bob.post.list(community_id=community_id)
    assert link_id not in [p["post"]["id"] for p in visible]
    bob.post.hide(link_id, False)
    bob.post.mark_as_read(link_id, False)
    assert bob.post.list(community_id=community_id)[-1]["read"] is False
    bob.post.mark_as_read(link_id, True)
    read = {p["post"]["id"]: p["read"] for p in bob.post.list(community_id=community_id)}
    assert read[link_id] is True

    # Every sort answers; New is newest first and Old oldest first.
    for sort in SortType:
        listed = bob.post.list(community_id=community_id, sort=sort)
        assert {p["post"]["id"] for p in listed} == {link_id, text_id}, sort
    assert [
        p["post"]["id"] for p in bob.post.list(community_id=community_id, sort=SortType.New)
    ] == [text_id, link_id]
    assert [
        p["post"]["id"] for p in bob.post.list(community_id=community_id, sort=SortType.Old)
    ] == [link_id, text_id]
    most = bob.post.list(community_id=community_id, sort=SortType.MostComments)
    assert most[0]["post"]["id"] == text_id
    for listing in (ListingType.All, ListingType.Local, ListingType.Subscribed):
        assert text_id in [p["post"]["id"] for p in bob.post.list(type_=listing, limit=50)]
    for comment_sort in CommentSortType:
        assert len(bob.comment.list(post_id=text_id, sort=comment_sort)) == 3

    # Edits and deletions.
    edited = ann.post.edit(text_id, name="A text post, edited", body="New body")["post_view"]
    assert edited["post"]["name"] == "A text post, edited" and "updated" in edited["post"]
    assert (
        ann.comment.edit(reply["id"], "An edited reply")["comment_view"]["comment"]["content"]
        == "An edited reply"
    )
    gone = bob.comment.delete(deep["id"], True)["comment_view"]
    assert gone["comment"]["deleted"] is True
    seen_by_ann = ann.comment.get(deep["id"])["comment_view"]["comment"]
    assert seen_by_ann["content"] == ""
    assert bob.post.get(text_id)["post_view"]["counts"]["comments"] == 2
    assert ann.post.delete(link_id, True)["post_view"]["post"]["deleted"] is True

    # Person details.
    details = bob.user.get(username=ann_name)
    assert details["person_view"]["person"]["name"] == ann_name
    assert details["person_view"]["counts"]["post_count"] == 1  # the link post is deleted
    assert details["person_view"]["counts"]["comment_count"] == 1
    assert [p["post"]["id"] for p in details["posts"]] == [text_id]
    assert [c["comment"]["id"] for c in details["comments"]] == [reply["id"]]
    assert details["moderates"][0]["community"]["id"] == community_id

    # Logging out makes the token useless.
    token = bob._requestor._auth.token
    raw = Api(server, token)
    raw.ok("POST", "/user/logout")
    assert raw.error("POST", "/post/like", {"post_id": text_id, "score": 1}) == (
        401,
        "incorrect_login",
    )

    # The counters kept along the way are the ones a full recount finds.
    assert "recounted: 0 rows corrected" in server.moot("admin", "recount").stdout
