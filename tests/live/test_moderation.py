"""Community moderators' actions with real clients: each done by a moderator (pythorhead,
and lemmy-js-client in moderation.mjs) and refused with Lemmy's error to someone who is not
one. One test per action."""

from __future__ import annotations

import time
from typing import Any

from pythorhead.types import FeatureType, ListingType, SortType

from moot.errors import ErrorCode as E
from tests.live.mod_support import Cast, js_step, lemmy_error, new_member


def _community_posts(cast: Cast, who: Any = None) -> list[int]:
    listed = (who or cast.outsider).post.list(
        community_id=cast.community_id, sort=SortType.New, limit=50
    )
    return [p["post"]["id"] for p in listed]


def test_remove_post(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "remove_post")
    post = cast.post("Remove me")
    assert lemmy_error(cast.outsider.post.remove, post["id"], True) == E.NOT_A_MOD_OR_ADMIN
    removed = cast.mod.post.remove(post["id"], True, reason="spam")["post_view"]
    assert removed["post"]["removed"] is True
    assert post["id"] not in _community_posts(cast)
    assert lemmy_error(cast.user.post.get, post["id"]) == E.COULDNT_FIND_POST
    assert cast.admin.post.get(post["id"])["post_view"]["post"]["removed"] is True
    # A moderator cannot remove what an admin wrote (admins rank above moderators).
    by_admin = cast.post("Written by an admin", who=cast.admin)
    assert lemmy_error(cast.mod.post.remove, by_admin["id"], True) == E.NOT_HIGHER_MOD
    restored = cast.mod.post.remove(post["id"], False)["post_view"]
    assert restored["post"]["removed"] is False
    assert post["id"] in _community_posts(cast)


def test_remove_comment(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "remove_comment")
    post = cast.post("A thread")
    comment = cast.comment(post["id"], "Out of line")
    assert lemmy_error(cast.outsider.comment.remove, comment["id"], True) == E.NOT_A_MOD_OR_ADMIN
    removed = cast.mod.comment.remove(comment["id"], True, reason="rude")["comment_view"]
    assert removed["comment"]["removed"] is True
    assert cast.outsider.comment.get(comment["id"])["comment_view"]["comment"]["content"] == ""
    assert cast.user.post.get(post["id"])["post_view"]["counts"]["comments"] == 0
    cast.mod.comment.remove(comment["id"], False)
    shown = cast.outsider.comment.get(comment["id"])["comment_view"]["comment"]
    assert (shown["removed"], shown["content"]) == (False, "Out of line")
    assert cast.user.post.get(post["id"])["post_view"]["counts"]["comments"] == 1
    # A comment its author deleted cannot be removed or restored by a moderator.
    cast.user.comment.delete(comment["id"], True)
    assert lemmy_error(cast.mod.comment.remove, comment["id"], True) == E.COULDNT_UPDATE_COMMENT


def test_lock_post(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "lock_post")
    post = cast.post("Lock me")
    assert lemmy_error(cast.outsider.post.lock, post["id"], True) == E.NOT_A_MOD_OR_ADMIN
    assert cast.mod.post.lock(post["id"], True)["post_view"]["post"]["locked"] is True
    assert lemmy_error(cast.user.comment.create, post["id"], "too late") == E.LOCKED
    cast.comment(post["id"], "Moderators still may", who=cast.mod)
    assert cast.mod.post.lock(post["id"], False)["post_view"]["post"]["locked"] is False
    cast.comment(post["id"], "Open again")


def test_feature_post_in_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "feature_post_community")
    pinned = cast.post("Pinned")
    cast.post("Newer")
    assert (
        lemmy_error(cast.outsider.post.feature, pinned["id"], True, FeatureType.Community)
        == E.NOT_A_MOD_OR_ADMIN
    )
    shown = cast.mod.post.feature(pinned["id"], True, FeatureType.Community)["post_view"]["post"]
    assert shown["featured_community"] is True
    assert _community_posts(cast)[0] == pinned["id"]
    cast.mod.post.feature(pinned["id"], False, FeatureType.Community)
    assert _community_posts(cast)[0] != pinned["id"]


def test_feature_post_on_front_page(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "feature_post_local")
    post = cast.post("For everyone")
    # Moderators pin inside their community; the front page is the admins'.
    assert lemmy_error(cast.mod.post.feature, post["id"], True, FeatureType.Local) == E.NOT_AN_ADMIN
    shown = cast.admin.post.feature(post["id"], True, FeatureType.Local)["post_view"]["post"]
    assert shown["featured_local"] is True
    front = cast.outsider.post.list(type_=ListingType.Local, sort=SortType.Old, limit=1)
    assert front[0]["post"]["id"] == post["id"]
    cast.admin.post.feature(post["id"], False, FeatureType.Local)


def test_distinguish_comment(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "distinguish_comment")
    post = cast.post("Distinguished")
    own = cast.comment(post["id"], "A member's comment")
    mods = cast.comment(post["id"], "Speaking for the community", who=cast.mod)
    assert lemmy_error(cast.user.comment.distinguish, own["id"], True) == E.NOT_A_MOD_OR_ADMIN
    assert lemmy_error(cast.mod.comment.distinguish, own["id"], True) == E.NO_COMMENT_EDIT_ALLOWED
    shown = cast.mod.comment.distinguish(mods["id"], True)["comment_view"]["comment"]
    assert shown["distinguished"] is True
    thread = cast.outsider.comment.list(post_id=post["id"], type_=ListingType.All)
    assert thread[0]["comment"]["id"] == mods["id"]


def test_ban_from_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "ban_from_community")
    member, member_id, _ = new_member(cast.server, "pbanc")
    written = cast.post("Before the ban", who=member)
    comment = cast.comment(written["id"], "and a comment", who=member)
    expires = int(time.time()) + 3600
    assert (
        lemmy_error(
            cast.outsider.community.ban_user,
            person_id=member_id,
            community_id=cast.community_id,
            expires=expires,
        )
        == E.NOT_A_MOD_OR_ADMIN
    )
    assert (
        lemmy_error(
            cast.mod.community.ban_user,
            person_id=member_id,
            community_id=cast.community_id,
            expires=int(time.time()) - 60,
        )
        == E.BAN_EXPIRATION_IN_PAST
    )
    banned = cast.mod.community.ban_user(
        person_id=member_id,
        community_id=cast.community_id,
        expires=expires,
        reason="trolling",
        remove_data=True,
    )
    assert banned["banned"] is True and banned["person_view"]["person"]["id"] == member_id
    assert lemmy_error(member.post.create, cast.community_id, "Still here") == (
        E.BANNED_FROM_COMMUNITY
    )
    assert lemmy_error(member.comment.create, written["id"], "me too") == E.BANNED_FROM_COMMUNITY
    assert written["id"] not in _community_posts(cast)
    assert cast.admin.comment.get(comment["id"])["comment_view"]["comment"]["removed"] is True
    assert member.community.get(cast.community_id)["community_view"]["banned_from_community"]
    cast.mod.community.ban_user(
        ban=False, person_id=member_id, community_id=cast.community_id, remove_data=True
    )
    assert written["id"] in _community_posts(cast)
    cast.post("After the ban", who=member)


def test_add_and_remove_moderator(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "add_mod")
    helper, helper_id, _ = new_member(cast.server, "phelp")
    community = cast.community_id
    assert (
        lemmy_error(cast.outsider.community.add_mod_to_community, True, community, helper_id)
        == E.NOT_A_MOD_OR_ADMIN
    )
    added = cast.mod.community.add_mod_to_community(True, community, helper_id)["moderators"]
    assert [m["moderator"]["id"] for m in added] == [cast.mod_id, helper_id]
    # The new moderator moderates: they may lock a post, but not dismiss the one above them.
    post = cast.post("Checked by the new moderator")
    assert helper.post.lock(post["id"], True)["post_view"]["post"]["locked"] is True
    assert (
        lemmy_error(helper.community.add_mod_to_community, False, community, cast.mod_id)
        == E.NOT_HIGHER_MOD
    )
    kept = cast.mod.community.add_mod_to_community(False, community, helper_id)["moderators"]
    assert [m["moderator"]["id"] for m in kept] == [cast.mod_id]
    assert lemmy_error(helper.post.lock, post["id"], False) == E.NOT_A_MOD_OR_ADMIN


def test_transfer_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "transfer_community")
    heir, heir_id, _ = new_member(cast.server, "pheir")
    owned = cast.mod.community.create(name=f"ptr{heir_id}", title="To hand over")
    community = owned["community_view"]["community"]["id"]
    body = {"community_id": community, "person_id": heir_id}
    assert (
        lemmy_error(cast.api, cast.outsider, "POST", "/community/transfer", json=body)
        == E.NOT_AN_ADMIN
    )
    moved = cast.api(cast.mod, "POST", "/community/transfer", json=body)
    assert [m["moderator"]["id"] for m in moved["moderators"]] == [heir_id, cast.mod_id]
    assert moved["community_view"]["community"]["id"] == community
    # The old owner is now below the heir, who may dismiss them.
    gone = heir.community.add_mod_to_community(False, community, cast.mod_id)["moderators"]
    assert [m["moderator"]["id"] for m in gone] == [heir_id]


def test_edit_community(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "edit_community")
    assert (
        lemmy_error(cast.outsider.community.edit, cast.community_id, title="Mine now")
        == E.NOT_A_MOD_OR_ADMIN
    )
    edited = cast.mod.community.edit(cast.community_id, description="Be *kind*")
    assert edited["community_view"]["community"]["description"] == "Be *kind*"


def test_moderator_view_listing(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "moderator_view")
    post = cast.post("For the moderators' eyes")

    def moderator_view(who: Any) -> list[int]:
        listed = who.post.list(type_=ListingType.ModeratorView, sort=SortType.New, limit=50)
        return [p["post"]["id"] for p in listed]

    assert post["id"] in moderator_view(cast.mod)
    assert post["id"] not in moderator_view(cast.outsider)
    moderated = cast.mod.site.get()["my_user"]["moderates"]
    assert cast.community_id in [m["community"]["id"] for m in moderated]


def test_list_post_votes(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "list_post_likes")
    post = cast.post("Vote on me")
    cast.outsider.post.like(post["id"], -1)
    assert lemmy_error(cast.outsider.post.list_votes, post["id"]) == E.NOT_A_MOD_OR_ADMIN
    votes = cast.mod.post.list_votes(post["id"])["post_likes"]
    assert [(v["creator"]["id"], v["score"]) for v in votes] == [
        (cast.outsider_id, -1),
        (cast.user_id, 1),
    ]
    assert votes[0]["creator_banned_from_community"] is False


def test_list_comment_votes(cast: Cast, js_moderation: dict[str, Any]) -> None:
    js_step(js_moderation, "list_comment_likes")
    comment = cast.comment(cast.post("Thread")["id"], "Vote on this comment")
    cast.outsider.comment.like(comment["id"], -1)
    path = "/comment/like/list"
    params = {"comment_id": comment["id"]}
    assert lemmy_error(cast.api, cast.outsider, "GET", path, params=params) == E.NOT_A_MOD_OR_ADMIN
    votes = cast.api(cast.mod, "GET", path, params=params)["comment_likes"]
    assert [(v["creator"]["id"], v["score"]) for v in votes] == [
        (cast.outsider_id, -1),
        (cast.user_id, 1),
    ]
